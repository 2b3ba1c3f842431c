package authz

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/policy"
)

// FuzzARNAccount checks the eight-bytes-at-a-time account field against
// strings.SplitN.
func FuzzARNAccount(f *testing.F) {
	for _, s := range []string{"", "*", "arn:aws:s3:::data/x", "arn:aws:iam::111122223333:role/Target",
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd", "arn:aws:s3:::b/a:b:c", "a:b:c:d", ":::::", "arn:;:;;:1:;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := ""
		if p := strings.SplitN(s, ":", 6); len(p) == 6 {
			want = p[4]
		}
		if got := arnAccount(s); got != want {
			t.Fatalf("arnAccount(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestResourceRules checks the table: service and action prefixes are
// lower case (they are compared with the lower-cased action), and a rule
// is found whatever the case of the request's action.
func TestResourceRules(t *testing.T) {
	for _, r := range resourceRules {
		if r.service != strings.ToLower(r.service) || r.action != strings.ToLower(r.action) || r.service == "" {
			t.Errorf("rule %+v: service and action must be lower case", r)
		}
	}
	for _, tc := range []struct {
		action, resource string
		trust, found     bool
	}{
		{"sts:AssumeRole", "arn:aws:iam::111122223333:role/R", true, true},
		{"STS:assumeRoleWithSAML", "arn:aws:iam::111122223333:role/p/R", true, true},
		{"sts:AssumeRoot", "arn:aws:iam::111122223333:role/R", false, false},
		{"sts:AssumeRole", "arn:aws:iam::111122223333:user/R", false, false},
		{"sts:TagSession", "arn:aws:iam::111122223333:role/R", false, false},
		{"kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k", false, true},
		{"KMS:decrypt", "arn:aws-cn:kms:cn-north-1:111122223333:key/k", false, true},
		{"kms:CreateAlias", "arn:aws:kms:us-east-1:111122223333:alias/a", false, false},
		{"kms:CreateKey", "*", false, false},
		{"s3:GetObject", "arn:aws:s3:::b/k", false, false},
	} {
		var req policy.Request
		req.Resource = tc.resource
		if !req.SetAction(tc.action) {
			t.Fatalf("SetAction(%q) failed", tc.action)
		}
		r := resourceRuleFor(&req)
		if (r != nil) != tc.found || r != nil && r.trust != tc.trust {
			t.Errorf("%s on %s: rule %+v, want found %v trust %v", tc.action, tc.resource, r, tc.found, tc.trust)
		}
	}
}
