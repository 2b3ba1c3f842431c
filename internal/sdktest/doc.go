// Package sdktest holds what tests need to drive Gatehouse with
// aws-sdk-go-v2 on loopback reliably. It is imported only by tests.
package sdktest
