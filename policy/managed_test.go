package policy_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// Every AWS managed policy is a document AWS accepted: each must parse,
// pass the identity-policy checks and compile. (AWS managed policies are
// not bound by the 6,144-character quota of customer managed ones.)
func TestManagedPoliciesCompile(t *testing.T) {
	cat := catalog.Default()
	mps := cat.ManagedPolicies()
	if len(mps) < 1500 {
		t.Fatalf("only %d managed policies", len(mps))
	}
	var pols []*policy.Policy
	for _, mp := range mps {
		p, err := policy.ParseAndCompile([]byte(mp.Document), policy.Identity, mp.ARN)
		if err != nil {
			t.Errorf("%s: %v", mp.Name, err)
			continue
		}
		pols = append(pols, p)
	}
	// One set of every managed policy indexes and decides: AWSDenyAll
	// denies everything.
	set := policy.NewSet(pols...)
	req := &policy.Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::111122223333:user/x", Context: &policy.Context{}}
	if r := set.Evaluate(req); !r.Denied || r.DeniedBy.Policy.Name != "arn:aws:iam::aws:policy/AWSDenyAll" {
		t.Errorf("every managed policy: %+v, want denied by AWSDenyAll", r)
	}
	admin := policy.NewSet(pols[indexOf(mps, "AdministratorAccess")], pols[indexOf(mps, "ReadOnlyAccess")])
	if r := admin.Evaluate(req); !r.Allowed || r.Denied {
		t.Errorf("AdministratorAccess: %+v", r)
	}
	ro := policy.NewSet(pols[indexOf(mps, "ReadOnlyAccess")])
	if r := ro.Evaluate(req); r.Allowed {
		t.Error("ReadOnlyAccess allows iam:CreateUser")
	}
	req.Action = "iam:GetUser"
	if r := ro.Evaluate(req); !r.Allowed {
		t.Error("ReadOnlyAccess does not allow iam:GetUser")
	}
}

func indexOf(mps []*catalog.ManagedPolicy, name string) int {
	for i, mp := range mps {
		if mp.Name == name {
			return i
		}
	}
	return -1
}
