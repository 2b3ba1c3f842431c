package bench_test

import (
	"strconv"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/bench"
	"github.com/gatehouse/gatehouse/policy"
)

// prepared is a scenario compiled as a server holds it: the principal's
// policies in one Set, the request built once.
type prepared struct {
	req  authz.Request
	pols authz.Policies
}

func prepare(tb testing.TB, sc bench.Scenario) *prepared {
	tb.Helper()
	var pols []*policy.Policy
	for i, doc := range sc.Policies {
		p, err := policy.ParseAndCompile([]byte(doc), policy.Managed, "p"+strconv.Itoa(i))
		if err != nil {
			tb.Fatalf("%s: policy %d: %v", sc.Name, i, err)
		}
		pols = append(pols, p)
	}
	caller, err := authz.ParseCaller(bench.Principal, "")
	if err != nil {
		tb.Fatal(err)
	}
	ctx := &policy.Context{}
	for k, v := range sc.Context {
		ctx.Set(k, v)
	}
	authz.SetPrincipalKeys(&caller, ctx)
	return &prepared{
		req:  authz.Request{Caller: caller, Action: sc.Action, Resource: sc.Resource, Context: ctx},
		pols: authz.Policies{Identity: policy.NewSet(pols...)},
	}
}

func (p *prepared) decide(tb testing.TB) authz.Decision {
	d, err := authz.Decide(&p.req, &p.pols)
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
			if got := p.decide(t).Effect.String(); got != sc.Expect {
				t.Fatalf("decision = %s, want %s", got, sc.Expect)
			}
			if n := testing.AllocsPerRun(100, func() { p.decide(t) }); n != 0 {
				t.Errorf("decision allocates %v times, want 0", n)
			}
		})
	}
}

func BenchmarkScenario(b *testing.B) {
	for _, sc := range bench.Scenarios() {
		b.Run(sc.Name, func(b *testing.B) {
			p := prepare(b, sc)
			if got := p.decide(b).Effect.String(); got != sc.Expect {
				b.Fatalf("decision = %s, want %s", got, sc.Expect)
			}
			b.ReportAllocs()
			for b.Loop() {
				authz.Decide(&p.req, &p.pols)
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
