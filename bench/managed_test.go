package bench_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// BenchmarkManaged measures real AWS managed policies: compiling and
// indexing one (as a server does when a principal's policies change), and
// a decision against a principal holding several.
func BenchmarkManaged(b *testing.B) {
	cat := catalog.Default()
	names := []string{"ReadOnlyAccess", "AmazonS3FullAccess", "AmazonEC2FullAccess", "IAMUserChangePassword", "SecurityAudit"}
	for _, name := range []string{"ReadOnlyAccess", "SecurityAudit", "AmazonS3ReadOnlyAccess"} {
		doc := []byte(cat.ManagedPolicy(name).Document)
		b.Run("Compile_"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := policy.ParseAndCompile(doc, policy.Identity, name)
				if err != nil {
					b.Fatal(err)
				}
				policy.NewSet(p)
			}
		})
	}
	var pols []*policy.Policy
	for _, n := range names {
		p, err := policy.ParseAndCompile([]byte(cat.ManagedPolicy(n).Document), policy.Identity, n)
		if err != nil {
			b.Fatal(err)
		}
		pols = append(pols, p)
	}
	set := policy.NewSet(pols...)
	for _, tc := range []struct{ name, action, resource, want string }{
		{"Decide_Allow", "ec2:DescribeInstances", "*", "Allowed"},
		{"Decide_ImplicitDeny", "iam:CreateUser", "arn:aws:iam::111122223333:user/bob", "ImplicitDeny"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			caller, _ := authz.ParseCaller("arn:aws:iam::111122223333:user/alice", "")
			ctx := &policy.Context{}
			authz.SetPrincipalKeys(&caller, ctx)
			req := &authz.Request{Caller: caller, Action: tc.action, Resource: tc.resource, Context: ctx}
			p := &authz.Policies{Identity: set}
			if d, _ := authz.Decide(req, p); d.Effect.String() != tc.want {
				b.Fatalf("decision %v, want %s", d.Effect, tc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				authz.Decide(req, p)
			}
		})
	}
}
