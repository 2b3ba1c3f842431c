// Package iamapi is the IAM API (2010-05-08) on the wire: the input,
// output and structure types, the exception types, the Query decoder
// with the model's constraints, the XML encoder and the operation
// handlers, all generated from the botocore model by internal/cmd/genapi.
package iamapi

//go:generate go run ../../internal/cmd/genapi -model ../models/iam/2010-05-08 -pkg iamapi -out .
