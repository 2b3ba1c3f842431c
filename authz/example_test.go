package authz_test

import (
	"fmt"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policy"
)

// A user's identity policy allows S3 reads only with MFA; a permissions
// boundary caps the user to S3; a bucket policy denies non-TLS access.
func Example() {
	identity := policy.MustCompile(`{"Version":"2012-10-17","Statement":[{"Sid":"ReadWithMFA","Effect":"Allow",
		"Action":["s3:GetObject","s3:ListBucket"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Sid":"Admin","Effect":"Allow","Action":"iam:*","Resource":"*"}]}`, policy.Managed, "alice-policy")
	boundary := policy.MustCompile(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		policy.Managed, "s3-only-boundary")
	bucket := policy.MustCompile(`{"Version":"2012-10-17","Statement":{"Sid":"TLSOnly","Effect":"Deny","Principal":"*",
		"Action":"s3:*","Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"],
		"Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`, policy.Resource, "reports-bucket-policy")
	pols := &authz.Policies{
		Identity: policy.NewSet(identity),
		Boundary: policy.NewSet(boundary),
		Resource: policy.NewSet(bucket),
	}
	caller, err := authz.ParseCaller("arn:aws:iam::111122223333:user/alice", "")
	if err != nil {
		panic(err)
	}
	decide := func(action, resource string, ctx map[string][]string) {
		c := policy.NewContext(ctx)
		authz.SetPrincipalKeys(&caller, c)
		d, err := authz.Decide(&authz.Request{Caller: caller, Action: action, Resource: resource, Context: c}, pols)
		if err != nil {
			panic(err)
		}
		fmt.Print(action, ": ", d.Effect)
		if d.Effect != authz.Allowed {
			fmt.Print(" (", d.Type, ")")
		}
		for _, r := range d.Reasons() {
			fmt.Print(" [", r.Type, " ", r.Policy.Name, " ", r.Sid(), "]")
		}
		fmt.Println()
	}
	decide("s3:GetObject", "arn:aws:s3:::reports/q1.csv", map[string][]string{"aws:MultiFactorAuthPresent": {"true"}, "aws:SecureTransport": {"true"}})
	decide("s3:GetObject", "arn:aws:s3:::reports/q1.csv", map[string][]string{"aws:MultiFactorAuthPresent": {"false"}, "aws:SecureTransport": {"true"}})
	decide("s3:GetObject", "arn:aws:s3:::reports/q1.csv", map[string][]string{"aws:MultiFactorAuthPresent": {"true"}, "aws:SecureTransport": {"false"}})
	decide("iam:CreateUser", "arn:aws:iam::111122223333:user/bob", nil)
	// Output:
	// s3:GetObject: Allowed [identity-based policy alice-policy ReadWithMFA] [permissions boundary s3-only-boundary ]
	// s3:GetObject: ImplicitDeny (identity-based policy)
	// s3:GetObject: ExplicitDeny (resource-based policy) [resource-based policy reports-bucket-policy TLSOnly]
	// iam:CreateUser: ImplicitDeny (permissions boundary)
}
