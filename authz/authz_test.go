package authz_test

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policy"
)

const (
	allowS3   = `{"Version":"2012-10-17","Statement":{"Sid":"AllowS3","Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	denyS3    = `{"Version":"2012-10-17","Statement":{"Sid":"DenyS3","Effect":"Deny","Action":"s3:*","Resource":"*"}}`
	allowEC2  = `{"Version":"2012-10-17","Statement":{"Sid":"AllowEC2","Effect":"Allow","Action":"ec2:*","Resource":"*"}}`
	allowAll  = `{"Version":"2012-10-17","Statement":{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}}`
	alice     = "arn:aws:iam::111122223333:user/alice"
	objectARN = "arn:aws:s3:::bucket/key"
)

func set(t *testing.T, kind policy.Kind, docs ...string) *policy.Set {
	t.Helper()
	var ps []*policy.Policy
	for i, d := range docs {
		p, err := policy.ParseAndCompile([]byte(d), kind, kind.String()+string(rune('0'+i)))
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		ps = append(ps, p)
	}
	return policy.NewSet(ps...)
}

func request(t *testing.T, principal, action, resource string) *authz.Request {
	t.Helper()
	c, err := authz.ParseCaller(principal, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := &policy.Context{}
	authz.SetPrincipalKeys(&c, ctx)
	return &authz.Request{Caller: c, Action: action, Resource: resource, Context: ctx}
}

// The policy type a denial names, as AccessDenied messages do: "with an
// explicit deny in a service control policy", "because no
// identity-based policy allows", "because no permissions boundary
// allows", ...
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
func TestDenialTypes(t *testing.T) {
	tests := []struct {
		name     string
		pols     func(t *testing.T) authz.Policies
		effect   authz.Effect
		typ      authz.PolicyType
		deciding []authz.PolicyType
	}{
		{"no identity policy", func(t *testing.T) authz.Policies { return authz.Policies{} }, authz.ImplicitDeny, authz.IdentityPolicy, nil},
		{"identity allows", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3)}
		}, authz.Allowed, authz.NoPolicy, []authz.PolicyType{authz.IdentityPolicy}},
		{"explicit deny in identity", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3, denyS3)}
		}, authz.ExplicitDeny, authz.IdentityPolicy, []authz.PolicyType{authz.IdentityPolicy}},
		{"boundary does not allow", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3), Boundary: set(t, policy.Managed, allowEC2)}
		}, authz.ImplicitDeny, authz.BoundaryPolicy, nil},
		{"boundary and identity allow", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3), Boundary: set(t, policy.Managed, allowAll)}
		}, authz.Allowed, authz.NoPolicy, []authz.PolicyType{authz.IdentityPolicy, authz.BoundaryPolicy}},
		{"SCP level without allow", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3),
				SCPs: []*policy.Set{set(t, policy.SCP, allowAll), set(t, policy.SCP, allowEC2)}}
		}, authz.ImplicitDeny, authz.SCPPolicy, nil},
		{"SCP explicit deny", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3),
				SCPs: []*policy.Set{set(t, policy.SCP, allowAll, denyS3)}}
		}, authz.ExplicitDeny, authz.SCPPolicy, []authz.PolicyType{authz.SCPPolicy}},
		{"SCPs allow at every level", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3),
				SCPs: []*policy.Set{set(t, policy.SCP, allowAll), set(t, policy.SCP, allowS3)}}
		}, authz.Allowed, authz.NoPolicy, []authz.PolicyType{authz.IdentityPolicy, authz.SCPPolicy, authz.SCPPolicy}},
		{"session policy does not allow", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowS3), Session: set(t, policy.Session, allowEC2)}
		}, authz.ImplicitDeny, authz.SessionPolicy, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pols(t)
			d, err := authz.Decide(request(t, alice, "s3:GetObject", objectARN), &p)
			if err != nil {
				t.Fatal(err)
			}
			if d.Effect != tc.effect || d.Type != tc.typ {
				t.Fatalf("decision = %v by %q, want %v by %q", d.Effect, d.Type, tc.effect, tc.typ)
			}
			var got []authz.PolicyType
			for _, r := range d.Reasons() {
				got = append(got, r.Type)
			}
			if len(got) != len(tc.deciding) {
				t.Fatalf("reasons = %v, want %v", got, tc.deciding)
			}
			for i := range got {
				if got[i] != tc.deciding[i] {
					t.Fatalf("reasons = %v, want %v", got, tc.deciding)
				}
			}
		})
	}
}

func TestReasonsNameStatements(t *testing.T) {
	p := authz.Policies{Identity: set(t, policy.Identity, allowEC2, allowS3, denyS3)}
	d, err := authz.Decide(request(t, alice, "s3:GetObject", objectARN), &p)
	if err != nil {
		t.Fatal(err)
	}
	rs := d.Reasons()
	if d.Effect != authz.ExplicitDeny || len(rs) != 1 || rs[0].Sid() != "DenyS3" || rs[0].Policy.Name != "identity2" {
		t.Fatalf("decision %v reasons %+v", d.Effect, rs)
	}
}

func TestInvalidRequests(t *testing.T) {
	p := authz.Policies{Identity: set(t, policy.Identity, allowAll)}
	for _, action := range []string{"", "s3", "s3:", ":GetObject", "s3:Get*"} {
		req := request(t, alice, action, objectARN)
		d, err := authz.Decide(req, &p)
		if !errors.Is(err, authz.ErrInvalidRequest) || d.Effect == authz.Allowed {
			t.Errorf("action %q: decision %v, err %v; want an error and no allow", action, d.Effect, err)
		}
	}
	for _, principal := range []string{"", "alice", "arn:aws:iam::111122223333:group/g", "arn:aws:sts::111122223333:assumed-role/r", "arn:aws:iam:us-east-1:111122223333:user/a"} {
		if _, err := authz.ParseCaller(principal, ""); !errors.Is(err, authz.ErrInvalidRequest) {
			t.Errorf("ParseCaller(%q) = %v, want an invalid request", principal, err)
		}
	}
}

func TestPrincipalKeys(t *testing.T) {
	tests := []struct {
		principal string
		want      map[string]string
	}{
		{alice, map[string]string{"aws:PrincipalArn": alice, "aws:PrincipalAccount": "111122223333", "aws:PrincipalType": "User", "aws:username": "alice"}},
		{"arn:aws:sts::111122223333:assumed-role/Admin/s1", map[string]string{"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin", "aws:PrincipalType": "AssumedRole"}},
		{"arn:aws:iam::111122223333:root", map[string]string{"aws:PrincipalArn": "arn:aws:iam::111122223333:root", "aws:PrincipalType": "Account"}},
		{"arn:aws:sts::111122223333:federated-user/bob", map[string]string{"aws:PrincipalArn": "arn:aws:sts::111122223333:federated-user/bob", "aws:PrincipalType": "FederatedUser"}},
		{"anonymous", map[string]string{"aws:PrincipalType": "Anonymous"}},
	}
	for _, tc := range tests {
		req := request(t, tc.principal, "s3:GetObject", objectARN)
		for k, want := range tc.want {
			got, ok := req.Context.Get(k)
			if !ok || len(got) != 1 || got[0] != want {
				t.Errorf("%s: %s = %v, want %s", tc.principal, k, got, want)
			}
		}
		if tc.principal != alice && req.Context.Has("aws:username") {
			t.Errorf("%s: aws:username set", tc.principal)
		}
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	p := authz.Policies{
		Identity: set(t, policy.Identity, allowS3),
		Boundary: set(t, policy.Managed, allowAll),
		SCPs:     []*policy.Set{set(t, policy.SCP, allowAll), set(t, policy.SCP, allowS3)},
		Resource: set(t, policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}`),
	}
	req := request(t, alice, "s3:GetObject", objectARN)
	if d, _ := authz.Decide(req, &p); d.Effect != authz.Allowed {
		t.Fatalf("decision %v", d.Effect)
	}
	if n := testing.AllocsPerRun(100, func() { authz.Decide(req, &p) }); n != 0 {
		t.Errorf("Decide allocates %v times", n)
	}
}

// NotPrincipal with Deny exempts a caller only when its whole chain is
// listed: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func TestNotPrincipalChain(t *testing.T) {
	const session = "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app"
	deny := func(list ...string) string {
		q := ""
		for i, a := range list {
			if i > 0 {
				q += ","
			}
			q += `"` + a + `"`
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":[` + q + `]},"Action":"s3:*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	}
	tests := []struct {
		name, principal string
		listed          []string
		want            authz.Effect
	}{
		{"user and account listed", "arn:aws:iam::444455556666:user/Bob", []string{"arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"}, authz.Allowed},
		{"user without account", "arn:aws:iam::444455556666:user/Bob", []string{"arn:aws:iam::444455556666:user/Bob"}, authz.ExplicitDeny},
		{"other user", "arn:aws:iam::444455556666:user/Eve", []string{"arn:aws:iam::444455556666:user/Bob", "444455556666"}, authz.ExplicitDeny},
		{"session, role and account", session, []string{session, "arn:aws:iam::444455556666:role/cross-account-read-only-role", "arn:aws:iam::444455556666:root"}, authz.Allowed},
		{"session without role", session, []string{session, "arn:aws:iam::444455556666:root"}, authz.ExplicitDeny},
		{"role and account but not session", session, []string{"arn:aws:iam::444455556666:role/cross-account-read-only-role", "arn:aws:iam::444455556666:root"}, authz.ExplicitDeny},
		{"root", "arn:aws:iam::444455556666:root", []string{"444455556666"}, authz.Allowed},
		{"anonymous", "anonymous", []string{"444455556666"}, authz.ExplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := authz.Policies{Identity: set(t, policy.Identity, allowAll), Resource: set(t, policy.Resource, deny(tc.listed...))}
			req := request(t, tc.principal, "s3:GetObject", objectARN)
			req.ResourceAccount = "111122223333"
			d, err := authz.Decide(req, &p)
			if err != nil || d.Effect != tc.want {
				t.Fatalf("decision %v (%v), want %v", d.Effect, err, tc.want)
			}
		})
	}
}

// A role trust policy and a KMS key policy must allow: a denial for want
// of one names the resource-based policy, and an allow through a
// statement naming the account names both the identity-based and the
// resource-based statement.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
func TestResourcePolicyRequired(t *testing.T) {
	const (
		role     = "arn:aws:iam::111122223333:role/Target"
		key      = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		trustAcc = `{"Version":"2012-10-17","Statement":{"Sid":"TrustAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}`
		keyAcc   = `{"Version":"2012-10-17","Statement":{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}`
		keyAlice = `{"Version":"2012-10-17","Statement":{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}}`
	)
	tests := []struct {
		name, action, resource string
		pols                   func(t *testing.T) authz.Policies
		effect                 authz.Effect
		typ                    authz.PolicyType
		deciding               []authz.PolicyType
	}{
		{"admin, no trust policy", "sts:AssumeRole", role, func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowAll)}
		}, authz.ImplicitDeny, authz.ResourcePolicy, nil},
		{"trust names the account, identity allows", "sts:AssumeRole", role, func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowAll), Resource: set(t, policy.Trust, trustAcc)}
		}, authz.Allowed, authz.NoPolicy, []authz.PolicyType{authz.IdentityPolicy, authz.ResourcePolicy}},
		{"trust names the account, no identity policy", "sts:AssumeRole", role, func(t *testing.T) authz.Policies {
			return authz.Policies{Resource: set(t, policy.Trust, trustAcc)}
		}, authz.ImplicitDeny, authz.IdentityPolicy, nil},
		{"admin, key policy names another principal", "kms:Decrypt", key, func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowAll),
				Resource: set(t, policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Other"},"Action":"kms:*","Resource":"*"}}`)}
		}, authz.ImplicitDeny, authz.ResourcePolicy, nil},
		{"default key policy, identity allows", "kms:Decrypt", key, func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowAll), Resource: set(t, policy.Resource, keyAcc)}
		}, authz.Allowed, authz.NoPolicy, []authz.PolicyType{authz.IdentityPolicy, authz.ResourcePolicy}},
		{"key policy names the user", "kms:Decrypt", key, func(t *testing.T) authz.Policies {
			return authz.Policies{Resource: set(t, policy.Resource, keyAlice)}
		}, authz.Allowed, authz.NoPolicy, []authz.PolicyType{authz.ResourcePolicy}},
		{"key alias: identity alone", "kms:CreateAlias", "arn:aws:kms:us-east-1:111122223333:alias/app", func(t *testing.T) authz.Policies {
			return authz.Policies{Identity: set(t, policy.Identity, allowAll)}
		}, authz.Allowed, authz.NoPolicy, []authz.PolicyType{authz.IdentityPolicy}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pols(t)
			d, err := authz.Decide(request(t, alice, tc.action, tc.resource), &p)
			if err != nil {
				t.Fatal(err)
			}
			if d.Effect != tc.effect || d.Type != tc.typ {
				t.Fatalf("decision = %v by %q, want %v by %q", d.Effect, d.Type, tc.effect, tc.typ)
			}
			var got []authz.PolicyType
			for _, r := range d.Reasons() {
				got = append(got, r.Type)
			}
			if len(got) != len(tc.deciding) {
				t.Fatalf("reasons = %v, want %v", got, tc.deciding)
			}
			for i := range got {
				if got[i] != tc.deciding[i] {
					t.Fatalf("reasons = %v, want %v", got, tc.deciding)
				}
			}
		})
	}
}
