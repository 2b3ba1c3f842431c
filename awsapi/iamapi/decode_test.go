package iamapi_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/awsapi/internal/querytest"
)

// TestMemberPaths: the decoder knows every member path of every input
// of the model, as the aws CLI sends them, and refuses the keys beside
// them as UnknownParameter.
func TestMemberPaths(t *testing.T) {
	querytest.CheckMembers(t, "../../../shared/data/models/iam/2010-05-08/service-2.json", iamapi.DecodeInput)
}

// FuzzDecodeInput fuzzes the Query decoder of every operation from the
// requests the aws CLI sends (testdata/cli-requests.txt).
// Run: go test ./awsapi/iamapi -run '^$' -fuzz FuzzDecodeInput
func FuzzDecodeInput(f *testing.F) {
	querytest.Fuzz(f, "testdata/cli-requests.txt", iamapi.DecodeInput)
}
