package server_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestRouting checks how a request finds its service and operation, by
// Version and Action as AWS does before it looks at the signature, and
// which service's signing name its credential scope must then name.
// IAM is 2010-05-08; STS is 2011-06-15 and has no operations yet, so
// each of its actions is not found for that version. Routing errors come
// in AWS's fault namespace, a service's own errors in its namespace.
// The answers are AWS STS's, as recorded by Envoy's AWS credentials
// provider (an unsigned AssumeRoleWithWebIdentity "for version
// NO_VERSION_SPECIFIED", in the fault namespace) and by the Argmin
// project's STS wire oracle (missing, empty and unsupported Version, the
// first of two Actions or Versions, an empty Action); AWS records none
// of IAM's, which runs on the same front end.
func TestRouting(t *testing.T) {
	h := start(t, false)
	const (
		iamNS   = "https://iam.amazonaws.com/doc/2010-05-08/"
		faultNS = "http://webservices.amazon.com/AWSFault/2005-15-09"
	)
	tests := []struct {
		name    string
		body    string
		service string // signing name; "" leaves the request unsigned
		status  int
		ns      string
		code    string
		msg     string
	}{
		{"IAM", "Action=ListUsers&Version=2010-05-08", "iam", 200, iamNS, "", ""},
		{"no Version", "Action=ListUsers", "iam", 400, faultNS, "InvalidAction", "Could not find operation ListUsers for version NO_VERSION_SPECIFIED"},
		{"no Version, unsigned", "Action=CreateUser&UserName=x", "", 400, faultNS, "InvalidAction", "Could not find operation CreateUser for version NO_VERSION_SPECIFIED"},
		{"empty Version", "Action=ListUsers&Version=", "iam", 400, faultNS, "InvalidAction", "Could not find operation ListUsers for version "},
		{"unknown Version", "Action=ListUsers&Version=2000-01-01", "iam", 400, faultNS, "InvalidAction", "Could not find operation ListUsers for version 2000-01-01"},
		{"first Version taken", "Action=ListUsers&Version=2010-05-08&Version=2000-01-01", "iam", 200, iamNS, "", ""},
		{"first Version unknown", "Action=ListUsers&Version=2000-01-01&Version=2010-05-08", "iam", 400, faultNS, "InvalidAction", "Could not find operation ListUsers for version 2000-01-01"},
		{"first Action taken", "Action=ListUsers&Action=NoSuchAction&Version=2010-05-08", "iam", 200, iamNS, "", ""},
		{"first Action unknown", "Action=NoSuchAction&Action=ListUsers&Version=2010-05-08", "iam", 400, faultNS, "InvalidAction", "Could not find operation NoSuchAction for version 2010-05-08"},
		{"empty Action", "Action=&Version=2010-05-08", "iam", 400, faultNS, "InvalidAction", "Could not find operation  for version 2010-05-08"},
		{"IAM action at STS's version", "Action=ListUsers&Version=2011-06-15", "iam", 400, faultNS, "InvalidAction", "Could not find operation ListUsers for version 2011-06-15"},
		{"STS action", "Action=GetCallerIdentity&Version=2011-06-15", "sts", 400, faultNS, "InvalidAction", "Could not find operation GetCallerIdentity for version 2011-06-15"},
		{"STS action, unsigned", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::111122223333:role/r", "", 400, faultNS, "InvalidAction", "Could not find operation AssumeRoleWithWebIdentity for version 2011-06-15"},
		{"STS action at IAM's version", "Action=GetCallerIdentity&Version=2010-05-08", "sts", 400, faultNS, "InvalidAction", "Could not find operation GetCallerIdentity for version 2010-05-08"},
		{"IAM, unsigned", "Action=ListUsers&Version=2010-05-08", "", 403, iamNS, "MissingAuthenticationToken", "Request is missing Authentication Token"},
		{"IAM, signed for STS", "Action=ListUsers&Version=2010-05-08", "sts", 403, iamNS, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, h.URL+"/", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			if tc.service != "" {
				if err := v4.NewSigner().SignHTTP(context.Background(), h.adminKey, r, sha256Hex([]byte(tc.body)), tc.service, "us-east-1", time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			status, data := send(t, http.DefaultClient, r)
			var doc struct {
				XMLName xml.Name
				Error   struct{ Code, Message string }
			}
			if err := xml.Unmarshal(data, &doc); err != nil {
				t.Fatalf("%s: %v", data, err)
			}
			if status != tc.status || doc.XMLName.Space != tc.ns || doc.Error.Code != tc.code || doc.Error.Message != tc.msg {
				t.Fatalf("got %d %s %s %q\nwant %d %s %s %q", status, doc.XMLName.Space, doc.Error.Code, doc.Error.Message, tc.status, tc.ns, tc.code, tc.msg)
			}
		})
	}
}
