// Package e2e holds the end-to-end tests that build the gatehouse binary,
// start `gatehouse serve` on a loopback port with a real SQLite file, and
// drive it with the aws CLI, boto3 and aws-sdk-go-v2, including a kill -9
// in the middle of writes. It has no code of its own.
package e2e
