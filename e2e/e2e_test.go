package e2e_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/sdktest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatehouse-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", binary, "../cmd/gatehouse")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running `gatehouse serve`.
type proc struct {
	cmd      *exec.Cmd
	endpoint string
	dataDir  string
	stdout   string
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serve starts the binary and waits until /readyz answers.
func serve(t *testing.T, dataDir string, args ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr, "--data-dir", dataDir}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, endpoint: "http://" + addr, dataDir: dataDir}
	ready := http.DefaultClient
	if slices.Contains(args, "--tls") {
		// Readiness only: the test itself checks that real clients trust
		// the certificate through the generated config.
		p.endpoint = "https://" + addr
		ready = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	t.Cleanup(func() { p.kill() })
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := ready.Get(p.endpoint + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var sb strings.Builder
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				p.stdout = sb.String()
				return p
			}
			sb.WriteString(l + "\n")
			continue
		case <-time.After(200 * time.Millisecond):
		}
		break
	}
	p.stdout = sb.String()
	return p
}

func (p *proc) kill() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

// terminate stops the server with SIGTERM and waits for a clean exit.
func (p *proc) terminate(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// adminCreds reads the credentials file the bootstrap wrote.
func adminCreds(t *testing.T, dataDir string) aws.Credentials {
	t.Helper()
	return credsFile(t, filepath.Join(dataDir, "credentials"))
}

// credsFile reads the key of an AWS credentials file.
func credsFile(t *testing.T, path string) aws.Credentials {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c aws.Credentials
	for _, line := range strings.Split(string(data), "\n") {
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

func client(endpoint string, c aws.Credentials) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1, HTTPClient: sdktest.HTTPClient(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return c, nil }),
	})
}

// code returns the AWS error code of err ("" if none).
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestBootstrap checks a first start: the printed hint, the 0600
// credentials file in AWS format, and the config with the endpoint.
func TestBootstrap(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, dir, "--root-password", "s3cret-Root-pw")
	if !strings.Contains(p.stdout, "export AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials")+" AWS_CONFIG_FILE="+filepath.Join(dir, "config")) {
		t.Fatalf("no hint in output:\n%s", p.stdout)
	}
	if strings.Contains(p.stdout, "s3cret-Root-pw") {
		t.Fatal("a given root password is printed")
	}
	fi, err := os.Stat(filepath.Join(dir, "credentials"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "config"))
	if !strings.Contains(string(cfg), "endpoint_url = "+p.endpoint) || !strings.Contains(string(cfg), "region = us-east-1") {
		t.Fatalf("config = %s", cfg)
	}
	c := client(p.endpoint, adminCreds(t, dir))
	out, err := c.GetUser(context.Background(), &awsiam.GetUserInput{})
	if err != nil || *out.User.UserName != "admin" {
		t.Fatalf("GetUser: %v %v", out, err)
	}
	p.terminate(t)
	// A second start keeps the account and prints no new password.
	p = serve(t, dir)
	if strings.Contains(p.stdout, "Bootstrapped") {
		t.Fatalf("bootstrapped twice:\n%s", p.stdout)
	}
	if _, err := client(p.endpoint, adminCreds(t, dir)).GetUser(context.Background(), &awsiam.GetUserInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestAWSCLI drives the server with the aws CLI, configured only by the
// files the bootstrap wrote.
func TestAWSCLI(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	run := awsCLI(t, dir)
	if out, err := run("create-user", "--user-name", "carol", "--tags", "Key=team,Value=blue"); err != nil || !strings.Contains(out, `"UserName": "carol"`) {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	if out, err := run("create-group", "--group-name", "Readers"); err != nil {
		t.Fatalf("create-group: %v\n%s", err, out)
	}
	if out, err := run("attach-group-policy", "--group-name", "Readers", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatalf("attach-group-policy: %v\n%s", err, out)
	}
	out, err := run("list-attached-group-policies", "--group-name", "Readers", "--output", "text")
	if err != nil || !strings.Contains(out, "ReadOnlyAccess") {
		t.Fatalf("list-attached-group-policies: %v\n%s", err, out)
	}
	out, err = run("get-user", "--user-name", "nobody")
	if err == nil || !strings.Contains(out, "NoSuchEntity") || !strings.Contains(out, "The user with name nobody cannot be found.") {
		t.Fatalf("get-user nobody: %v\n%s", err, out)
	}
	out, err = run("list-users", "--query", "Users[].UserName", "--output", "text")
	if err != nil || !strings.Contains(out, "admin") || !strings.Contains(out, "carol") {
		t.Fatalf("list-users: %v\n%s", err, out)
	}
}

// TestBoto3 drives the server with boto3.
func TestBoto3(t *testing.T) {
	needBoto3(t)
	dir := t.TempDir()
	p := serve(t, dir)
	script := `
import json
iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}))
iam.put_role_policy(RoleName="app", PolicyName="s3", PolicyDocument=json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}))
doc = iam.get_role_policy(RoleName="app", PolicyName="s3")["PolicyDocument"]
assert doc["Statement"][0]["Action"] == "s3:GetObject", doc
role = iam.get_role(RoleName="app")["Role"]
assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"] == "ec2.amazonaws.com"
assert role["MaxSessionDuration"] == 3600
try:
    iam.create_role(RoleName="APP", AssumeRolePolicyDocument="{}")
    raise SystemExit("duplicate accepted")
except iam.exceptions.EntityAlreadyExistsException as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 409
names = [u["UserName"] for p in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1}) for u in p["Users"]]
assert names == ["admin"], names
print("ok")
`
	boto3(t, p, script)
}

// TestKill9 kills the server with SIGKILL while a client writes, then
// restarts it: every acknowledged write is there, and every request was
// all or nothing (a user created with tags has all its tags).
func TestKill9(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, dir)
	creds := adminCreds(t, dir)
	for round := range 3 {
		c := client(p.endpoint, creds)
		var acked atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				name := fmt.Sprintf("r%du%d", round, i)
				_, err := c.CreateUser(context.Background(), &awsiam.CreateUserInput{
					UserName: aws.String(name),
					Tags:     []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}},
				})
				if err != nil {
					return
				}
				acked.Store(int64(i + 1))
			}
		}()
		// Kill at a random moment once writes are flowing (on a loaded
		// machine the first may take longer than the random wait).
		for deadline := time.Now().Add(30 * time.Second); acked.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond)
		p.kill()
		<-done
		n := acked.Load()
		if n == 0 {
			t.Fatalf("round %d: nothing acknowledged before the kill", round)
		}
		p = serve(t, dir)
		c = client(p.endpoint, creds)
		for i := int64(0); i <= n; i++ {
			name := fmt.Sprintf("r%du%d", round, i)
			tags, err := c.ListUserTags(context.Background(), &awsiam.ListUserTagsInput{UserName: aws.String(name)})
			switch {
			case i < n && err != nil:
				t.Fatalf("round %d: acknowledged user %s lost: %v", round, name, err)
			case err == nil && len(tags.Tags) != 2:
				t.Fatalf("round %d: user %s half written: tags %v", round, name, tags.Tags)
			case err != nil && code(err) != "NoSuchEntity":
				t.Fatalf("round %d: %s: %v", round, name, err)
			}
		}
	}
}

// TestDevMode checks the moto-compatible mode: unknown keys act as the
// root of 123456789012, reset wipes the state, reset-auth turns
// authentication on after a number of calls.
// https://docs.getmoto.org/en/latest/docs/iam.html
func TestDevMode(t *testing.T) {
	p := serve(t, t.TempDir(), "--dev")
	ctx := context.Background()
	anyKey := client(p.endpoint, aws.Credentials{AccessKeyID: "AKIAANYTHING", SecretAccessKey: "whatever"})
	out, err := anyKey.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("tester")})
	if err != nil || *out.User.Arn != "arn:aws:iam::123456789012:user/tester" {
		t.Fatalf("CreateUser as unknown key: %v %v", out, err)
	}
	post := func(path, body string) map[string]string {
		resp, err := http.Post(p.endpoint+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := post("/moto-api/reset", ""); m["status"] != "ok" {
		t.Fatalf("reset = %v", m)
	}
	if _, err := anyKey.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("tester")}); code(err) != "NoSuchEntity" {
		t.Fatalf("after reset: %v", err)
	}
	// Issue a real key while calls are unauthenticated...
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = anyKey.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("limited")})
	must(err)
	key, err := anyKey.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("limited")})
	must(err)
	if m := post("/moto-api/reset-auth", "4"); m["status"] != "ok" || m["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"] != "inf" {
		t.Fatalf("reset-auth = %v", m)
	}
	for range 4 {
		_, err := anyKey.ListUsers(ctx, &awsiam.ListUsersInput{})
		must(err)
	}
	// ...now every call is verified and authorized for real.
	if _, err := anyKey.ListUsers(ctx, &awsiam.ListUsersInput{}); code(err) != "InvalidClientTokenId" {
		t.Fatalf("unknown key after the window: %v", err)
	}
	limited := client(p.endpoint, aws.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey})
	if _, err := limited.ListUsers(ctx, &awsiam.ListUsersInput{}); code(err) != "AccessDenied" {
		t.Fatalf("user without policies after the window: %v", err)
	}
	me, err := limited.GetUser(ctx, &awsiam.GetUserInput{})
	if code(err) != "AccessDenied" {
		t.Fatalf("GetUser without policy: %v %v", me, err)
	}
	if m := post("/moto-api/reset-auth", "inf"); m["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"] != "4.0" {
		t.Fatalf("reset-auth back = %v", m)
	}
	// A cn- signing region selects the aws-cn partition.
	cn := awsiam.New(awsiam.Options{Region: "cn-north-1", BaseEndpoint: aws.String(p.endpoint), RetryMaxAttempts: 1, HTTPClient: sdktest.HTTPClient(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "y"}, nil
		})})
	u, err := cn.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("limited")})
	must(err)
	if !regexp.MustCompile(`^arn:aws-cn:iam::123456789012:user/limited$`).MatchString(*u.User.Arn) {
		t.Fatalf("cn ARN = %s", *u.User.Arn)
	}
}

// awsCLI returns a runner of `aws iam ARGS...` configured only by the
// bootstrap's files in dir (credentials and config), with extra
// environment variables after them (an access key of its own, say), never
// the caller's AWS_ variables, run in dir so that file:// arguments may
// be relative. It skips the test when the aws CLI is not installed.
func awsCLI(t *testing.T, dir string, extra ...string) func(args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	env := bootstrapEnv(dir, extra...)
	return func(args ...string) (string, error) {
		cmd := exec.Command("aws", append([]string{"iam"}, args...)...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// jsonCLI wraps an awsCLI runner: JSON output, decoded.
func jsonCLI(t *testing.T, run func(args ...string) (string, error)) func(args ...string) (map[string]any, string, error) {
	return func(args ...string) (map[string]any, string, error) {
		t.Helper()
		out, err := run(append([]string{"--output", "json"}, args...)...)
		var v map[string]any
		if err == nil && len(strings.TrimSpace(out)) > 0 {
			if jerr := json.Unmarshal([]byte(out), &v); jerr != nil {
				t.Fatalf("aws %v: %v\n%s", args, jerr, out)
			}
		}
		return v, out, err
	}
}

// bootstrapEnv is the environment of a client configured only by the
// bootstrap's files in dir (credentials and config), with extra
// variables after them, never the caller's AWS_ variables.
func bootstrapEnv(dir string, extra ...string) []string {
	env := []string{"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "AWS_CONFIG_FILE=" + filepath.Join(dir, "config")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// mustJSON wraps a jsonCLI runner: a command that fails fails the test.
func mustJSON(t *testing.T, run func(args ...string) (map[string]any, string, error)) func(args ...string) map[string]any {
	return func(args ...string) map[string]any {
		t.Helper()
		v, out, err := run(args...)
		if err != nil {
			t.Fatalf("aws iam %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return v
	}
}

// haveBoto3 reports whether boto3 is installed.
func haveBoto3() bool { return exec.Command("python3", "-c", "import boto3").Run() == nil }

// needBoto3 skips the test when boto3 is not installed.
func needBoto3(t *testing.T) {
	t.Helper()
	if !haveBoto3() {
		t.Skip("boto3 not installed")
	}
}

// boto3Prelude opens every boto3 script: it imports boto3,
// botocore.config and sys, defines client(region="us-east-1", **config),
// a boto3 IAM client of the server signed with the administrator's key
// (config: botocore.config.Config's arguments, for a script that needs
// parameter validation off, say), and iam = client(). The script's own
// arguments are then sys.argv[1:].
const boto3Prelude = `import boto3, botocore.config, sys
_endpoint, _key, _secret = sys.argv[1:4]
del sys.argv[1:4]
def client(region="us-east-1", **config):
    return boto3.client("iam", endpoint_url=_endpoint, region_name=region,
        aws_access_key_id=_key, aws_secret_access_key=_secret,
        config=botocore.config.Config(**config) if config else None)
iam = client()
`

// boto3 runs a Python script after boto3Prelude against the server p as
// the administrator the bootstrap made, args in sys.argv[1:], and fails
// the test unless it prints "ok".
func boto3(t *testing.T, p *proc, script string, args ...string) {
	t.Helper()
	c := adminCreds(t, p.dataDir)
	argv := append([]string{"-c", boto3Prelude + script, p.endpoint, c.AccessKeyID, c.SecretAccessKey}, args...)
	out, err := exec.Command("python3", argv...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
