package sigv4_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/sigv4"
)

const (
	akid   = "AKIDEXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// creds is the key for aws-sdk-go-v2's signer, ourCreds for ours.
var (
	creds    = aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	ourCreds = sigv4.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
)

// iam is what IAM requires of a signature.
var iam = sigv4.Service{Name: "iam", Payload: sigv4.PayloadBody}

func lookup(id string) (string, bool) { return secret, id == akid }

func newRequest(body string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7700/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

const body = "Action=GetUser&UserName=alice&Version=2010-05-08"

// TestSDKSignature verifies requests signed by aws-sdk-go-v2's signer,
// and that changing any signed part breaks the signature.
func TestSDKSignature(t *testing.T) {
	v := sigv4.NewVerifier()
	r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
	res, err := v.Verify(r, []byte(body), iam, now, lookup)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.AccessKeyID != akid || res.Region != "us-east-1" || res.Service != "iam" {
		t.Fatalf("result = %+v", res)
	}
	tests := []struct {
		name   string
		modify func(r *http.Request) []byte
		code   string
	}{
		{"body", func(r *http.Request) []byte { return []byte(body + "x") }, "SignatureDoesNotMatch"},
		{"content type", func(r *http.Request) []byte { r.Header.Set("Content-Type", "text/plain"); return []byte(body) }, "SignatureDoesNotMatch"},
		{"host", func(r *http.Request) []byte { r.Host = "evil:1"; return []byte(body) }, "SignatureDoesNotMatch"},
		{"signature", func(r *http.Request) []byte {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+"0")
			return []byte(body)
		}, "SignatureDoesNotMatch"},
		{"unknown key", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), akid, "AKIDOTHER", 1))
			return []byte(body)
		}, "InvalidClientTokenId"},
		{"no credential", func(r *http.Request) []byte {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00")
			return []byte(body)
		}, "IncompleteSignature"},
		{"no authorization", func(r *http.Request) []byte { r.Header.Del("Authorization"); return []byte(body) }, "MissingAuthenticationToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sdkSigned(t, body, "iam", "us-east-1", now, nil)
			b := tc.modify(r)
			_, err := v.Verify(r, b, iam, now, lookup)
			if se := sigError(err); se == nil || se.Code != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
	t.Run("skew", func(t *testing.T) {
		r := sdkSigned(t, body, "iam", "us-east-1", now.Add(-16*time.Minute), nil)
		_, err := v.Verify(r, []byte(body), iam, now, lookup)
		if se := sigError(err); se == nil || se.Code != "SignatureDoesNotMatch" || !strings.HasPrefix(se.Message, "Signature expired: 20261124T114400Z is now earlier than 20261124T114500Z (20261124T120000Z - 15 min.)") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestSignVerify round-trips our own signer, header and presigned forms.
func TestSignVerify(t *testing.T) {
	v := sigv4.NewVerifier()
	r := newRequest(body)
	sigv4.Sign(r, []byte(body), ourCreds, "us-east-1", "iam", now)
	if _, err := v.Verify(r, []byte(body), iam, now, lookup); err != nil {
		t.Fatal(err)
	}
	g, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:7700/?"+url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}}.Encode(), nil)
	sigv4.Presign(g, ourCreds, "us-east-1", "iam", now, 15*time.Minute)
	if _, err := v.Verify(g, nil, iam, now.Add(10*time.Minute), lookup); err != nil {
		t.Fatalf("presigned: %v", err)
	}
	if _, err := v.Verify(g, nil, iam, now.Add(16*time.Minute), lookup); err == nil {
		t.Fatal("expired presigned URL accepted")
	}
}

// cachedVerify returns a verifier that has verified the request of body
// b, signed, once, so its signing key is cached.
func cachedVerify(tb testing.TB, b string) (*sigv4.Verifier, *http.Request, []byte) {
	tb.Helper()
	v := sigv4.NewVerifier()
	r := newRequest(b)
	sigv4.Sign(r, []byte(b), ourCreds, "us-east-1", "iam", now)
	bb := []byte(b)
	if _, err := v.Verify(r, bb, iam, now, lookup); err != nil {
		tb.Fatal(err)
	}
	return v, r, bb
}

// BenchmarkVerify measures verifying signed IAM POSTs with the signing
// key cached: a typical call, and bodies whose hash (IAM hashes the body
// it receives) is most of the cost: a 4 KiB policy, a 1 MiB SAML
// metadata document.
// Run: go test ./sigv4 -run '^$' -bench Verify -benchmem -cpu 1
func BenchmarkVerify(b *testing.B) {
	for _, bc := range []struct {
		name string
		body string
	}{
		{"GetUser", body},
		{"Policy4KiB", "Action=CreatePolicy&PolicyName=p&Version=2010-05-08&PolicyDocument=" + strings.Repeat("x", 4<<10)},
		{"SAML1MiB", "Action=CreateSAMLProvider&Name=idp&Version=2010-05-08&SAMLMetadataDocument=" + strings.Repeat("x", 1<<20)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v, r, bb := cachedVerify(b, bc.body)
			b.SetBytes(int64(len(bb)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(r, bb, iam, now, lookup); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestVerifyAllocs keeps verification of a cached key allocation-free.
func TestVerifyAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops Puts at random under the race detector; the allocation count is checked without it")
	}
	v, r, bb := cachedVerify(t, body)
	if n := testing.AllocsPerRun(100, func() {
		if _, err := v.Verify(r, bb, iam, now, lookup); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Verify allocates %v times per call, want 0", n)
	}
}

// FuzzAmzDate checks the X-Amz-Date parser against time.Parse: both
// accept the same strings and agree on the time.
func FuzzAmzDate(f *testing.F) {
	for _, s := range []string{"20261124T120000Z", "20260230T000000Z", "20261301T000000Z", "20261124T246000Z", "2026112T120000Z", "20261124t120000z", "+0261124T120000Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
		r.Header.Set("X-Amz-Date", s)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+akid+"/20261124/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		res, err := sigv4.Parse(r)
		want, werr := time.Parse("20060102T150405Z", s)
		if (err == nil) != (werr == nil) {
			t.Fatalf("Parse(%q) err = %v, time.Parse err = %v", s, err, werr)
		}
		if err == nil && !res.SignedAt.Equal(want) {
			t.Fatalf("Parse(%q) = %v, time.Parse = %v", s, res.SignedAt, want)
		}
	})
}
