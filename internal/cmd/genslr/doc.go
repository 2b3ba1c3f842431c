// Command genslr generates iam's table of service-linked roles from the
// data kept with it, iam/servicelinkedroles.json: one entry per service
// principal with its role name, the AWS managed policies attached, whether
// a custom suffix is accepted, the AWS page it comes from and the sources
// that confirm it (the file's "about" and "sourceKinds" say how it was
// built).
//
// It is run by go generate in package iam:
//
//	go run ../internal/cmd/genslr -data servicelinkedroles.json -out servicelinkedroles_gen.go
//
// Before it writes anything it checks every entry and stops at the first
// file with errors, naming each: the service principal has the form of an
// AWS service principal (<name>.amazonaws.com, at most 128 characters,
// AWSServiceName's limit) and is listed once; the role name starts with
// AWSServiceRoleFor, uses only the characters of role names, is unique and
// fits IAM's 64 characters (with room for "_" and a one-character suffix
// where a suffix is accepted); the role's path fits 512; every policy is
// an AWS managed policy of package catalog, named by its exact ARN; doc is
// an AWS documentation page; sources are known kinds, and an entry
// confirmed by no page cites its policy's page in the AWS Managed Policy
// Reference. Entries are sorted by service principal.
//
// The output depends only on the data and the catalog, so go generate
// leaves the tree unchanged when neither changed.
package main
