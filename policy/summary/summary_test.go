package summary_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/policy/summary"
)

func summarize(t *testing.T, doc string) *summary.Summary {
	t.Helper()
	d, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return summary.Summarize(d, catalog.Default())
}

func managed(t *testing.T, name string) *summary.Summary {
	t.Helper()
	mp := catalog.Default().ManagedPolicy(name)
	if mp == nil {
		t.Fatalf("no managed policy %s", name)
	}
	return summarize(t, mp.Document)
}

func find(rows []summary.Service, prefix string) *summary.Service {
	for i := range rows {
		if rows[i].Prefix == prefix {
			return &rows[i]
		}
	}
	return nil
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary.html
func TestManagedPolicies(t *testing.T) {
	admin := managed(t, "AdministratorAccess")
	if n := len(admin.Allow); n != len(catalog.Default().Services()) {
		t.Errorf("AdministratorAccess: %d services, want every one", n)
	}
	for _, r := range admin.Allow {
		if r.Access != "Full access" || r.Resources[0] != "All resources" {
			t.Fatalf("AdministratorAccess %s: %s %v", r.Prefix, r.Access, r.Resources)
		}
	}
	s3 := find(managed(t, "AmazonS3ReadOnlyAccess").Allow, "s3")
	if s3 == nil || !strings.HasPrefix(s3.Access, "Limited: List, Read") && !strings.Contains(s3.Access, "List") {
		t.Fatalf("AmazonS3ReadOnlyAccess s3 row: %+v", s3)
	}
	for _, l := range s3.Levels {
		if l.Level != "List" && l.Level != "Read" {
			t.Errorf("AmazonS3ReadOnlyAccess grants %s", l.Level)
		}
	}
	iam := find(managed(t, "IAMUserChangePassword").Allow, "iam")
	if iam == nil || iam.Access != "Limited: Read, Write" {
		t.Fatalf("IAMUserChangePassword: %+v", iam)
	}
	if len(iam.Resources) != 3 {
		t.Errorf("IAMUserChangePassword resources: %v", iam.Resources)
	}
}

func TestStatements(t *testing.T) {
	s := summarize(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Effect":"Allow","Action":["frob:Nicate","s3:FrobNicate"],"Resource":"*"},
		{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]}`)
	s3 := find(s.Allow, "s3")
	if s3 == nil || s3.Access != "Limited: Read, Write" || s3.Resources[0] != "arn:aws:s3:::b/*" || s3.Conditions[0] != "aws:SourceIp IpAddress 10.0.0.0/8" {
		t.Fatalf("s3 row: %+v", s3)
	}
	if len(s.Warnings) != 2 || s.Warnings[0].Kind != summary.UnrecognizedService || s.Warnings[1].Kind != summary.UnrecognizedAction {
		t.Fatalf("warnings: %+v", s.Warnings)
	}
	if find(s.Deny, "iam") != nil || find(s.Deny, "ec2") == nil || find(s.Deny, "ec2").Access != "Full access" {
		t.Fatal("NotAction deny rows wrong")
	}
	var out bytes.Buffer
	if err := s.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Allow (1 services)", "Amazon S3", "Limited: Read, Write", "Explicit deny", "Warning: The service frob is not recognized"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, out.String()[:min(len(out.String()), 2000)])
		}
	}
}
