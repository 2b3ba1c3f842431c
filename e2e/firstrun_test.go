package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTLSFirstRun follows the README with --tls: the two printed lines
// work with the aws CLI and boto3 as they are, because the generated
// config names the self-signed certificate as its ca_bundle.
func TestTLSFirstRun(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, dir, "--tls")
	cfg, err := os.ReadFile(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "tls-cert.pem")
	if !strings.Contains(string(cfg), "endpoint_url = "+p.endpoint+"\n") || !strings.Contains(string(cfg), "ca_bundle = "+bundle+"\n") {
		t.Fatalf("config:\n%s", cfg)
	}

	t.Run("aws CLI", func(t *testing.T) {
		run := awsCLI(t, dir)
		out, err := run("get-user", "--query", "User.UserName", "--output", "text")
		if err != nil || strings.TrimSpace(out) != "admin" {
			t.Fatalf("get-user over TLS: %v\n%s", err, out)
		}
		// Control: without the ca_bundle the same call fails verification,
		// so the pass above is the bundle's doing.
		noBundle := filepath.Join(t.TempDir(), "config")
		os.WriteFile(noBundle, []byte(strings.ReplaceAll(string(cfg), "ca_bundle = "+bundle+"\n", "")), 0o600)
		out, err = awsCLI(t, dir, "AWS_CONFIG_FILE="+noBundle)("get-user")
		if err == nil || !strings.Contains(strings.ToLower(out), "certificate") {
			t.Fatalf("get-user without ca_bundle: %v\n%s", err, out)
		}
	})

	t.Run("boto3", func(t *testing.T) {
		needBoto3(t)
		cmd := exec.Command("python3", "-c", `
import boto3
print(boto3.client("iam").get_user()["User"]["UserName"])`)
		cmd.Env = bootstrapEnv(dir)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "admin" {
			t.Fatalf("boto3 over TLS: %v\n%s", err, out)
		}
	})

	// A restart keeps the certificate, and the config still names it.
	p.terminate(t)
	serve(t, dir, "--tls")
	if out, err := awsCLI(t, dir)("get-user"); err != nil {
		t.Fatalf("get-user after restart: %v\n%s", err, out)
	}
}
