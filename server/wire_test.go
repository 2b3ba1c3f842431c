package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
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
	const pattern = `' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`
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
			_, err := a.GetUser(context.Background(), &awsiam.GetUserInput{UserName: aws.String(tc.in)})
			wantError(t, err, "ValidationError", "1 validation error detected: Value '"+tc.echoed+pattern)
		})
	}
}
