package lint_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/policy/lint"
)

// Every AWS managed policy passes Validate without IAM's rejection, and
// the only errors Access Analyzer's checks find on them are the kinds the
// service itself reports on AWS managed policies (zoph-io/MAMIP records
// INVALID_ACTION, INVALID_SERVICE, INVALID_SERVICE_IN_ACTION,
// INVALID_*_CONDITION_KEY and MISSING_QUALIFIER findings on them): names
// the catalog does not know, and a multivalued key without a set
// operator. Every finding is located inside the document.
func TestManagedPoliciesValidate(t *testing.T) {
	allowed := map[string]bool{
		"INVALID_ACTION": true, "INVALID_SERVICE": true, "INVALID_SERVICE_IN_ACTION": true,
		"INVALID_SERVICE_CONDITION_KEY": true, "INVALID_GLOBAL_CONDITION_KEY": true, "MISSING_QUALIFIER": true,
	}
	counts := map[string]int{}
	v := lint.New(lint.Options{Kind: policy.Identity, Partition: "aws"})
	for _, mp := range catalog.Default().ManagedPolicies() {
		_, fs := v.Validate([]byte(mp.Document))
		for _, f := range fs {
			counts[f.Code]++
			if f.Severity == lint.SeverityError && !allowed[f.Code] {
				t.Errorf("%s: %s %s", mp.Name, f.Code, f.Message)
			}
			for _, l := range f.Locations {
				if l.Span.Start.Offset > l.Span.End.Offset || l.Span.End.Offset > len(mp.Document) {
					t.Errorf("%s: %s: span %+v", mp.Name, f.Code, l.Span)
				}
			}
		}
	}
	t.Logf("findings on the AWS managed policies: %v", counts)
}
