// Command compare runs the decision scenarios on Gatehouse, cedar-go and
// MinIO's policy package and prints a markdown table of ns/op and ratios.
//
//	cd bench/peers && taskset -c 0 go run ./cmd/compare
package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/bench"
	"github.com/gatehouse/gatehouse/bench/peers"
)

func main() {
	fmt.Println("| scenario | Gatehouse ns/op (allocs) | cedar-go ns/op (allocs) | cedar-go ÷ Gatehouse | MinIO ns/op (allocs) | MinIO ÷ Gatehouse |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, sc := range bench.Scenarios() {
		var ns [3]float64
		var allocs [3]int64
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
			r := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					eng.Allowed()
				}
			})
			ns[i] = float64(r.T.Nanoseconds()) / float64(r.N)
			allocs[i] = r.AllocsPerOp()
		}
		fmt.Printf("| %s | %.0f (%d) | %.0f (%d) | %.1f× | %.0f (%d) | %.1f× |\n", sc.Name,
			ns[0], allocs[0], ns[1], allocs[1], ns[1]/ns[0], ns[2], allocs[2], ns[2]/ns[0])
	}
}
