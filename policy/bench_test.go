package policy_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// BenchmarkParseAndCompile is the write path of a policy (CreatePolicy,
// PutUserPolicy, a principal's cache rebuilt): parse, check and compile,
// without indexing. lint.Validate, which keeps positions and runs the
// Access Analyzer checks, is measured on the same policies in package
// policy/lint (BenchmarkValidate).
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
