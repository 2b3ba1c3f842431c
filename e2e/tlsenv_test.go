package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTLSFirstRunWithCABundleSet: the two lines `serve --tls` prints
// work in a shell that already sets AWS_CA_BUNDLE (to the system bundle,
// as shells behind corporate proxies do). The environment variable wins
// over the config's ca_bundle in botocore and the SDKs, so the line the
// server printed before (the two file variables) still failed with
// "self-signed certificate"; it now sets AWS_CA_BUNDLE to the generated
// certificate as well. The control runs the old line in the same shell.
func TestTLSFirstRunWithCABundleSet(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	dir := t.TempDir()
	p := serve(t, dir, "--tls")
	var line string
	for _, l := range strings.Split(p.stdout, "\n") {
		if strings.HasPrefix(l, "export ") {
			line = strings.TrimPrefix(l, "export ")
		}
	}
	bundle := filepath.Join(dir, "tls-cert.pem")
	want := "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials") + " AWS_CONFIG_FILE=" + filepath.Join(dir, "config") + " AWS_CA_BUNDLE=" + bundle
	if line != want {
		t.Fatalf("printed export line %q\nwant %q", line, want)
	}
	shell := []string{"AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			shell = append(shell, kv)
		}
	}
	getUser := func(assignments []string) (string, error) {
		cmd := exec.Command("aws", "iam", "get-user", "--query", "User.UserName", "--output", "text")
		cmd.Env = append(append([]string{}, shell...), assignments...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	assignments := strings.Fields(line)
	if out, err := getUser(assignments); err != nil || strings.TrimSpace(out) != "admin" {
		t.Fatalf("the printed line in a shell with AWS_CA_BUNDLE set: %v\n%s", err, out)
	}
	if out, err := getUser(assignments[:2]); err == nil || !strings.Contains(strings.ToLower(out), "certificate") {
		t.Fatalf("control (the line without AWS_CA_BUNDLE): %v\n%s", err, out)
	}
}
