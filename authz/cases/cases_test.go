package cases_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/authz/cases"
)

const allow = `"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k",` +
	`"identityPolicies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]`

// A case member the contract (shared/spec/policy-cases.md) does not
// define: ignored, as the contract says, unless it is a near miss of one
// it defines, which would otherwise leave the case decided without what
// it meant; that line is an Error naming the member, and the run goes on.
// With Strict, every undefined member is an Error.
func TestUnknownFields(t *testing.T) {
	tests := []struct {
		name, line string
		want       string // decision
		err        string // in the error, for Error
		strict     string // decision with Strict
	}{
		{"contract fields only", `{"id":"a",` + allow + `}`, "Allowed", "", "Allowed"},
		{"a note of the table", `{"id":"a",` + allow + `,"doc":"https://docs.aws.amazon.com/x","note":"why"}`, "Allowed", "", "Error"},
		{"field in another case", `{"id":"a",` + allow + `,"Expect":"Allowed"}`, "Error", `unknown field "Expect" (did you mean "expect"?)`, "Error"},
		{"a capitalised principal", `{"id":"a","Principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*"}`,
			"Error", `unknown field "Principal" (did you mean "principal"?)`, "Error"},
		{"singular", `{"id":"a","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","identityPolicy":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}}`,
			"Error", `unknown field "identityPolicy" (did you mean "identityPolicies"?)`, "Error"},
		{"plural", `{"id":"a",` + allow + `,"resources":["x"]}`, "Error", `did you mean "resource"?`, "Error"},
		{"snake case", `{"id":"a",` + allow + `,"session_policies":[]}`, "Error", `did you mean "sessionPolicies"?`, "Error"},
		{"expected", `{"id":"a",` + allow + `,"expected":"Allowed"}`, "Error", `unknown field "expected" (did you mean "expect"?)`, "Error"},
		{"scp", `{"id":"a",` + allow + `,"scp":[[]]}`, "Error", `did you mean "scps"?`, "Error"},
		{"something else", `{"id":"a",` + allow + `,"description":"a free text"}`, "Allowed", "", "Error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cases.EvaluateLine([]byte(tc.line))
			if r.Decision != tc.want || r.ID != "a" || !strings.Contains(r.Error, tc.err) {
				t.Errorf("%+v, want %s %q", r, tc.want, tc.err)
			}
			if s := (cases.Options{Strict: true}).EvaluateLine([]byte(tc.line)); s.Decision != tc.strict {
				t.Errorf("strict: %+v, want %s", s, tc.strict)
			} else if tc.strict == "Error" && !strings.Contains(s.Error, "unknown field") {
				t.Errorf("strict error %q", s.Error)
			}
		})
	}
	// The run goes on past the refused line.
	in := strings.Join([]string{`{"id":"1",` + allow + `}`, `{"id":"2",` + allow + `,"Action":"x"}`, `{"id":"3",` + allow + `}`}, "\n")
	var out bytes.Buffer
	if err := cases.Run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r cases.Result
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r.ID+":"+r.Decision)
	}
	if strings.Join(got, " ") != "1:Allowed 2:Error 3:Allowed" {
		t.Errorf("run: %v", got)
	}
}
