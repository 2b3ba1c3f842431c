package e2e_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLoginCLI drives the account password policy, login profiles and
// ChangePassword with the aws CLI against the binary: the administrator
// from the bootstrap files, a user with its own access key changing its
// own password under AllowUsersToChangePassword.
func TestLoginCLI(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	// cli runs the aws CLI with the bootstrap's config (endpoint, region) and
	// either the admin's credentials file or the given access key.
	cli := func(key []string, args ...string) (string, error) {
		if key == nil {
			return awsCLI(t, dir)(args...)
		}
		return awsCLI(t, dir, "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_ACCESS_KEY_ID="+key[0], "AWS_SECRET_ACCESS_KEY="+key[1])(args...)
	}
	admin := func(args ...string) (string, error) { return cli(nil, args...) }
	ok := func(out string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return out
	}
	fails := func(out string, err error, code, msg string) {
		t.Helper()
		if err == nil || !strings.Contains(out, "("+code+")") || !strings.Contains(out, msg) {
			t.Fatalf("want %s %q, got %v\n%s", code, msg, err, out)
		}
	}

	out, err := admin("get-account-password-policy")
	fails(out, err, "NoSuchEntity", "The Password Policy with domain name ")
	ok(admin("update-account-password-policy", "--minimum-password-length", "12", "--require-numbers", "--require-symbols",
		"--allow-users-to-change-password", "--password-reuse-prevention", "3", "--max-password-age", "90"))
	var pol struct {
		PasswordPolicy map[string]any
	}
	if err := json.Unmarshal([]byte(ok(admin("get-account-password-policy"))), &pol); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"MinimumPasswordLength": 12.0, "RequireSymbols": true, "RequireNumbers": true, "RequireUppercaseCharacters": false,
		"RequireLowercaseCharacters": false, "AllowUsersToChangePassword": true, "ExpirePasswords": true, "MaxPasswordAge": 90.0,
		"PasswordReusePrevention": 3.0,
	}
	for k, v := range want {
		if pol.PasswordPolicy[k] != v {
			t.Fatalf("get-account-password-policy: %s = %v, want %v (%v)", k, pol.PasswordPolicy[k], v, pol.PasswordPolicy)
		}
	}
	// HardExpiry was not given, so AWS leaves it out.
	if _, ok := pol.PasswordPolicy["HardExpiry"]; ok {
		t.Fatalf("get-account-password-policy: HardExpiry present (%v)", pol.PasswordPolicy)
	}

	ok(admin("create-user", "--user-name", "erin"))
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(ok(admin("create-access-key", "--user-name", "erin"))), &key); err != nil {
		t.Fatal(err)
	}
	erin := func(args ...string) (string, error) {
		return cli([]string{key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey}, args...)
	}

	out, err = admin("create-login-profile", "--user-name", "erin", "--password", "too-short1")
	fails(out, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	var lp struct {
		LoginProfile struct {
			UserName              string
			CreateDate            string
			PasswordResetRequired bool
		}
	}
	if err := json.Unmarshal([]byte(ok(admin("create-login-profile", "--user-name", "erin", "--password", "Initial#Pass1", "--password-reset-required"))), &lp); err != nil {
		t.Fatal(err)
	}
	if lp.LoginProfile.UserName != "erin" || !lp.LoginProfile.PasswordResetRequired || lp.LoginProfile.CreateDate == "" {
		t.Fatalf("create-login-profile: %+v", lp)
	}

	// erin has no policy at all: the password policy lets it change its
	// own password and read the policy, nothing more.
	out, err = erin("get-login-profile")
	fails(out, err, "AccessDenied", "is not authorized to perform: iam:GetLoginProfile")
	ok(erin("get-account-password-policy"))
	out, err = erin("change-password", "--old-password", "Wrong#Pass11", "--new-password", "Changed#Pass1")
	fails(out, err, "AccessDenied", "The old password is incorrect.")
	ok(erin("change-password", "--old-password", "Initial#Pass1", "--new-password", "Changed#Pass1"))
	if err := json.Unmarshal([]byte(ok(admin("get-login-profile", "--user-name", "erin"))), &lp); err != nil {
		t.Fatal(err)
	}
	if lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("after change-password: %+v", lp)
	}
	ok(admin("update-login-profile", "--user-name", "erin", "--password", "Reset#Pass123", "--password-reset-required"))
	ok(erin("change-password", "--old-password", "Reset#Pass123", "--new-password", "Other#Pass123"))

	out, err = admin("delete-user", "--user-name", "erin")
	fails(out, err, "DeleteConflict", "Cannot delete entity, must delete login profile first.")
	ok(admin("delete-login-profile", "--user-name", "erin"))
	out, err = admin("get-login-profile", "--user-name", "erin")
	fails(out, err, "NoSuchEntity", "Login Profile for User erin cannot be found.")
	ok(admin("delete-account-password-policy"))
}
