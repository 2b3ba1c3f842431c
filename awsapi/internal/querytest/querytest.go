package querytest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi"
)

// Decode is a generated DecodeInput.
type Decode func(op string, form url.Values) (any, error)

type model struct {
	Metadata struct {
		APIVersion string `json:"apiVersion"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input *struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]struct {
		Type    string `json:"type"`
		Members map[string]struct {
			Shape string `json:"shape"`
		} `json:"members"`
		Member *struct {
			Shape string `json:"shape"`
		} `json:"member"`
		Value *struct {
			Shape string `json:"shape"`
		} `json:"value"`
	} `json:"shapes"`
}

func loadModel(t *testing.T, path string) *model {
	t.Helper()
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no model at %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// keys returns the parameter keys of every member path below shape
// name, as the aws CLI serializes them (botocore's Query serializer):
// Name, Struct.Field, List (an empty list), List.member.N[...],
// Map.entry.N.key, Map.entry.N.value[...]; lists and maps at the
// indexes 1 and 1000.
func (m *model) keys(name, prefix string, depth int) []string {
	s := m.Shapes[name]
	if depth > 8 {
		return nil
	}
	switch s.Type {
	case "structure":
		var out []string
		for mn, ref := range s.Members {
			out = append(out, m.below(ref.Shape, prefix+mn, depth)...)
		}
		return out
	case "list":
		out := []string{prefix}
		for _, n := range []string{"1", "1000"} {
			out = append(out, m.below(s.Member.Shape, prefix+".member."+n, depth)...)
		}
		return out
	case "map":
		out := []string{prefix}
		for _, n := range []string{"1", "1000"} {
			out = append(out, prefix+".entry."+n+".key")
			out = append(out, m.below(s.Value.Shape, prefix+".entry."+n+".value", depth)...)
		}
		return out
	}
	return []string{prefix}
}

// below is keys for an element at key: a structure's fields follow a dot.
func (m *model) below(name, key string, depth int) []string {
	if m.Shapes[name].Type == "structure" {
		return m.keys(name, key+".", depth+1)
	}
	return m.keys(name, key, depth+1)
}

// CheckMembers checks decode against the model at modelPath: for every
// operation, each key of every member path of its input is accepted
// (whatever else its value breaks), and keys next to them — a suffix on
// a name, index 0, 1001 or 01, a field below a scalar, the map form of a
// list — are UnknownParameter naming the key.
func CheckMembers(t *testing.T, modelPath string, decode Decode) {
	m := loadModel(t, modelPath)
	ops := make([]string, 0, len(m.Operations))
	for op := range m.Operations {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		t.Run(op, func(t *testing.T) {
			var known []string
			if in := m.Operations[op].Input; in != nil {
				known = m.keys(in.Shape, "", 0)
			}
			for _, k := range known {
				if name := unknown(decode, op, m.Metadata.APIVersion, k); name != "" {
					t.Errorf("member path %q: UnknownParameter %q", k, name)
				}
			}
			refused := []string{"Nope", "action", "version"}
			for _, k := range known {
				refused = append(refused, k+"x", k+".x", k+".member.1", k+".entry.1.key")
				for _, bad := range []string{".member.0", ".member.1001", ".member.01"} {
					if i := strings.Index(k, ".member.1"); i >= 0 {
						refused = append(refused, k[:i]+bad+k[i+len(".member.1"):])
					}
				}
			}
			for _, k := range refused {
				if slices.Contains(known, k) {
					continue
				}
				if name := unknown(decode, op, m.Metadata.APIVersion, k); name != k {
					t.Errorf("%q: UnknownParameter %q, want it named", k, name)
				}
			}
		})
	}
}

// unknown decodes op with key set and returns the parameter an
// UnknownParameter names ("" for any other outcome).
func unknown(decode Decode, op, version, key string) string {
	_, err := decode(op, url.Values{"Action": {op}, "Version": {version}, key: {"1"}})
	var ae *awsapi.Error
	if errors.As(err, &ae) && ae.Code == "UnknownParameter" {
		return strings.TrimSuffix(strings.TrimPrefix(ae.Message, "The parameter "), " is not recognized")
	}
	return ""
}

// Fuzz fuzzes decode with form bodies, seeded from the requests the aws
// CLI sends (seedsPath, one body per line). Decoding never panics; a
// failure is a Sender error of HTTP 400, UnknownParameter or
// ValidationError, with a message, whose error envelope is well-formed
// XML.
func Fuzz(f *testing.F, seedsPath string, decode Decode) {
	file, err := os.Open(seedsPath)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f.Add(sc.Text())
	}
	if err := sc.Err(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // the server answers MalformedQueryString before decoding
		}
		in, err := decode(form.Get("Action"), form)
		if err == nil {
			if in == nil {
				t.Fatal("no input and no error")
			}
			return
		}
		var ae *awsapi.Error
		if !errors.As(err, &ae) {
			t.Fatalf("%T %v is not an AWS error", err, err)
		}
		switch {
		case ae.Code == "InvalidAction" && ae.HTTPStatus() == 400:
			return // an Action the model does not have
		case ae.Code != "UnknownParameter" && ae.Code != "ValidationError",
			ae.HTTPStatus() != 400, ae.ErrorFault() != awsapi.Sender, ae.Message == "":
			t.Fatalf("not a validation error: %+v", ae)
		}
		if ae.Code == "ValidationError" && !strings.Contains(ae.Message, " validation error") {
			t.Fatalf("ValidationError message not in AWS's words: %q", ae.Message)
		}
		var b bytes.Buffer
		awsapi.WriteError(&b, "https://example.com/doc/", "req-1", ae)
		d := xml.NewDecoder(&b)
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("error envelope not well-formed: %v\n%q", err, b.String())
			}
		}
	})
}
