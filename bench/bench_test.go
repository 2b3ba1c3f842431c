package bench_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/bench"
	"github.com/gatehouse/gatehouse/policy"
)

func prepare(tb testing.TB, sc bench.Scenario) *bench.Prepared {
	tb.Helper()
	p, err := bench.Prepare(sc)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func decide(tb testing.TB, p *bench.Prepared) authz.Decision {
	d, err := p.Decide()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestScenarios checks every scenario's decision and that a decision
// allocates nothing.
func TestScenarios(t *testing.T) {
	for _, sc := range bench.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			p := prepare(t, sc)
			if got := decide(t, p).Effect.String(); got != sc.Expect {
				t.Fatalf("decision = %s, want %s", got, sc.Expect)
			}
			if n := testing.AllocsPerRun(100, func() { decide(t, p) }); n != 0 {
				t.Errorf("decision allocates %v times, want 0", n)
			}
		})
	}
}

func BenchmarkScenario(b *testing.B) {
	for _, sc := range bench.Scenarios() {
		b.Run(sc.Name, func(b *testing.B) {
			p := prepare(b, sc)
			if got := decide(b, p).Effect.String(); got != sc.Expect {
				b.Fatalf("decision = %s, want %s", got, sc.Expect)
			}
			b.ReportAllocs()
			for b.Loop() {
				authz.Decide(&p.Request, &p.Policies)
			}
		})
	}
	b.Run("Compile_POLICY10", func(b *testing.B) {
		doc := []byte(bench.Policy10(7))
		b.ReportAllocs()
		for b.Loop() {
			p, err := policy.ParseAndCompile(doc, policy.Managed, "p7")
			if err != nil {
				b.Fatal(err)
			}
			policy.NewSet(p)
		}
	})
}
