package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse/gatehouse/sigv4"
)

// Real requests to seed the fuzzers with: the Authorization headers of
// aws-sdk-go-v2, botocore and the aws CLI, AWS's test suite, and the
// malformed ones AWS users hit (a space after "Credential=", two
// headers joined).
var (
	seedAuth = []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/iam/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=04fe53fb255dd4f31c9cbff61fe0f6ae7669ae3c09fa0de6a36fc1989c541704",
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=0000000000000000000000000000000000000000000000000000000000000000",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
		"AWS4-HMAC-SHA256 Credential= AKIA3E3TXYEALSHHLVWT/20200122/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=cbeed485aed23c03ded6f1ffdefda822d8e22f92ced62d2854947378da569a8e",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=b",
		"AWS4-HMAC-SHA256 Credential=AKID/20261124/us-gov-west-1/iam/aws4_request,SignedHeaders=host;x-amz-date,Signature=00,AWS4-HMAC-SHA256 Credential=AKID",
		"AWS4-HMAC-SHA512 Credential=x",
		"AWS4-HMAC-SHA256",
		"",
	}
	seedQuery = []string{
		// boto3 generate_presigned_url("list_users", Params={"MaxItems": 5}, ExpiresIn=300)
		"Action=ListUsers&Version=2010-05-08&MaxItems=5&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261204%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261204T013808Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=dabe3071dc5fbeff791fd08ef10c0186b4ca411fa1f8030e3ffca03b87a4e498",
		// aws-sdk-go-v2 PresignHTTP, no X-Amz-Expires
		"Action=ListUsers&Version=2010-05-08&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261124%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261124T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=5c4b1d0aa4c6bcdb2e1a1b1c3f5b1a5e3f1c0d9e8b7a6f5e4d3c2b1a09f8e7d6",
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Date=x&X-Amz-Expires=-1&X-Amz-SignedHeaders=&X-Amz-Signature=",
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Algorithm=AWS4-HMAC-SHA256",
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261124%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261124T120000Z&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Security-Token=tok",
	}
)

// checkError fails unless err is nil or a sigv4.Error with a code and
// an HTTP status of 400 or 403.
func checkError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if se := sigError(err); se == nil || se.Code == "" || (se.Status != 400 && se.Status != 403) {
		t.Fatalf("error %#v", err)
	}
}

// FuzzParseHeader parses arbitrary Authorization, X-Amz-Date and
// X-Amz-Security-Token headers: never a panic, only AWS errors, and a
// signature that parses and validates round-trips with Sign: the same
// key, scope, token and time, verified.
// Run: go test ./sigv4 -run '^$' -fuzz FuzzParseHeader -fuzztime 60s
func FuzzParseHeader(f *testing.F) {
	for _, a := range seedAuth {
		f.Add(a, "20261124T120000Z", "")
		f.Add(a, "20150830T123600Z", "AQoDYXdzEPT//////////wEXAMPLE")
	}
	f.Fuzz(func(t *testing.T, auth, amzDate, token string) {
		r := newRequest(body)
		r.Header["Authorization"] = strings.Split(auth, "\n")
		if amzDate != "" {
			r.Header.Set("X-Amz-Date", amzDate)
		}
		if token != "" {
			r.Header.Set("X-Amz-Security-Token", token)
		}
		parseRoundTrip(t, r, []byte(body), func(res sigv4.Result, c sigv4.Credentials) *http.Request {
			g := newRequest(body)
			sigv4.Sign(g, []byte(body), c, res.Region, res.Service, res.SignedAt)
			return g
		})
	})
}

// FuzzParseQuery parses arbitrary presigned queries, as FuzzParseHeader
// the headers, round-tripping with Presign.
// Run: go test ./sigv4 -run '^$' -fuzz FuzzParseQuery -fuzztime 60s
func FuzzParseQuery(f *testing.F) {
	for _, q := range seedQuery {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:7700/", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.URL.RawQuery = raw
		parseRoundTrip(t, r, nil, func(res sigv4.Result, c sigv4.Credentials) *http.Request {
			g, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:7700/?Action=ListUsers&Version=2010-05-08", nil)
			sigv4.Presign(g, c, res.Region, res.Service, res.SignedAt, time.Minute)
			return g
		})
	})
}

// parseRoundTrip parses r, which arrives with body b: only AWS errors.
// A signature that parses and validates is checked over b (an AWS error
// or none), then a request that sign signs for what it says (the same
// key, scope, token and time) must parse back to the same and verify.
func parseRoundTrip(t *testing.T, r *http.Request, b []byte, sign func(sigv4.Result, sigv4.Credentials) *http.Request) {
	t.Helper()
	res, err := sigv4.Parse(r)
	checkError(t, err)
	if err != nil {
		return
	}
	svc := sigv4.Service{Name: res.Service, Payload: sigv4.PayloadBody}
	err = res.Validate(svc, res.SignedAt)
	checkError(t, err)
	if err != nil {
		return
	}
	checkError(t, sigv4.NewVerifier().CheckSignature(r, b, &res, svc, secret))
	c := sigv4.Credentials{AccessKeyID: res.AccessKeyID, SecretAccessKey: secret, SessionToken: res.SessionToken}
	g := sign(res, c)
	got, err := sigv4.Parse(g)
	if err != nil {
		t.Fatalf("Parse of the signed request: %v", err)
	}
	if got.AccessKeyID != res.AccessKeyID || got.Region != res.Region || got.Service != res.Service || got.SessionToken != res.SessionToken || !got.SignedAt.Equal(res.SignedAt) {
		t.Fatalf("round trip: %+v\nwant        %+v", got, res)
	}
	lookup := func(id string) (string, bool) { return secret, id == res.AccessKeyID }
	if _, err := sigv4.NewVerifier().Verify(g, b, svc, res.SignedAt, lookup); err != nil {
		t.Fatalf("Verify of the signed request: %v", err)
	}
}

var regions = []string{"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "ap-southeast-7", "eusc-de-east-1"}

// FuzzSDKDifferential signs arbitrary requests with aws-sdk-go-v2's
// signer, header and presigned forms, sends them through net/http's wire
// format, and verifies them: every request the SDK signs, Gatehouse
// accepts; and with a byte of the body or the signature changed, refuses.
// Run: go test ./sigv4 -run '^$' -fuzz FuzzSDKDifferential -fuzztime 60s
func FuzzSDKDifferential(f *testing.F) {
	f.Add("/", "", body, "application/x-www-form-urlencoded; charset=utf-8", "", uint8(0), int64(1795521600), false)
	f.Add("/", "Action=ListUsers&Version=2010-05-08", "", "", "", uint8(1), int64(1795521600), true)
	f.Add("/gatehouse/iam/", "a=b+c&a=%7E&empty=", "x", "text/plain", "  two  spaces\t", uint8(3), int64(1440938160), false)
	f.Add("/%2F/a%20b", "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~", "", "", "v", uint8(5), int64(0), true)
	f.Add("/", "", "b", "", "a  \t  b", uint8(2), int64(1795521600), false)
	f.Fuzz(func(t *testing.T, path, query, payload, contentType, extra string, region uint8, unix int64, presign bool) {
		if !strings.HasPrefix(path, "/") || unix < 0 || unix > 253402300799 || !utf8.ValidString(query) ||
			!fieldValue(contentType) || !fieldValue(extra) {
			return
		}
		if _, err := url.ParseQuery(query); err != nil {
			return // the server's MalformedQueryString
		}
		at := time.Unix(unix, 0).UTC()
		method := http.MethodPost
		if presign {
			method, payload = http.MethodGet, ""
		}
		r, err := http.NewRequest(method, "http://example.amazonaws.com"+path+"?"+query, strings.NewReader(payload))
		if err != nil || r.URL.Path == "" || r.URL.RawQuery != query {
			return
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if extra != "" {
			r.Header.Set("X-Gatehouse-Fuzz", extra)
		}
		r.Host = r.URL.Host
		s := v4.NewSigner()
		reg := regions[int(region)%len(regions)]
		if presign {
			u, hdr, err := s.PresignHTTP(context.Background(), creds, r, sha256Hex(""), "iam", reg, at)
			if err != nil {
				t.Fatal(err)
			}
			if r, err = http.NewRequest(http.MethodGet, u, nil); err != nil {
				t.Fatal(err)
			}
			r.Header = hdr
		} else if err := s.SignHTTP(context.Background(), creds, r, sha256Hex(payload), "iam", reg, at); err != nil {
			t.Fatal(err)
		}
		sr, b, ok := overTheWire(r)
		if !ok {
			return // not a request net/http sends
		}
		v := sigv4.NewVerifier()
		if _, err := v.Verify(sr, b, iam, at, lookup); err != nil {
			t.Fatalf("SDK-signed request refused: %v\n%s %s\n%v", err, sr.Method, sr.URL, sr.Header)
		}
		if len(b) > 0 {
			b[len(b)/2] ^= 1
			if _, err := v.Verify(sr, b, iam, at, lookup); err == nil {
				t.Fatal("a changed body verified")
			}
		}
	})
}

// overTheWire writes r as an HTTP/1.1 client does and reads it back as
// the server does.
func overTheWire(r *http.Request) (*http.Request, []byte, bool) {
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		return nil, nil, false
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		return nil, nil, false
	}
	b, err := io.ReadAll(sr.Body)
	if err != nil {
		return nil, nil, false
	}
	return sr, b, true
}

// fieldValue reports whether v can be a header value on the wire, as
// net/http sends it unchanged: no control characters but tab.
func fieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
