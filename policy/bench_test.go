package policy_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// BenchmarkParseAndCompile is the write path of a policy (CreatePolicy,
// PutUserPolicy, a principal's cache rebuilt): parse, check and compile,
// without indexing. Validate, which keeps positions and runs the Access
// Analyzer checks, is measured beside it.
func BenchmarkParseAndCompile(b *testing.B) {
	cat := catalog.Default()
	for _, name := range []string{"ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "IAMUserChangePassword"} {
		doc := []byte(cat.ManagedPolicy(name).Document)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := policy.ParseAndCompile(doc, policy.Identity, name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidate is `gatehouse policy validate` on the same policies:
// positions, IAM's verdict and the Access Analyzer checks.
func BenchmarkValidate(b *testing.B) {
	cat := catalog.Default()
	v := policy.NewValidator(policy.ValidateOptions{Kind: policy.Identity})
	for _, name := range []string{"ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "IAMUserChangePassword"} {
		doc := []byte(cat.ManagedPolicy(name).Document)
		v.Validate(doc) // reads the catalog's ARN formats once
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v.Validate(doc)
			}
		})
	}
}
