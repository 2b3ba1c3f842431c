// Package querytest checks a generated Query decoder (the DecodeInput of
// awsapi/iamapi, awsapi/stsapi) against its botocore model and fuzzes it
// from the requests the aws CLI sends (testdata/cli-requests.txt, written
// by clirequests.py). It is imported only by tests.
package querytest
