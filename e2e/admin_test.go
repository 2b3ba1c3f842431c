package e2e_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestAccountCreate runs `gatehouse account create` as its own process
// beside a running `gatehouse serve` on the data directory: the new
// account's administrator key is enforced by the server within the
// bound, and creating the account again fails with exit 1.
func TestAccountCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := serve(t, dir)
	out, err := exec.Command(binary, "account", "create", "--data-dir", dir, "--account", "444455556666").CombinedOutput()
	created := time.Now()
	if err != nil {
		t.Fatalf("account create: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "export AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials-444455556666")) {
		t.Fatalf("account create printed:\n%s", out)
	}
	key := credsFile(t, filepath.Join(dir, "credentials-444455556666"))
	c := client(p.endpoint, key)
	for {
		res, err := c.GetUser(ctx, &awsiam.GetUserInput{})
		if err == nil {
			if got := aws.ToString(res.User.Arn); got != "arn:aws:iam::444455556666:user/admin" {
				t.Fatalf("GetUser as the new admin: %s", got)
			}
			break
		}
		if time.Since(created) > bound {
			t.Fatalf("%v after account create, the running server answers %v", bound, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("the new account's key was enforced by the running server %v after account create", time.Since(created))
	out, err = exec.Command(binary, "account", "create", "--data-dir", dir, "--account", "444455556666").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "account 444455556666 exists already") {
		t.Fatalf("second account create: %v\n%s", err, out)
	}
}
