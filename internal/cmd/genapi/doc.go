// Command genapi generates a Go package for an AWS Query protocol service
// (IAM, STS) from its botocore model: the input, output and structure
// types, the exception types with their codes and HTTP statuses, the
// form decoder with the model's constraints checked in AWS's words, the
// XML encoder, and the table of operation handlers.
//
//	go run ./internal/cmd/genapi -model DIR -pkg NAME -out DIR
package main
