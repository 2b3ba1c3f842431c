// Command compare runs the decision scenarios on Gatehouse, cedar-go and
// MinIO's policy package and prints a markdown table of ns/op and ratios.
// With -count N each engine is timed N times per scenario, the engines
// taking turns, and the table gives the median of the N figures (and
// the ratios of the medians), so that a busy machine slows all engines
// alike and one slow run does not decide a row.
//
//	cd bench/peers && taskset -c 0 go run ./cmd/compare -count 10
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/bench"
	"github.com/gatehouse/gatehouse/bench/peers"
)

func main() {
	count := flag.Int("count", 1, "times each engine is timed per scenario; the table shows the median")
	flag.Parse()
	if *count < 1 {
		fmt.Fprintln(os.Stderr, "compare: -count must be at least 1")
		os.Exit(2)
	}
	fmt.Println("| scenario | Gatehouse ns/op (allocs) | cedar-go ns/op (allocs) | cedar-go ÷ Gatehouse | MinIO ns/op (allocs) | MinIO ÷ Gatehouse |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, sc := range bench.Scenarios() {
		engines := make([]peers.Engine, len(peers.Engines))
		for i, e := range peers.Engines {
			eng, err := e.New(sc)
			if err != nil {
				fmt.Fprintln(os.Stderr, e.Name, sc.Name, err)
				os.Exit(1)
			}
			if got, want := eng.Allowed(), sc.Expect == "Allowed"; got != want {
				fmt.Fprintf(os.Stderr, "%s %s: allowed = %v, want %v\n", e.Name, sc.Name, got, want)
				os.Exit(1)
			}
			engines[i] = eng
		}
		ns := make([][]float64, len(engines))
		allocs := make([]int64, len(engines))
		for range *count {
			for i, eng := range engines {
				r := testing.Benchmark(func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						eng.Allowed()
					}
				})
				ns[i] = append(ns[i], float64(r.T.Nanoseconds())/float64(r.N))
				allocs[i] = max(allocs[i], r.AllocsPerOp())
			}
		}
		m := make([]float64, len(ns))
		for i := range ns {
			m[i] = median(ns[i])
		}
		fmt.Printf("| %s | %.0f (%d) | %.0f (%d) | %.1f× | %.0f (%d) | %.1f× |\n", sc.Name,
			m[0], allocs[0], m[1], allocs[1], m[1]/m[0], m[2], allocs[2], m[2]/m[0])
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
