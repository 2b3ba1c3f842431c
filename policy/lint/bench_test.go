package lint_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/policy/lint"
)

// BenchmarkValidate is `gatehouse policy validate` on the policies of
// policy's BenchmarkParseAndCompile: the tree with positions, IAM's
// verdict and the Access Analyzer checks.
func BenchmarkValidate(b *testing.B) {
	cat := catalog.Default()
	v := lint.New(lint.Options{Kind: policy.Identity})
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
