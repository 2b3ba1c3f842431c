// Command loadgen measures signed IAM requests on loopback: GetUser and
// ListUsers against a Gatehouse binary it starts with a fresh data
// directory and, when -moto is set, against moto's server started the
// same way, in the same run. It prints requests per second and client-side
// p50/p99 latency per target and operation.
//
//	go build -o /tmp/gatehouse ./cmd/gatehouse
//	go run ./internal/cmd/loadgen -gatehouse /tmp/gatehouse -moto -c 16 -d 10s
package main
