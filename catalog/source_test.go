package catalog_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/catalog"
)

// dataDir is shared/data, where go generate reads the sources. It is
// absent where the repository is checked out alone; the tests needing it
// are skipped there.
const dataDir = "../../shared/data"

func readSource(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, name))
	if os.IsNotExist(err) {
		t.Skip("no " + dataDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(name) == ".gz" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := out.ReadFrom(zr); err != nil {
			t.Fatal(err)
		}
		b = out.Bytes()
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// The catalog holds exactly what the sources hold, field by field.
func TestAgainstSources(t *testing.T) {
	c := catalog.Default()
	t.Run("services", func(t *testing.T) {
		var src []struct {
			Prefix, Name  string
			RCPSupported  bool
			ConditionKeys []struct{ Name, Type, Description string }
			ResourceTypes []struct {
				Name          string
				ARNFormats    []string
				ConditionKeys []string
			}
			Actions []struct {
				Name, Description, AccessLevel string
				AccessLevels                   []string
				ConditionKeys                  []string
				ResourceTypes                  []struct {
					Name          string
					Required      bool
					ConditionKeys []string
				}
			}
		}
		readSource(t, "iam/services.json", &src)
		if len(src) != len(c.Services()) {
			t.Fatalf("%d services, source %d", len(c.Services()), len(src))
		}
		strs := func(s []string) []string {
			if len(s) == 0 {
				return nil
			}
			return s
		}
		for _, ss := range src {
			s := c.Service(ss.Prefix)
			if s == nil || s.Prefix != ss.Prefix || s.Name != ss.Name || s.RCPSupported != ss.RCPSupported ||
				len(s.Actions) != len(ss.Actions) || len(s.ResourceTypes) != len(ss.ResourceTypes) || len(s.ConditionKeys) != len(ss.ConditionKeys) {
				t.Errorf("service %s differs", ss.Prefix)
				continue
			}
			for _, sk := range ss.ConditionKeys {
				k := s.ConditionKey(sk.Name)
				if k == nil || k.Name != sk.Name || k.Type.String() != sk.Type || k.Description != sk.Description {
					t.Errorf("%s: key %s differs: %+v", ss.Prefix, sk.Name, k)
				}
			}
			for _, sr := range ss.ResourceTypes {
				rt := s.ResourceType(sr.Name)
				if rt == nil || rt.Name != sr.Name || !slices.Equal(rt.ARNFormats, sr.ARNFormats) || !slices.Equal(rt.ConditionKeys, strs(sr.ConditionKeys)) {
					t.Errorf("%s: resource type %s differs: %+v", ss.Prefix, sr.Name, rt)
				}
			}
			for _, sa := range ss.Actions {
				a := s.Action(sa.Name)
				if a == nil || a.Name != sa.Name || a.Description != sa.Description || a.AccessLevel.String() != sa.AccessLevel ||
					len(a.AccessLevels) != len(sa.AccessLevels) || !slices.Equal(a.ConditionKeys, strs(sa.ConditionKeys)) ||
					len(a.Resources) != len(sa.ResourceTypes) {
					t.Errorf("%s: action %s differs: %+v", ss.Prefix, sa.Name, a)
					continue
				}
				for i, l := range sa.AccessLevels {
					if a.AccessLevels[i].String() != l {
						t.Errorf("%s: levels %v, source %v", a, a.AccessLevels, sa.AccessLevels)
					}
				}
				for i, r := range sa.ResourceTypes {
					ar := a.Resources[i]
					if ar.Type.Name != r.Name || ar.Required != r.Required || !slices.Equal(ar.ConditionKeys, strs(r.ConditionKeys)) {
						t.Errorf("%s: resource %d %+v, source %+v", a, i, ar, r)
					}
				}
			}
		}
	})
	t.Run("global keys", func(t *testing.T) {
		var src []struct {
			Name, Type, Category, Prefix, Description string
			AlternateTypes                            []string
		}
		readSource(t, "iam/global-condition-keys.json", &src)
		got := c.GlobalConditionKeys()
		if len(got) != len(src) {
			t.Fatalf("%d global keys, source %d", len(got), len(src))
		}
		for i, sk := range src {
			k := got[i]
			var alt []string
			for _, a := range k.AlternateTypes {
				alt = append(alt, a.String())
			}
			if k.Name != sk.Name || k.Type.String() != sk.Type || k.Category != sk.Category || k.Prefix != sk.Prefix ||
				k.Description != sk.Description || !slices.Equal(alt, sk.AlternateTypes) || !k.Global {
				t.Errorf("global key %d: %+v, source %+v", i, k, sk)
			}
		}
	})
	t.Run("managed policies", func(t *testing.T) {
		var src []struct {
			Name, ARN, Path, DefaultVersionID string
			CreateDate, UpdateDate            time.Time
			Document                          json.RawMessage
		}
		readSource(t, "managed-policies.json.gz", &src)
		if len(src) != len(c.ManagedPolicies()) {
			t.Fatalf("%d policies, source %d", len(c.ManagedPolicies()), len(src))
		}
		for _, sp := range src {
			p := c.ManagedPolicy(sp.ARN)
			var doc bytes.Buffer
			if err := json.Compact(&doc, sp.Document); err != nil {
				t.Fatal(err)
			}
			if p == nil || p.Name != sp.Name || p.Path != sp.Path || p.DefaultVersionID != sp.DefaultVersionID ||
				!p.CreateDate.Equal(sp.CreateDate) || !p.UpdateDate.Equal(sp.UpdateDate) || p.Document != doc.String() {
				t.Errorf("policy %s differs", sp.Name)
			}
			if !json.Valid([]byte(p.Document)) {
				t.Errorf("policy %s: document is not valid JSON", sp.Name)
			}
		}
	})
}

// Every managed policy document is a JSON object with a Version and a
// Statement (this needs no sources).
func TestPolicyDocuments(t *testing.T) {
	for _, p := range catalog.Default().ManagedPolicies() {
		var doc struct {
			Version   string
			Statement json.RawMessage
		}
		if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if doc.Version != "2012-10-17" || len(doc.Statement) == 0 || (doc.Statement[0] != '[' && doc.Statement[0] != '{') {
			t.Errorf("%s: Version %q, Statement %.50s", p.Name, doc.Version, doc.Statement)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(p.Document)); err != nil || compact.String() != p.Document {
			t.Errorf("%s: document not compact", p.Name)
		}
	}
}
