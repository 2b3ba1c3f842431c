// Package bench holds the decision benchmark scenarios of
// shared/spec/bench-scenarios.md, built exactly as written there, so the
// engine's speed can be compared with other engines on the same inputs.
// The benchmarks are in this package's tests:
//
//	go test ./bench -run '^$' -bench 'BenchmarkScenario' -benchmem
//
// The module bench/peers runs the same scenarios on other engines.
package bench
