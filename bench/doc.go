// Package bench holds the decision benchmark scenarios of
// shared/spec/bench-scenarios.md, built exactly as written there, so the
// engine's speed can be compared with other engines on the same inputs.
// The benchmarks are in this package's tests:
//
//	go test ./bench -run '^$' -bench 'BenchmarkScenario' -benchmem -cpu 1 -count 10
//
// The module bench/peers runs the same scenarios on other engines
// (cd bench/peers && taskset -c 0 go run ./cmd/compare -count 10).
package bench
