package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/cli"
)

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidate(t *testing.T) {
	good := write(t, "good.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
	bad := write(t, "bad.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`)
	unknown := write(t, "unknown.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}}`)
	trust := write(t, "trust.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`)

	if code, out, _ := run(t, "", "policy", "validate", good); code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("good: code %d out %q", code, out)
	}
	code, out, _ := run(t, "", "policy", "validate", bad)
	if code != 1 || !strings.Contains(out, "MalformedPolicyDocument: Actions/Conditions must be prefaced by a vendor") {
		t.Errorf("bad: code %d out %q", code, out)
	}
	code, out, _ = run(t, "", "policy", "validate", unknown)
	if code != 1 || !strings.Contains(out, "INVALID_ACTION") {
		t.Errorf("unknown action: code %d out %q", code, out)
	}
	// IAM checks that every statement has resources before it looks at
	// principals (getmoto/moto's recorded order).
	if code, out, _ := run(t, "", "policy", "validate", trust); code != 1 || !strings.Contains(out, "Policy statement must contain resources.") {
		t.Errorf("trust policy as managed: code %d out %q", code, out)
	}
	if code, out, _ := run(t, "", "policy", "validate", "--kind", "trust", trust); code != 0 {
		t.Errorf("trust policy as trust: code %d out %q", code, out)
	}
	code, out, _ = run(t, "", "policy", "validate", "--format", "json", good, bad)
	var res []struct {
		File     string `json:"file"`
		Valid    bool   `json:"valid"`
		Findings []struct {
			FindingType, IssueCode, FindingDetails, LearnMoreLink string
			Locations                                             []struct {
				Path []map[string]any
				Span struct {
					Start, End struct{ Line, Column, Offset int }
				}
			}
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output %q: %v", out, err)
	}
	if code != 1 || len(res) != 2 || !res[0].Valid || res[1].Valid || res[1].Findings[0].IssueCode != "MalformedPolicyDocument" {
		t.Fatalf("json: code %d %+v", code, res)
	}
	// IAM's verdict points at the action: Statement.Action, line 1,
	// offsets 63 to 74 ("GetObject" with its quotes).
	f := res[1].Findings[0]
	if f.FindingType != "ERROR" || f.FindingDetails != "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." ||
		len(f.Locations) != 1 || len(f.Locations[0].Path) != 2 || f.Locations[0].Path[0]["value"] != "Statement" ||
		f.Locations[0].Path[1]["value"] != "Action" || f.Locations[0].Span.Start.Offset != 63 || f.Locations[0].Span.End.Offset != 74 {
		t.Errorf("json finding %+v", f)
	}
	bucket := write(t, "bucket.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:s3:::b/*"}}`)
	if code, out, _ := run(t, "", "policy", "validate", "--kind", "resource", "--resource-type", "AWS::S3::Bucket", bucket); code != 1 || !strings.Contains(out, "UNSUPPORTED_ACTION_IN_POLICY") {
		t.Errorf("bucket policy: code %d out %q", code, out)
	}
	if code, _, _ := run(t, "", "policy", "validate", "--resource-type", "AWS::Nope", good); code != 2 {
		t.Errorf("bad resource type: code %d", code)
	}
	if code, _, _ := run(t, "", "policy", "validate", "--kind", "nope", good); code != 2 {
		t.Errorf("bad kind: code %d", code)
	}
	if code, _, _ := run(t, "", "policy", "validate", filepath.Join(t.TempDir(), "missing.json")); code != 2 {
		t.Errorf("missing file: code %d", code)
	}
}

func TestEval(t *testing.T) {
	cases := strings.Join([]string{
		`{"id":"a","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","identityPolicies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]}`,
		`this is not json`,
		`{"id":"c","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","identityPolicies":["{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}"]}`,
		`{"id":"d","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","identityPolicies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}]}`,
		``,
		`{"id":"e","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}`,
	}, "\n")
	file := write(t, "cases.jsonl", cases)
	for _, args := range [][]string{{"policy", "eval", "--cases", file}, {"policy", "eval", "--cases", "-"}} {
		code, out, errOut := run(t, cases, args...)
		if code != 0 {
			t.Fatalf("%v: code %d: %s", args, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		want := []struct{ id, decision string }{{"a", "Allowed"}, {"", "Error"}, {"c", "ExplicitDeny"}, {"d", "Error"}, {"e", "ImplicitDeny"}}
		if len(lines) != len(want) {
			t.Fatalf("%v: %d lines:\n%s", args, len(lines), out)
		}
		for i, w := range want {
			var r struct{ ID, Decision, Error string }
			if err := json.Unmarshal([]byte(lines[i]), &r); err != nil {
				t.Fatal(err)
			}
			if r.ID != w.id || r.Decision != w.decision {
				t.Errorf("line %d = %s, want id %q %s", i, lines[i], w.id, w.decision)
			}
			if r.Decision == "Error" && r.Error == "" {
				t.Errorf("line %d: Error without a reason", i)
			}
		}
	}
	// A near miss of a contract member is refused on its line; --strict
	// refuses any member the contract does not define.
	typo := `{"id":"t","Principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}` + "\n" +
		`{"id":"n","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","note":"x"}`
	_, out, _ := run(t, typo, "policy", "eval", "--cases", "-")
	if !strings.Contains(out, `"id":"t","decision":"Error","error":"invalid case: unknown field \"Principal\" (did you mean \"principal\"?)"`) ||
		!strings.Contains(out, `"id":"n","decision":"ImplicitDeny"`) {
		t.Errorf("near miss:\n%s", out)
	}
	_, out, _ = run(t, typo, "policy", "eval", "--strict", "--cases", "-")
	if !strings.Contains(out, `"id":"n","decision":"Error","error":"invalid case: unknown field \"note\""`) {
		t.Errorf("strict:\n%s", out)
	}
	if code, _, _ := run(t, "", "policy", "eval"); code != 2 {
		t.Errorf("no --cases: code %d", code)
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := run(t, ""); code != 2 {
		t.Errorf("no args: %d", code)
	}
	if code, _, _ := run(t, "", "frobnicate"); code != 2 {
		t.Errorf("unknown: %d", code)
	}
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "gatehouse ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestSummarize(t *testing.T) {
	file := write(t, "p.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"},{"Effect":"Allow","Action":"nosuch:Thing","Resource":"*"}]}`)
	code, out, _ := run(t, "", "policy", "summarize", file)
	if code != 0 || !strings.Contains(out, "Amazon S3") || !strings.Contains(out, "Full: List  Limited: Read") || !strings.Contains(out, "nosuch") {
		t.Fatalf("code %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "policy", "summarize", "--format", "json", file)
	var s struct {
		Allow []struct {
			Service, Access string
		}
		Warnings []struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 0 {
		t.Fatalf("json: %v %d %s", err, code, out)
	}
	if len(s.Allow) != 1 || s.Allow[0].Service != "s3" || len(s.Warnings) != 1 || s.Warnings[0].Kind != "UnrecognizedService" {
		t.Fatalf("json summary: %+v", s)
	}
	bad := write(t, "bad.json", `{"Statement":`)
	if code, _, errOut := run(t, "", "policy", "summarize", bad); code != 1 || !strings.Contains(errOut, "Syntax errors in policy.") {
		t.Fatalf("bad policy: code %d %q", code, errOut)
	}
}

// The text output names each finding and, on the lines below it, where
// it is (file:line:column, the column counted from 1) and its path; syntax
// errors are placed too.
func TestValidateText(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Efect\": \"Allow\",\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"*\"\n  }, {\n    \"Effect\": \"Allwo\",\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"*\",\n    \"Condition\": {\"StringEqualz\": {\"aws:username\": \"a\"}}\n  }]\n}\n"
	file := write(t, "p.json", doc)
	code, out, _ := run(t, "", "policy", "validate", file)
	if code != 1 {
		t.Errorf("code %d", code)
	}
	for _, want := range []string{
		file + ": ERROR MalformedPolicyDocument: Syntax errors in policy.\n  " + file + `:4:5: Statement[0]."Efect"`,
		file + ": ERROR INVALID_POLICY_ELEMENT: The policy element Efect is not valid.\n  " + file + `:4:5: Statement[0]."Efect"`,
		file + ": ERROR MISSING_EFFECT: Add an Effect element to the policy statement with a value of Allow or Deny.\n  " + file + ":3:17: Statement[0]",
		file + ": ERROR INVALID_EFFECT: The effect Allwo is not valid. Use Allow or Deny.\n  " + file + ":8:15: Statement[1].Effect",
		file + ": ERROR INVALID_CONDITION_OPERATOR: The condition operator StringEqualz is not valid. Use a valid condition operator.\n  " + file + `:11:19: Statement[1].Condition."StringEqualz"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks\n%s\nin\n%s", want, out)
		}
	}
	bad := write(t, "bad.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [}\n")
	code, out, _ = run(t, "", "policy", "validate", bad)
	if code != 1 || !strings.Contains(out, "JSON_SYNTAX_ERROR: Fix the JSON syntax error at index 45 line 3 column 16.") ||
		!strings.Contains(out, bad+":3:17: (the document)") {
		t.Errorf("invalid JSON: code %d\n%s", code, out)
	}
	if code, out, _ := run(t, "", "policy", "validate", "--kind", "trust", bad); code != 1 || !strings.Contains(out, "MalformedPolicyDocument: This policy contains invalid Json") {
		t.Errorf("invalid JSON trust policy: code %d\n%s", code, out)
	}
}

// TestHelp: --help and -h on every command print its usage to stdout and
// succeed; a bad flag fails with exit 2 and the usage on stderr.
func TestHelp(t *testing.T) {
	commands := [][]string{
		{}, {"serve"}, {"policy"}, {"policy", "validate"}, {"policy", "eval"}, {"policy", "summarize"},
		{"account"}, {"account", "create"},
	}
	for _, cmd := range commands {
		for _, h := range []string{"--help", "-h", "-help"} {
			args := append(append([]string{}, cmd...), h)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, errOut := run(t, "", args...)
				if code != 0 || !strings.HasPrefix(out, "usage: gatehouse") || errOut != "" {
					t.Fatalf("code %d\nstdout %q\nstderr %q", code, out, errOut)
				}
				if len(cmd) > 0 && !strings.Contains(out, "gatehouse "+strings.Join(cmd, " ")) {
					t.Errorf("usage does not name the command:\n%s", out)
				}
			})
		}
	}
	for _, cmd := range [][]string{{"serve", "--bogus"}, {"policy", "validate", "--bogus"}, {"policy", "bogus"}, {"bogus"}, {"policy"}, {},
		{"account"}, {"account", "bogus"}, {"account", "create", "--bogus"}, {"account", "create"},
		{"account", "create", "--account", "12345"}, {"account", "create", "--account", "12345678901x"}, {"account", "create", "--account", "123456789012", "extra"}} {
		t.Run(strings.Join(cmd, " ")+" fails", func(t *testing.T) {
			code, out, errOut := run(t, "", cmd...)
			if code != 2 || out != "" || !strings.Contains(errOut, "usage: gatehouse") {
				t.Fatalf("code %d\nstdout %q\nstderr %q", code, out, errOut)
			}
		})
	}
}

// account create refuses a directory no server has set up, and says
// why; it makes nothing there.
func TestAccountCreateNotADataDir(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "", "account", "create", "--data-dir", dir, "--account", "444455556666")
	if code != 1 || out != "" || !strings.Contains(errOut, "not a gatehouse data directory (no master.key)") || !strings.Contains(errOut, "gatehouse serve --data-dir "+dir) {
		t.Fatalf("code %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("account create wrote %d files in a directory it refused", len(entries))
	}
}
