package iamapi_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/awsapi/internal/querytest"
)

// TestMemberPaths: the decoder knows every member path of every input
// of the model, as the aws CLI sends them, and refuses the keys beside
// them as UnknownParameter.
func TestMemberPaths(t *testing.T) {
	querytest.CheckMembers(t, "../models/iam/2010-05-08/service-2.json", iamapi.DecodeInput)
}

// FuzzDecodeInput fuzzes the Query decoder of every operation from the
// requests the aws CLI sends (testdata/cli-requests.txt).
// Run: go test ./awsapi/iamapi -run '^$' -fuzz FuzzDecodeInput
func FuzzDecodeInput(f *testing.F) {
	querytest.Fuzz(f, "testdata/cli-requests.txt", iamapi.DecodeInput)
}

// BenchmarkDecodeInput: decoding costs time linear in the request, even
// for lists in lists (50 delegation parameters of 1,000 values each) and
// for a list over its model's length, which is not built (before, 1,000
// parameters of 100 values took 26 s).
// Run: go test ./awsapi/iamapi -run '^$' -bench DecodeInput -benchmem
func BenchmarkDecodeInput(b *testing.B) {
	nested := func(members, values int) url.Values {
		f := url.Values{"Action": {"CreateDelegationRequest"}, "Version": {"2010-05-08"}}
		for i := 1; i <= members; i++ {
			for j := 1; j <= values; j++ {
				f["Permissions.Parameters.member."+strconv.Itoa(i)+".Values.member."+strconv.Itoa(j)] = []string{"v"}
			}
		}
		return f
	}
	for _, bc := range []struct {
		name string
		form url.Values
	}{
		{"CreateUser", url.Values{"Action": {"CreateUser"}, "Version": {"2010-05-08"}, "UserName": {"bob"}, "Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"blue"}}},
		{"NestedLists50x1000", nested(50, 1000)},
		{"NestedListsOverMax1000x100", nested(1000, 100)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				iamapi.DecodeInput(bc.form.Get("Action"), bc.form)
			}
		})
	}
}
