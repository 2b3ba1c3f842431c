package iam

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// TestServiceLinkedRoleTable checks the embedded table of services: each
// entry names a service principal, a role name CreateRole would accept
// with room for a suffix, AWS managed policies the catalog has, a valid
// trust policy, and the AWS page it comes from.
func TestServiceLinkedRoleTable(t *testing.T) {
	services := linkedServices()
	if len(services) == 0 {
		t.Fatal("empty table")
	}
	name := regexp.MustCompile(`^AWSServiceRoleFor[\w+=,.@-]+$`)
	for principal, s := range services {
		t.Run(principal, func(t *testing.T) {
			if !strings.HasSuffix(s.Service, ".amazonaws.com") {
				t.Errorf("service principal %q", s.Service)
			}
			if !name.MatchString(s.RoleName) || len(s.RoleName) > 64 {
				t.Errorf("role name %q", s.RoleName)
			}
			if !strings.HasPrefix(s.Doc, "https://docs.aws.amazon.com/") {
				t.Errorf("doc %q is not an AWS documentation page", s.Doc)
			}
			if len(s.Policies) == 0 {
				t.Error("no policy")
			}
			for _, a := range s.Policies {
				mp := catalog.Default().ManagedPolicy(a)
				if mp == nil || mp.ARN != a || mp.Path != serviceLinkedRolesPath {
					t.Errorf("policy %s is not an AWS managed service-linked role policy", a)
				}
			}
			if err := checkDocument(serviceLinkedTrust(s.Service), policy.Trust, s.RoleName); err != nil {
				t.Errorf("trust policy: %v", err)
			}
		})
	}
}

func TestNewUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := newUUID(), newUUID()
	if !re.MatchString(a) || a == b {
		t.Fatalf("newUUID = %q, %q", a, b)
	}
}
