package peers_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/bench"
	"github.com/gatehouse/gatehouse/bench/peers"
)

// TestPeers checks that every engine decides every scenario as expected
// (ImplicitDeny and ExplicitDeny both being "not allowed" for peers).
func TestPeers(t *testing.T) {
	for _, sc := range bench.Scenarios() {
		for _, e := range peers.Engines {
			t.Run(e.Name+"/"+sc.Name, func(t *testing.T) {
				eng, err := e.New(sc)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := eng.Allowed(), sc.Expect == "Allowed"; got != want {
					t.Fatalf("allowed = %v, want %v", got, want)
				}
			})
		}
	}
}

func BenchmarkScenario(b *testing.B) {
	for _, e := range peers.Engines {
		for _, sc := range bench.Scenarios() {
			b.Run(e.Name+"/"+sc.Name, func(b *testing.B) {
				eng, err := e.New(sc)
				if err != nil {
					b.Fatal(err)
				}
				if got, want := eng.Allowed(), sc.Expect == "Allowed"; got != want {
					b.Fatalf("allowed = %v, want %v", got, want)
				}
				b.ReportAllocs()
				for b.Loop() {
					eng.Allowed()
				}
			})
		}
	}
}
