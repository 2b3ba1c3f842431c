package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestPresign fetches presigned IAM URLs from one server: boto3's and
// aws-sdk-go-v2's.
func TestPresign(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, dir)
	c := adminCreds(t, dir)
	t.Run("boto3", func(t *testing.T) { presignBoto3(t, p) })
	t.Run("aws-sdk-go-v2", func(t *testing.T) { presignSDK(t, p, c) })
}

// presignBoto3 fetches URLs boto3's generate_presigned_url makes for
// IAM with urllib. botocore presigns a non-S3 operation with the empty
// body's hash as the payload hash (not UNSIGNED-PAYLOAD), and with the
// operation's own method (POST) unless HttpMethod says otherwise; AWS
// checks the method the URL is fetched with:
// https://github.com/boto/boto3/issues/756
func presignBoto3(t *testing.T, p *proc) {
	needBoto3(t)
	script := `
import html, urllib.error, urllib.request
iam.create_user(UserName="viewer")
def fetch(url, method="GET"):
    req = urllib.request.Request(url, data=b"" if method == "POST" else None, method=method)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, html.unescape(e.read().decode())

url = iam.generate_presigned_url("list_users", Params={"MaxItems": 5}, ExpiresIn=300)
assert "X-Amz-Signature=" in url and "UNSIGNED-PAYLOAD" not in url, url
status, body = fetch(url, "POST")
assert status == 200 and "<UserName>viewer</UserName>" in body, (status, body)
status, body = fetch(url, "GET")
assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body, (status, body)

url = iam.generate_presigned_url("get_user", Params={"UserName": "viewer"}, ExpiresIn=60, HttpMethod="GET")
status, body = fetch(url)
assert status == 200 and "<UserName>viewer</UserName>" in body, (status, body)
status, body = fetch(url.replace("UserName=viewer", "UserName=admin"))
assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body, (status, body)

# Any real region signs; the scope must name IAM.
url = client("eu-west-1").generate_presigned_url("get_user", Params={"UserName": "viewer"}, HttpMethod="GET")
status, body = fetch(url)
assert status == 200 and "<UserName>viewer</UserName>" in body, (status, body)
status, body = fetch(url.replace("%2Fiam%2Faws4_request", "%2Fs3%2Faws4_request"))
assert status == 403 and "<Message>Credential should be scoped to correct service: 'iam'. </Message>" in body, (status, body)

# A URL valid for longer than a week is refused.
url = iam.generate_presigned_url("list_users", ExpiresIn=604801, HttpMethod="GET")
status, body = fetch(url)
assert status == 400 and "<Code>AuthorizationQueryParametersError</Code>" in body, (status, body)
print("ok")
`
	boto3(t, p, script)
}

// presignSDK fetches URLs aws-sdk-go-v2's v4 presigner makes for IAM
// with the empty body's payload hash, without X-Amz-Expires (PresignHTTP
// leaves it to the caller: the URL then lives the skew window, 15
// minutes) and with one.
func presignSDK(t *testing.T, p *proc, c aws.Credentials) {
	empty := sha256.Sum256(nil)
	for _, expires := range []string{"", "60"} {
		t.Run("X-Amz-Expires="+expires, func(t *testing.T) {
			q := url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}}
			if expires != "" {
				q.Set("X-Amz-Expires", expires)
			}
			r, _ := http.NewRequest(http.MethodGet, p.endpoint+"/?"+q.Encode(), nil)
			u, header, err := v4.NewSigner().PresignHTTP(context.Background(), c, r, hex.EncodeToString(empty[:]), "iam", "us-east-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			req.Header = header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "<UserName>admin</UserName>") {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		})
	}
}
