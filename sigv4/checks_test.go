package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse/gatehouse/sigv4"
)

const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// sdkSigned returns a POST of body signed by aws-sdk-go-v2 at at for
// service and region; header adds headers before signing.
func sdkSigned(t *testing.T, body, service, region string, at time.Time, header http.Header) *http.Request {
	t.Helper()
	r := newRequest(body)
	for k, vs := range header {
		r.Header[k] = vs
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, sha256Hex(body), service, region, at); err != nil {
		t.Fatal(err)
	}
	return r
}

// sdkPresigned returns a GET presigned by aws-sdk-go-v2 at at with the
// empty body's payload hash, as boto3 and the SDKs presign for IAM; expires
// ("" for none, as PresignHTTP leaves it out) is set before signing.
func sdkPresigned(t *testing.T, query url.Values, service, region, expires string, at time.Time) *http.Request {
	t.Helper()
	if expires != "" {
		query.Set("X-Amz-Expires", expires)
	}
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:7700/?"+query.Encode(), nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, sha256Hex(""), service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := http.NewRequest(http.MethodGet, u, nil)
	return p
}

func listUsers() url.Values { return url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}} }

// sigError returns err as a *sigv4.Error, or nil.
func sigError(err error) *sigv4.Error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return se
	}
	return nil
}

// wantSigErr checks err's code, message and status.
func wantSigErr(t *testing.T, err error, code, msg string, status int) {
	t.Helper()
	se := sigError(err)
	if se == nil {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if se.Code != code || se.Message != msg || se.Status != status {
		t.Fatalf("err = %s %q (%d)\nwant  %s %q (%d)", se.Code, se.Message, se.Status, code, msg, status)
	}
}

// TestChecks alters signed requests one check at a time, each next to its
// control, and expects AWS's code, message and status.
// Ordering and texts: https://github.com/dacut/scratchstack-aws-signature/blob/main/docs/AWS%20Auth%20Error%20Ordering.pdf
// and responses recorded from AWS, cited per case.
func TestChecks(t *testing.T) {
	v := sigv4.NewVerifier()
	other := "Action=CreateUser&UserName=mallory&Version=2010-05-08"
	tests := []struct {
		name      string
		request   func(t *testing.T) (*http.Request, string) // the request and the body it arrives with
		at        time.Time                                  // the verifier's clock; zero: now
		code, msg string                                     // "" for success
		status    int
	}{
		// A non-S3 service hashes the body it receives: a signed
		// X-Amz-Content-Sha256 does not let the body change.
		{"content-sha256 control", func(t *testing.T) (*http.Request, string) {
			return sdkSigned(t, body, "iam", "us-east-1", now, http.Header{"X-Amz-Content-Sha256": {sha256Hex(body)}}), body
		}, time.Time{}, "", "", 0},
		{"body swapped under a signed content-sha256", func(t *testing.T) (*http.Request, string) {
			return sdkSigned(t, body, "iam", "us-east-1", now, http.Header{"X-Amz-Content-Sha256": {sha256Hex(body)}}), other
		}, time.Time{}, "SignatureDoesNotMatch", mismatch, 403},
		{"content-sha256 of another body, signed", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, other, "iam", "us-east-1", now, http.Header{"X-Amz-Content-Sha256": {sha256Hex(body)}})
			return r, other
		}, time.Time{}, "SignatureDoesNotMatch", mismatch, 403},
		{"content-sha256 of another body, unsigned", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header.Set("X-Amz-Content-Sha256", sha256Hex(other))
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", mismatch, 403},
		{"content-sha256 twice", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header["X-Amz-Content-Sha256"] = []string{sha256Hex(body), sha256Hex(body)}
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", mismatch, 403},
		{"UNSIGNED-PAYLOAD is S3's", func(t *testing.T) (*http.Request, string) {
			r := newRequest(body)
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "iam", "us-east-1", now); err != nil {
				t.Fatal(err)
			}
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", mismatch, 403},

		// The scope names the service and a well-formed region.
		// "Credential should be scoped to correct service: 'batch'. "
		// https://github.com/cllunsford/aws-signing-proxy/issues/25
		// "Credential should be scoped to a valid region, not 'eu-west-1'. " (Route 53), "... not ''. " (STS)
		// https://hadoop.apache.org/docs/current3/hadoop-aws/tools/hadoop-aws/assumed_roles.html
		{"scoped to s3", signedFor("s3", "us-east-1"), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. ", 403},
		{"scoped to sts", signedFor("sts", "us-east-1"), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. ", 403},
		{"scoped to *", signedFor("*", "us-east-1"), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. ", 403},
		{"scoped to no service", signedFor("", "us-east-1"), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. ", 403},
		{"region not-a-region", signedFor("iam", "not-a-region"), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'not-a-region'. ", 403},
		{"region US-EAST-1", signedFor("iam", "US-EAST-1"), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'US-EAST-1'. ", 403},
		{"no region", signedFor("iam", ""), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not ''. ", 403},
		{"region and service", signedFor("ec2", "us_east_1"), time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'us_east_1'. Credential should be scoped to correct service: 'iam'. ", 403},
		{"eu-west-1", signedFor("iam", "eu-west-1"), time.Time{}, "", "", 0},
		{"cn-northwest-1", signedFor("iam", "cn-northwest-1"), time.Time{}, "", "", 0},
		{"us-gov-west-1", signedFor("iam", "us-gov-west-1"), time.Time{}, "", "", 0},
		{"eusc-de-east-1", signedFor("iam", "eusc-de-east-1"), time.Time{}, "", "", 0},
		{"every scope element wrong", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20261124/us-east-1/iam/aws4_request", "/20261123/x/dynamodb/aws5_request", 1))
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'x'. Credential should be scoped to correct service: 'iam'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261123' != '20261124', from '20261124T120000Z'.", 403},
		{"four credential elements", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/iam/", "/us-east-1/", 1))
			return r, body
		}, time.Time{}, "IncompleteSignature", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + akid + "/20261124/us-east-1/aws4_request'", 400},

		// Host must be signed, or the request replays against any host.
		{"host not signed", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=content-length;content-type;host;x-amz-date", "SignedHeaders=content-length;content-type;x-amz-date", 1))
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 403},
		{"another host", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Host = "gatehouse.example:7700"
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", mismatch, 403},

		// One Authorization header in key=value form. Two are read as one
		// comma-joined field, as AWS reads them:
		// https://github.com/envoyproxy/envoy/issues/23702; a space after
		// "Credential=": https://github.com/boto/boto3/issues/2280
		{"Authorization twice", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			a := r.Header.Get("Authorization")
			r.Header["Authorization"] = []string{a, a}
			return r, body
		}, time.Time{}, "IncompleteSignature", "'AWS4-HMAC-SHA256' not a valid key=value pair (missing equal-sign) in Authorization header: '" + sdkAuth(t) + "," + sdkAuth(t) + "'.", 400},
		{"space after Credential=", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=", "Credential= ", 1))
			return r, body
		}, time.Time{}, "IncompleteSignature", "'AKIDEXAMPLE/20261124/us-east-1/iam/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '" + strings.Replace(sdkAuth(t), "Credential=", "Credential= ", 1) + "'.", 400},
		{"X-Amz-Date twice", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header["X-Amz-Date"] = []string{"20261124T120000Z", "20261124T120000Z"}
			return r, body
		}, time.Time{}, "IncompleteSignature", "Date must be in ISO-8601 'basic format'. Got '20261124T120000Z,20261124T120000Z'. See http://en.wikipedia.org/wiki/ISO_8601", 400},
		{"algorithm", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1))
			return r, body
		}, time.Time{}, "IncompleteSignature", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.", 400},
		{"upper-case signature", func(t *testing.T) (*http.Request, string) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", mismatch, 403},
		{"header and query forms", func(t *testing.T) (*http.Request, string) {
			p := sdkPresigned(t, listUsers(), "iam", "us-east-1", "60", now)
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			r.URL.RawQuery = p.URL.RawQuery
			return r, body
		}, time.Time{}, "SignatureDoesNotMatch", "", 403},

		// The clock: 15 minutes either way for headers.
		{"signed 15 min ago", signedAt(now.Add(-15 * time.Minute)), time.Time{}, "", "", 0},
		{"signed 15 min 1 s ago", signedAt(now.Add(-15*time.Minute - time.Second)), time.Time{}, "SignatureDoesNotMatch", "Signature expired: 20261124T114459Z is now earlier than 20261124T114500Z (20261124T120000Z - 15 min.)", 403},
		{"signed 15 min ahead", signedAt(now.Add(15 * time.Minute)), time.Time{}, "", "", 0},
		{"signed 15 min 1 s ahead", signedAt(now.Add(15*time.Minute + time.Second)), time.Time{}, "SignatureDoesNotMatch", "Signature not yet current: 20261124T121501Z is still later than 20261124T121500Z (20261124T120000Z + 15 min.)", 403},

		// Presigned: the empty body's hash as boto3 and the SDKs presign
		// for IAM; the life of the skew window, X-Amz-Expires when sooner.
		// "All other AWS services [than S3] will use a fixed request
		// signature expiration of about 15 minutes":
		// https://github.com/aws/aws-sdk-go/pull/2224
		{"presigned without X-Amz-Expires", presignedAt("", now), now.Add(15 * time.Minute), "", "", 0},
		{"presigned without X-Amz-Expires, 15 min 1 s on", presignedAt("", now), now.Add(15*time.Minute + time.Second), "SignatureDoesNotMatch", "Signature expired: 20261124T120000Z is now earlier than 20261124T120001Z (20261124T121501Z - 15 min.)", 403},
		{"presigned for 60 s, 60 s on", presignedAt("60", now), now.Add(time.Minute), "", "", 0},
		{"presigned for 60 s, 61 s on", presignedAt("60", now), now.Add(61 * time.Second), "SignatureDoesNotMatch", "Signature expired: 20261124T120000Z is now earlier than 20261124T120001Z (20261124T120101Z - 1 min.)", 403},
		{"presigned for a week, 15 min 1 s on", presignedAt("604800", now), now.Add(15*time.Minute + time.Second), "SignatureDoesNotMatch", "Signature expired: 20261124T120000Z is now earlier than 20261124T120001Z (20261124T121501Z - 15 min.)", 403},
		{"presigned 16 min ahead", presignedAt("60", now.Add(16*time.Minute)), now, "SignatureDoesNotMatch", "Signature not yet current: 20261124T121600Z is still later than 20261124T121500Z (20261124T120000Z + 15 min.)", 403},
		// S3's answers (AWS records none of IAM's):
		// https://github.com/minio/minio/issues/5162
		{"X-Amz-Expires over a week", presignedAt("604801", now), now, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds", 400},
		{"X-Amz-Expires negative", presignedAt("-1", now), now, "AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative", 400},
		{"X-Amz-Expires not a number", presignedAt("1h", now), now, "AuthorizationQueryParametersError", "X-Amz-Expires should be a number", 400},
		// A presign parameter sent twice is read comma-joined too.
		{"X-Amz-Credential twice", presignedAlso("X-Amz-Credential", akid+"/20261124/us-east-1/iam/aws4_request"), now, "IncompleteSignature", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + akid + "/20261124/us-east-1/iam/aws4_request," + akid + "/20261124/us-east-1/iam/aws4_request'", 400},
		{"X-Amz-Date twice", presignedAlso("X-Amz-Date", "20261124T120000Z"), now, "IncompleteSignature", "Date must be in ISO-8601 'basic format'. Got '20261124T120000Z,20261124T120000Z'. See http://en.wikipedia.org/wiki/ISO_8601", 400},
		{"X-Amz-Expires twice", presignedAlso("X-Amz-Expires", "60"), now, "AuthorizationQueryParametersError", "X-Amz-Expires should be a number", 400},
		{"X-Amz-SignedHeaders twice", presignedAlso("X-Amz-SignedHeaders", "host"), now, "SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 403},
		{"X-Amz-Algorithm twice", presignedAlso("X-Amz-Algorithm", sigv4.Algorithm), now, "MissingAuthenticationToken", "Request is missing Authentication Token", 403},
		{"X-Amz-Signature twice", presignedAlso("X-Amz-Signature", strings.Repeat("0", 64)), now, "SignatureDoesNotMatch", mismatch, 403},
		{"presigned control", presignedAlso("", ""), now, "", "", 0},
		{"presigned UNSIGNED-PAYLOAD is S3's", func(t *testing.T) (*http.Request, string) {
			q := listUsers()
			q.Set("X-Amz-Expires", "60")
			r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:7700/?"+q.Encode(), nil)
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "iam", "us-east-1", now)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := http.NewRequest(http.MethodGet, u, nil)
			return p, ""
		}, now, "SignatureDoesNotMatch", mismatch, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, b := tc.request(t)
			at := tc.at
			if at.IsZero() {
				at = now
			}
			_, err := v.Verify(r, []byte(b), iam, at, lookup)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("control refused: %v", err)
				}
				return
			}
			wantSigErr(t, err, tc.code, tc.msg, tc.status)
		})
	}
}

// signedFor returns a request the SDK signed for service and region.
func signedFor(service, region string) func(t *testing.T) (*http.Request, string) {
	return func(t *testing.T) (*http.Request, string) {
		return sdkSigned(t, body, service, region, now, nil), body
	}
}

// signedAt returns a request the SDK signed for IAM at at.
func signedAt(at time.Time) func(t *testing.T) (*http.Request, string) {
	return func(t *testing.T) (*http.Request, string) {
		return sdkSigned(t, body, "iam", "us-east-1", at, nil), body
	}
}

// presignedAt returns a ListUsers the SDK presigned for IAM at at.
func presignedAt(expires string, at time.Time) func(t *testing.T) (*http.Request, string) {
	return func(t *testing.T) (*http.Request, string) {
		return sdkPresigned(t, listUsers(), "iam", "us-east-1", expires, at), ""
	}
}

// presignedAlso returns a presigned ListUsers with another value of
// param added after signing (none if param is empty).
func presignedAlso(param, value string) func(t *testing.T) (*http.Request, string) {
	return func(t *testing.T) (*http.Request, string) {
		r := sdkPresigned(t, listUsers(), "iam", "us-east-1", "60", now)
		if param != "" {
			r.URL.RawQuery += "&" + url.QueryEscape(param) + "=" + url.QueryEscape(value)
		}
		return r, ""
	}
}

// sdkAuth is the Authorization header the SDK gives the request of
// signedAt(now).
func sdkAuth(t *testing.T) string {
	return sdkSigned(t, body, "iam", "us-east-1", now, nil).Header.Get("Authorization")
}

// TestServiceRegion: a service that answers for some regions only (a
// server whose accounts are of one partition) refuses the others in the
// scope check's words, next to one it answers for; the failure joins
// the other scope failures as AWS's do.
func TestServiceRegion(t *testing.T) {
	v := sigv4.NewVerifier()
	aws := sigv4.Service{Name: "iam", Payload: sigv4.PayloadBody, Region: func(r string) bool { return !strings.HasPrefix(r, "cn-") }}
	for _, tc := range []struct{ name, service, region, msg string }{
		{"control", "iam", "eu-west-1", ""},
		{"another partition", "iam", "cn-north-1", "Credential should be scoped to a valid region, not 'cn-north-1'. "},
		{"and another service", "s3", "cn-north-1", "Credential should be scoped to a valid region, not 'cn-north-1'. Credential should be scoped to correct service: 'iam'. "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(sdkSigned(t, body, tc.service, tc.region, now, nil), []byte(body), aws, now, lookup)
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("control refused: %v", err)
				}
				return
			}
			wantSigErr(t, err, "SignatureDoesNotMatch", tc.msg, 403)
		})
	}
}
