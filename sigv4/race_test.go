//go:build race

package sigv4_test

// raceEnabled: under the race detector sync.Pool drops a quarter of its
// Puts at random, so a pooled buffer is sometimes allocated again.
const raceEnabled = true
