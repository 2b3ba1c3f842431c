// Package stsapi is the STS API (2011-06-15) on the wire, generated from
// the botocore model by internal/cmd/genapi like package iamapi.
package stsapi

//go:generate go run ../../internal/cmd/genapi -model ../models/sts/2011-06-15 -pkg stsapi -out .
