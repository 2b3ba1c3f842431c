package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/iam"
	"github.com/gatehouse/gatehouse/internal/sdktest"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/server"
	"github.com/gatehouse/gatehouse/sigv4"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

const testAccount = "111122223333"

// harness is a real Gatehouse on a loopback port with a real SQLite file.
type harness struct {
	t        *testing.T
	dir      string
	keyring  *secret.Keyring
	store    *sqlite.Store
	svc      *iam.Service
	http     *httptest.Server
	URL      string
	adminKey aws.Credentials
	// configure, if set, changes the server's Config before it starts.
	configure func(*server.Config)
}

func start(t *testing.T, dev bool) *harness { return startWith(t, dev, nil) }

// startWith is start with a server whose Config configure changes.
func startWith(t *testing.T, dev bool, configure func(*server.Config)) *harness {
	t.Helper()
	k, err := secret.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: t.TempDir(), keyring: secret.NewKeyring(k), configure: configure}
	h.open(dev)
	if !dev {
		res, err := h.svc.Bootstrap(context.Background(), iam.Bootstrap{Account: testAccount, RootPassword: "correct horse battery staple"})
		if err != nil {
			t.Fatal(err)
		}
		h.adminKey = aws.Credentials{AccessKeyID: res.AccessKeyID, SecretAccessKey: res.SecretAccessKey}
	}
	t.Cleanup(h.close)
	return h
}

func (h *harness) open(dev bool) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(h.dir, "gatehouse.db"), sqlite.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	svc, err := iam.New(ctx, iam.Config{Store: st, Keyring: h.keyring})
	if err != nil {
		h.t.Fatal(err)
	}
	h.store, h.svc = st, svc
	cfg := server.Config{IAM: svc, Dev: dev}
	if h.configure != nil {
		h.configure(&cfg)
	}
	srv := server.New(cfg)
	// The http.Server the CLI serves with: its timeouts apply here too.
	h.http = httptest.NewUnstartedServer(srv)
	h.http.Config = srv.HTTPServer()
	h.http.Start()
	h.URL = h.http.URL
}

func (h *harness) close() {
	if h.http != nil {
		h.http.Close()
		h.svc.Close()
		h.store.Close()
		h.http = nil
	}
}

// restart closes the server and the store and opens them again on the
// same database file.
func (h *harness) restart() {
	h.close()
	h.open(false)
}

// client returns an aws-sdk-go-v2 IAM client signing with creds.
func (h *harness) client(creds aws.Credentials) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(h.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		RetryMaxAttempts: 1,
		HTTPClient:       sdktest.HTTPClient(),
	})
}

func (h *harness) admin() *awsiam.Client { return h.client(h.adminKey) }

// newUserWithKey creates a user with an access key, as the admin.
func (h *harness) newUserWithKey(name string) (*awsiam.Client, aws.Credentials) {
	h.t.Helper()
	ctx := context.Background()
	a := h.admin()
	if _, err := a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		h.t.Fatal(err)
	}
	out, err := a.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		h.t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: *out.AccessKey.AccessKeyId, SecretAccessKey: *out.AccessKey.SecretAccessKey}
	return h.client(creds), creds
}

// adminSigning is the admin's key as sigv4.Sign takes it.
func (h *harness) adminSigning() sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: h.adminKey.AccessKeyID, SecretAccessKey: h.adminKey.SecretAccessKey}
}

// signedPOST returns a POST of the form body to the server, signed with
// creds by sigv4.Sign for IAM in us-east-1, now.
func (h *harness) signedPOST(form string, creds sigv4.Credentials) *http.Request {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.URL+"/", strings.NewReader(form))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(req, []byte(form), creds, "us-east-1", "iam", time.Now())
	return req
}

// signedPost sends form signed by the admin and returns the status and
// body of the answer.
func (h *harness) signedPost(form string) (int, string) {
	h.t.Helper()
	status, body := send(h.t, http.DefaultClient, h.signedPOST(form, h.adminSigning()))
	return status, string(body)
}

// send sends req with c and returns the status and body of the answer.
func send(t testing.TB, c *http.Client, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// apiCode returns the AWS error code of err ("" if none).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// httpStatus returns the HTTP status of an API error (0 if none).
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := apiCode(err); got != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

// wantError checks the code of err and, unless msg is empty, its message.
func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	wantCode(t, err, code)
	if msg != "" && apiMessage(err) != msg {
		t.Fatalf("message = %q\nwant      %q", apiMessage(err), msg)
	}
}

// wantErrorStatus checks an error's code, HTTP status and, unless msg
// is empty, its message.
func wantErrorStatus(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	wantCode(t, err, code)
	if got := httpStatus(err); got != status {
		t.Fatalf("%s: status %d, want %d", code, got, status)
	}
	if msg != "" && apiMessage(err) != msg {
		t.Fatalf("message = %q\nwant      %q", apiMessage(err), msg)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
