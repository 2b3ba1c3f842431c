package stsapi_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/internal/querytest"
	"github.com/gatehouse/gatehouse/awsapi/stsapi"
)

// TestMemberPaths: the decoder knows every member path of every input
// of the model, as the aws CLI sends them, and refuses the keys beside
// them as UnknownParameter.
func TestMemberPaths(t *testing.T) {
	querytest.CheckMembers(t, "../models/sts/2011-06-15/service-2.json", stsapi.DecodeInput)
}

// FuzzDecodeInput fuzzes the Query decoder of every operation from the
// requests the aws CLI sends (testdata/cli-requests.txt).
// Run: go test ./awsapi/stsapi -run '^$' -fuzz FuzzDecodeInput
func FuzzDecodeInput(f *testing.F) {
	querytest.Fuzz(f, "testdata/cli-requests.txt", stsapi.DecodeInput)
}
