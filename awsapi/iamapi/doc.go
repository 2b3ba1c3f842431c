// Package iamapi is the IAM API (2010-05-08) on the wire: the input,
// output and structure types, the exception types, the Query decoder
// with the model's constraints, the XML encoder and the operation
// handlers, all generated from the botocore model by internal/cmd/genapi;
// and what authorizing the operations needs (zz_actions.go), from the
// Service Authorization Reference in package catalog: the Action of
// each operation (ActionCreateUser is "iam:CreateUser"), the resource
// types with their ARN formats, and an ARN builder per resource type
// (UserARN).
package iamapi

//go:generate go run ../../internal/cmd/genapi -model ../models/iam/2010-05-08 -pkg iamapi -out .
