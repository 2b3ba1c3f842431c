package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/sigv4"
)

// TestErrorsWellFormed: an error that echoes hostile input is still
// well-formed XML 1.0, so the SDK parses it and reports AWS's code: the
// characters XML cannot carry (NUL and the other control characters,
// U+FFFE, bytes that are not UTF-8 such as an encoded lone surrogate)
// come back as U+FFFD, one each; DEL is an XML character and comes back
// as itself. (The writer's own tests and fuzz targets in awsapi cite
// the XML 1.0 rule and why character references are no way out.)
func TestErrorsWellFormed(t *testing.T) {
	h := start(t, false)
	a := h.admin()
	// GroupName's pattern is answered in the model's words, which echo
	// the value (a user name's is answered in IAM's own, which do not).
	const pattern = `' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`
	for _, tc := range []struct{ name, in, echoed string }{
		{"NUL", "a\x00b", "a\uFFFDb"},
		{"SOH", "a\x01b", "a\uFFFDb"},
		{"DEL", "a\x7fb", "a\x7fb"},
		{"encoded lone surrogate", "a\xed\xa0\x80b", "a\uFFFD\uFFFD\uFFFDb"},
		{"invalid UTF-8", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"U+FFFE", "a\uFFFEb", "a\uFFFDb"},
		{"markup", "a<b>&c", "a<b>&c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.GetGroup(context.Background(), &awsiam.GetGroupInput{GroupName: aws.String(tc.in)})
			wantError(t, err, "ValidationError", "1 validation error detected: Value '"+tc.echoed+pattern)
		})
	}
}

// TestUnknownParameters: a parameter the operation does not have is
// refused with AWS's Query answer, UnknownParameter "The parameter X is
// not recognized", 400 (as EC2 answers it, recorded in
// https://github.com/appoxy/aws/issues/32; IAM's own answer is not
// recorded, and ignoring it would silently drop what the caller asked
// for). Every member path of the input is known — list members
// Name.member.N[.Field] with N from 1 to 1000, an empty list as Name=
// — and so are the common parameters: Action, Version, the SigV4
// presigned-URL parameters and those of the older signature forms.
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonParameters.html
func TestUnknownParameters(t *testing.T) {
	h := start(t, false)
	const v = "&Version=2010-05-08"
	unknown := func(name string) string {
		return "<Type>Sender</Type><Code>UnknownParameter</Code><Message>The parameter " + name + " is not recognized</Message>"
	}
	for _, tc := range []struct{ name, form, want string }{
		{"extra parameter", "Action=GetUser" + v + "&Foo=bar", unknown("Foo")},
		{"misspelled", "Action=GetUser" + v + "&UserNam=admin", unknown("UserNam")},
		{"names are case-sensitive", "Action=GetUser" + v + "&username=admin", unknown("username")},
		{"another operation's parameter", "Action=ListUsers" + v + "&UserName=admin", unknown("UserName")},
		{"an operation without input", "Action=GetAccountSummary" + v + "&Marker=x", unknown("Marker")},
		{"checked before the required members", "Action=CreateUser" + v + "&Foo=1", unknown("Foo")},
		{"the first in byte order", "Action=GetUser" + v + "&Zed=1&Alpha=2&Mid=3", unknown("Alpha")},
		{"a scalar has no members", "Action=GetUser" + v + "&UserName.member.1=admin", unknown("UserName.member.1")},
		{"a structure's unknown field", "Action=CreateUser" + v + "&UserName=u1&Tags.member.1.Kee=k", unknown("Tags.member.1.Kee")},
		{"a structure list member without field", "Action=CreateUser" + v + "&UserName=u1&Tags.member.1=k", unknown("Tags.member.1")},
		{"index 0", "Action=CreateUser" + v + "&UserName=u1&Tags.member.0.Key=k", unknown("Tags.member.0.Key")},
		{"leading zero", "Action=CreateUser" + v + "&UserName=u1&Tags.member.01.Key=k", unknown("Tags.member.01.Key")},
		{"signed index", "Action=CreateUser" + v + "&UserName=u1&Tags.member.%2B1.Key=k", unknown("Tags.member.+1.Key")},
		{"index over 1000", "Action=CreateUser" + v + "&UserName=u1&Tags.member.1001.Key=k", unknown("Tags.member.1001.Key")},
		{"map form for a list", "Action=CreateUser" + v + "&UserName=u1&Tags.entry.1.key=k", unknown("Tags.entry.1.key")},
		{"list of strings", "Action=CreateOpenIDConnectProvider" + v + "&Url=https%3A%2F%2Fexample.com&ClientIDList.member.1.Value=x", unknown("ClientIDList.member.1.Value")},
		{"hostile key", "Action=GetUser" + v + "&Bad%00Key%FF=1", unknown("Bad\uFFFDKey\uFFFD")},
		{"SigV2 parameters are common", "Action=GetUser" + v + "&AWSAccessKeyId=AKIDEXAMPLE&SignatureVersion=2&SignatureMethod=HmacSHA256&Timestamp=2026-01-01T00%3A00%3A00Z&SecurityToken=x", "<GetUserResponse"},
		{"list members and their fields", "Action=CreateUser" + v + "&UserName=u2&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=2", "<CreateUserResponse"},
		{"an empty list", "Action=CreateUser" + v + "&UserName=u3&Tags=", "<CreateUserResponse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.signedPost(tc.form)
			wantStatus := 400
			if strings.HasPrefix(tc.want, "<") && !strings.HasPrefix(tc.want, "<Type>") {
				wantStatus = 200
			}
			if status != wantStatus || !strings.Contains(body, tc.want) {
				t.Fatalf("%s: %d %s\nwant %s", tc.form, status, body, tc.want)
			}
		})
	}
	t.Run("presigned URL parameters are common", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, h.URL+"/?Action=GetUser&Version=2010-05-08", nil)
		sigv4.Presign(req, h.adminSigning(), "us-east-1", "iam", time.Now(), time.Minute)
		status, body := send(t, http.DefaultClient, req)
		if status != 200 || !strings.Contains(req.URL.RawQuery, "X-Amz-Expires") {
			t.Fatalf("presigned GetUser: %d %s", status, body)
		}
	})
}
