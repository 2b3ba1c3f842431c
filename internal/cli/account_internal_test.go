package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/sigv4"
)

// liveServer runs serve's server on dir in this process until the test
// ends and returns its endpoint once /readyz answers.
func liveServer(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServer(ctx, serveFlags{addr: "127.0.0.1:0", dataDir: dir, account: "111122223333", rootPassword: "correct horse battery staple"},
			io.Discard, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		cfg, _ := os.ReadFile(filepath.Join(dir, configFile))
		if _, rest, ok := strings.Cut(string(cfg), "endpoint_url = "); ok {
			endpoint, _, _ := strings.Cut(rest, "\n")
			if resp, err := http.Get(endpoint + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return endpoint
				}
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("serve never became ready")
	return ""
}

// getUser sends a GetUser signed with c and returns the status and body.
func getUser(t *testing.T, endpoint string, c sigv4.Credentials) (int, string) {
	t.Helper()
	body := "Action=GetUser&Version=2010-05-08"
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(req, []byte(body), c, "us-east-1", "iam", time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// readCredentials reads the key of an AWS credentials file.
func readCredentials(t *testing.T, path string) sigv4.Credentials {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c sigv4.Credentials
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v, _ := strings.Cut(line, " = ")
		switch k {
		case "aws_access_key_id":
			c.AccessKeyID = v
		case "aws_secret_access_key":
			c.SecretAccessKey = v
		}
	}
	return c
}

// TestAccountCreateLive adds accounts to a data directory a server is
// running on: the new administrator's key works on the running server
// within a second; an account that exists (added before, or the
// server's own) is refused with exit 1 and nothing changes.
func TestAccountCreateLive(t *testing.T) {
	dir := t.TempDir()
	endpoint := liveServer(t, dir)
	abs, _ := filepath.Abs(dir)

	var out, errOut bytes.Buffer
	code := Run([]string{"account", "create", "--data-dir", dir, "--account", "444455556666", "--root-password", "another horse battery staple"}, nil, &out, &errOut)
	created := time.Now()
	if code != exitOK {
		t.Fatalf("account create: code %d\n%s%s", code, out.String(), errOut.String())
	}
	credsPath := filepath.Join(abs, "credentials-444455556666")
	for _, want := range []string{
		"Created account 444455556666: root user (no access keys), group Admins with AdministratorAccess, user admin with an access key.\n",
		"export AWS_SHARED_CREDENTIALS_FILE=" + credsPath + " AWS_CONFIG_FILE=" + filepath.Join(abs, configFile) + "\n",
		"aws iam get-user   # as admin of 444455556666\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "another horse") || strings.Contains(out.String(), "Root password") {
		t.Errorf("a given root password is printed:\n%s", out.String())
	}
	if fi, err := os.Stat(credsPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	key := readCredentials(t, credsPath)
	for {
		status, body := getUser(t, endpoint, key)
		if status == http.StatusOK {
			if !strings.Contains(body, "<Arn>arn:aws:iam::444455556666:user/admin</Arn>") {
				t.Fatalf("GetUser as the new admin:\n%s", body)
			}
			t.Logf("the new account's key worked on the running server %v after account create returned", time.Since(created))
			break
		}
		if time.Since(created) > time.Second {
			t.Fatalf("a second after account create, the server answers the new key %d:\n%s", status, body)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The server's own account's admin is untouched.
	if status, body := getUser(t, endpoint, readCredentials(t, filepath.Join(dir, credentialsFile))); status != http.StatusOK || !strings.Contains(body, "arn:aws:iam::111122223333:user/admin") {
		t.Fatalf("the first account's admin: %d\n%s", status, body)
	}

	// A generated root password is printed once.
	out.Reset()
	errOut.Reset()
	if code := Run([]string{"account", "create", "--data-dir", dir, "--account", "777788889999"}, nil, &out, &errOut); code != exitOK ||
		!strings.Contains(out.String(), "Root password (shown once): ") {
		t.Fatalf("account create with a generated password: code %d\n%s%s", code, out.String(), errOut.String())
	}

	for _, account := range []string{"444455556666", "111122223333"} {
		out.Reset()
		errOut.Reset()
		code := Run([]string{"account", "create", "--data-dir", dir, "--account", account}, nil, &out, &errOut)
		if code != exitFailed || out.Len() != 0 || errOut.String() != "gatehouse account create: account "+account+" exists already in "+dir+"\n" {
			t.Errorf("account create of existing %s: code %d\nstdout %q\nstderr %q", account, code, out.String(), errOut.String())
		}
	}
	// The refused attempt left the first key of 444455556666 as it was.
	if got := readCredentials(t, credsPath); got != key {
		t.Errorf("a refused account create rewrote %s", credsPath)
	}
	if status, _ := getUser(t, endpoint, key); status != http.StatusOK {
		t.Errorf("after the refused attempt the admin key of 444455556666 answers %d", status)
	}
}
