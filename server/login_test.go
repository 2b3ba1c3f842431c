package server_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/store"
)

// These tests cover the login family: the account password policy, login
// profiles (console passwords) and ChangePassword.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords.html

// A password that meets AWS's default password policy (8 characters, all
// four character types) and the custom policies below.
const goodPassword = "Tr0ub4dor&3xyz"

func getPolicy(t *testing.T, c *awsiam.Client) *awsiam.GetAccountPasswordPolicyOutput {
	t.Helper()
	return must[*awsiam.GetAccountPasswordPolicyOutput](t)(c.GetAccountPasswordPolicy(context.Background(), &awsiam.GetAccountPasswordPolicyInput{}))
}

// storedRecords returns every record of the store as kind/key -> value.
func (h *harness) storedRecords() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	_, err := h.store.Load(context.Background(), func(r store.Record) error {
		out[r.Kind+"/"+r.Key] = string(r.Value)
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// TestAccountPasswordPolicy: no policy is NoSuchEntity with AWS's
// messages; UpdateAccountPasswordPolicy sets the whole policy, omitted
// parameters taking AWS's defaults (no partial updates); ranges; the
// rest of the account's settings stay; persistence; authorization.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
func TestAccountPasswordPolicy(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()

	_, err := a.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantError(t, err, "NoSuchEntity", "The Password Policy with domain name "+testAccount+" cannot be found.")
	_, err = a.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{})
	wantError(t, err, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")

	// Nothing given: every default.
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(a.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}))
	p := getPolicy(t, a).PasswordPolicy
	if *p.MinimumPasswordLength != 6 || p.RequireSymbols || p.RequireNumbers || p.RequireUppercaseCharacters || p.RequireLowercaseCharacters ||
		p.AllowUsersToChangePassword || p.ExpirePasswords || p.HardExpiry != nil || p.MaxPasswordAge != nil || p.PasswordReusePrevention != nil {
		// HardExpiry is left out when not given, as AWS answers:
		// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_account_password_policy.snapshot.json
		t.Fatalf("default policy = %+v", p)
	}

	// Everything given.
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(a.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(90),
		PasswordReusePrevention: aws.Int32(24), HardExpiry: aws.Bool(true),
	}))
	p = getPolicy(t, a).PasswordPolicy
	if *p.MinimumPasswordLength != 14 || !p.RequireSymbols || !p.RequireNumbers || !p.RequireUppercaseCharacters || !p.RequireLowercaseCharacters ||
		!p.AllowUsersToChangePassword || !p.ExpirePasswords || !*p.HardExpiry || *p.MaxPasswordAge != 90 || *p.PasswordReusePrevention != 24 {
		t.Fatalf("full policy = %+v", p)
	}

	// No partial updates: what is not given reverts to its default.
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(a.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{RequireNumbers: true}))
	p = getPolicy(t, a).PasswordPolicy
	if *p.MinimumPasswordLength != 6 || !p.RequireNumbers || p.RequireSymbols || p.AllowUsersToChangePassword || p.ExpirePasswords || p.HardExpiry != nil ||
		p.MaxPasswordAge != nil || p.PasswordReusePrevention != nil {
		t.Fatalf("after a partial update = %+v", p)
	}

	ranges := []struct {
		name string
		in   awsiam.UpdateAccountPasswordPolicyInput
		msg  string
	}{
		{"length below 6", awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)},
			"1 validation error detected: Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{"length above 128", awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(129)},
			"1 validation error detected: Value '129' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{"age above 1095", awsiam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1096)},
			"1 validation error detected: Value '1096' at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"},
		{"reuse above 24", awsiam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(25)},
			"1 validation error detected: Value '25' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24"},
	}
	for _, tc := range ranges {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.UpdateAccountPasswordPolicy(ctx, &tc.in)
			wantError(t, err, "ValidationError", tc.msg)
		})
	}
	if !getPolicy(t, a).PasswordPolicy.RequireNumbers {
		t.Fatal("a rejected update changed the policy")
	}

	// The policy lives in the account's settings, next to the root
	// user's password hash, which it leaves alone.
	var s map[string]any
	if err := json.Unmarshal([]byte(h.storedRecords()["settings/account"]), &s); err != nil {
		t.Fatal(err)
	}
	if rp, _ := s["rootPassword"].(string); !strings.HasPrefix(rp, "$argon2id$") || s["passwordPolicy"] == nil || s["rootCreated"] == nil {
		t.Fatalf("settings record = %v", s)
	}

	// A user without permission.
	dev, _ := h.newUserWithKey("dev")
	for name, call := range map[string]func() error{
		"GetAccountPasswordPolicy": func() error {
			_, err := dev.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
			return err
		},
		"UpdateAccountPasswordPolicy": func() error {
			_, err := dev.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{})
			return err
		},
		"DeleteAccountPasswordPolicy": func() error {
			_, err := dev.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{})
			return err
		},
	} {
		wantError(t, call(), "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/dev is not authorized to perform: iam:"+name+
			" on resource: * because no identity-based policy allows the iam:"+name+" action")
	}

	// The policy survives a restart; deleting it brings the default back.
	h.restart()
	a = h.admin()
	if !getPolicy(t, a).PasswordPolicy.RequireNumbers {
		t.Fatal("policy lost in a restart")
	}
	must[*awsiam.DeleteAccountPasswordPolicyOutput](t)(a.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{}))
	_, err = a.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantCode(t, err, "NoSuchEntity")
	if !strings.Contains(h.storedRecords()["settings/account"], "$argon2id$") {
		t.Fatal("deleting the password policy lost the root password")
	}
}

// TestPasswordRules: without a custom policy, AWS's default password
// policy (8 characters, three of the four character types); with one,
// its length and character requirements, the symbols being exactly the
// ones the policy lists.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html#default-policy-details
func TestPasswordRules(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))
	try := func(pw string) error {
		_, err := a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(pw)})
		if err == nil {
			must[*awsiam.DeleteLoginProfileOutput](t)(a.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("alice")}))
		}
		return err
	}
	cases := []struct {
		name, pw string
		ok       bool
	}{
		{"default: four types, 8 characters", "aB3!efgh", true},
		{"default: three types", "abcDEF12", true},
		{"default: three types, symbols", "abc!@#12", true},
		{"default: 7 characters", "aB3!efg", false},
		{"default: two types", "abcdEFGH", false},
		{"default: one type", "abcdefghijkl", false},
		{"default: a period is no symbol", "abcDEFG.h", false},
	}
	run := func(cases []struct {
		name, pw string
		ok       bool
	}) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := try(tc.pw)
				if tc.ok {
					if err != nil {
						t.Fatalf("%q rejected: %v", tc.pw, err)
					}
					return
				}
				wantError(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
			})
		}
	}
	run(cases)

	// A custom policy replaces the default one.
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(a.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}))
	run([]struct {
		name, pw string
		ok       bool
	}{
		{"custom defaults: 6 characters of one type", "abcdef", true},
		{"custom defaults: 5 characters", "abcde", false},
	})
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(a.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(12), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
	}))
	run([]struct {
		name, pw string
		ok       bool
	}{
		{"custom: everything", "Abcdefgh1{}x", true},
		{"custom: 11 characters", "Abcdefg1{}x", false},
		{"custom: no upper case", "abcdefgh1{}x", false},
		{"custom: no lower case", "ABCDEFGH1{}X", false},
		{"custom: no number", "Abcdefghi{}x", false},
		{"custom: no symbol", "Abcdefgh12xy", false},
		{"custom: only unlisted symbols", "Abcdefgh1.,~", false},
		{"custom: Latin-1 letters are no letters", "ÄÖÜäöü1!ÄÖÜä", false},
	})
}

// TestLoginProfile walks a console password through its life: create
// (by default for the caller), the values returned, get, update, the
// DeleteUser conflict, delete; every documented error; authorization;
// persistence; no plaintext at rest.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html
func TestLoginProfile(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/staff/")}))
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}))

	before := time.Now().Add(-time.Second)
	out := must[*awsiam.CreateLoginProfileOutput](t)(a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{
		UserName: aws.String("ALICE"), Password: aws.String(goodPassword), PasswordResetRequired: true,
	}))
	lp := out.LoginProfile
	if *lp.UserName != "alice" || !lp.PasswordResetRequired || lp.CreateDate.Before(before) || lp.CreateDate.After(time.Now()) {
		t.Fatalf("CreateLoginProfile = %+v", lp)
	}
	got := must[*awsiam.GetLoginProfileOutput](t)(a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})).LoginProfile
	if *got.UserName != "alice" || !got.PasswordResetRequired || !got.CreateDate.Equal(*lp.CreateDate) {
		t.Fatalf("GetLoginProfile = %+v", got)
	}

	errs := []struct {
		name, code, msg string
		call            func() error
	}{
		{"second profile", "EntityAlreadyExists", "Login Profile for user alice already exists.", func() error {
			_, err := a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(goodPassword)})
			return err
		}},
		{"create for no such user", "NoSuchEntity", "The user with name nobody cannot be found.", func() error {
			_, err := a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(goodPassword)})
			return err
		}},
		{"create without password", "ValidationError", "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null", func() error {
			_, err := a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob")})
			return err
		}},
		{"create breaking the policy", "PasswordPolicyViolation", "Password does not conform to the account password policy.", func() error {
			_, err := a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("password")})
			return err
		}},
		{"password too long", "ValidationError", "", func() error {
			_, err := a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(strings.Repeat("aB3!", 33))})
			return err
		}},
		{"get without profile", "NoSuchEntity", "Login Profile for User bob cannot be found.", func() error {
			_, err := a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("bob")})
			return err
		}},
		{"get for no such user", "NoSuchEntity", "The user with name nobody cannot be found.", func() error {
			_, err := a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("nobody")})
			return err
		}},
		{"update without profile", "NoSuchEntity", "Login Profile for User bob cannot be found.", func() error {
			_, err := a.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(goodPassword)})
			return err
		}},
		{"update breaking the policy", "PasswordPolicyViolation", "Password does not conform to the account password policy.", func() error {
			_, err := a.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("short")})
			return err
		}},
		{"delete without profile", "NoSuchEntity", "Login Profile for User bob cannot be found.", func() error {
			_, err := a.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("bob")})
			return err
		}},
		{"delete user with profile", "DeleteConflict", "Cannot delete entity, must delete login profile first.", func() error {
			_, err := a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")})
			return err
		}},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, tc.code)
			if tc.msg != "" && apiMessage(err) != tc.msg {
				t.Fatalf("message = %q\nwant      %q", apiMessage(err), tc.msg)
			}
		})
	}

	// UpdateLoginProfile changes what it is given and keeps the rest.
	must[*awsiam.UpdateLoginProfileOutput](t)(a.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("alice"), PasswordResetRequired: aws.Bool(false)}))
	got = must[*awsiam.GetLoginProfileOutput](t)(a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})).LoginProfile
	if got.PasswordResetRequired || !got.CreateDate.Equal(*lp.CreateDate) {
		t.Fatalf("after resetting the flag: %+v", got)
	}
	must[*awsiam.UpdateLoginProfileOutput](t)(a.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("An0ther-Pass")}))
	if got := must[*awsiam.GetLoginProfileOutput](t)(a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})).LoginProfile; got.PasswordResetRequired {
		t.Fatalf("a new password alone set the reset flag: %+v", got)
	}

	// Passwords are stored as argon2id hashes only.
	records := h.storedRecords()
	for k, v := range records {
		if strings.Contains(v, goodPassword) || strings.Contains(v, "An0ther-Pass") {
			t.Fatalf("plaintext password in record %s", k)
		}
	}
	if v := records["login/alice"]; !strings.Contains(v, `"hash":"$argon2id$`) {
		t.Fatalf("login profile record without a hash: %q", v)
	}

	// Renaming the user keeps its login profile; it survives a restart.
	must[*awsiam.UpdateUserOutput](t)(a.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alicia")}))
	h.restart()
	a = h.admin()
	got = must[*awsiam.GetLoginProfileOutput](t)(a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alicia")})).LoginProfile
	if *got.UserName != "alicia" || !got.CreateDate.Equal(*lp.CreateDate) {
		t.Fatalf("after rename and restart: %+v", got)
	}

	// Without the login profile the user can be deleted.
	must[*awsiam.DeleteLoginProfileOutput](t)(a.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("alicia")}))
	_, err := a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alicia")})
	wantError(t, err, "NoSuchEntity", "Login Profile for User alicia cannot be found.")
	must[*awsiam.DeleteUserOutput](t)(a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alicia")}))
}

// TestLoginProfileAuthorization: each operation is iam:<Op> on the
// user's ARN, checked before the profile's existence is revealed;
// UserName defaults to the calling user.
func TestLoginProfileAuthorization(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("target"), Path: aws.String("/ops/")}))
	dev, _ := h.newUserWithKey("dev")
	denied := func(action, resource string) string {
		return "User: arn:aws:iam::" + testAccount + ":user/dev is not authorized to perform: iam:" + action + " on resource: " + resource +
			" because no identity-based policy allows the iam:" + action + " action"
	}
	target := "arn:aws:iam::" + testAccount + ":user/ops/target"
	calls := map[string]func() error{
		"CreateLoginProfile": func() error {
			_, err := dev.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("target"), Password: aws.String(goodPassword)})
			return err
		},
		"GetLoginProfile": func() error {
			_, err := dev.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("target")})
			return err
		},
		"UpdateLoginProfile": func() error {
			_, err := dev.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("target"), Password: aws.String(goodPassword)})
			return err
		},
		"DeleteLoginProfile": func() error {
			_, err := dev.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("target")})
			return err
		},
	}
	for action, call := range calls {
		t.Run(action, func(t *testing.T) {
			wantError(t, call(), "AccessDenied", denied(action, target))
		})
	}
	_, err := dev.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("ghost")})
	wantError(t, err, "AccessDenied", denied("GetLoginProfile", "arn:aws:iam::"+testAccount+":user/ghost"))

	// A user allowed to manage its own password, and nothing else.
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{
		UserName: aws.String("dev"), PolicyName: aws.String("OwnLogin"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*LoginProfile"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`),
	}))
	created := must[*awsiam.CreateLoginProfileOutput](t)(dev.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{Password: aws.String(goodPassword)}))
	if *created.LoginProfile.UserName != "dev" {
		t.Fatalf("created for %s", *created.LoginProfile.UserName)
	}
	if got := must[*awsiam.GetLoginProfileOutput](t)(dev.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})); *got.LoginProfile.UserName != "dev" {
		t.Fatalf("got %s", *got.LoginProfile.UserName)
	}
	must[*awsiam.DeleteLoginProfileOutput](t)(dev.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{}))
	wantError(t, calls["CreateLoginProfile"](), "AccessDenied", denied("CreateLoginProfile", target))
}

// TestChangePassword: the calling IAM user changes its own password given
// the current one. AllowUsersToChangePassword grants iam:ChangePassword
// on the user itself and iam:GetAccountPasswordPolicy without any policy
// of the user's (an explicit deny and a boundary still apply); the new
// password meets the policy, reuse prevention included; the reset flag
// clears; root gets InvalidUserType.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html
func TestChangePassword(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	dana, danaKey := h.newUserWithKey("dana")
	const p1, p2, p3 = "First-Pass-1", "Second-Pass-2", "Third-Pass-3"
	change := func(c *awsiam.Client, old, new string) error {
		_, err := c.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(old), NewPassword: aws.String(new)})
		return err
	}
	danaARN := "arn:aws:iam::" + testAccount + ":user/dana"
	denied := func(action, resource, why string) string {
		return "User: " + danaARN + " is not authorized to perform: iam:" + action + " on resource: " + resource + " because no " + why + " allows the iam:" + action + " action"
	}

	// No password yet, no permission.
	wantError(t, change(dana, p1, p2), "AccessDenied", denied("ChangePassword", danaARN, "identity-based policy"))
	must[*awsiam.CreateLoginProfileOutput](t)(a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("dana"), Password: aws.String(p1), PasswordResetRequired: true}))
	wantError(t, change(dana, p1, p2), "AccessDenied", denied("ChangePassword", danaARN, "identity-based policy"))
	_, err := dana.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantError(t, err, "AccessDenied", denied("GetAccountPasswordPolicy", "*", "identity-based policy"))

	// The policy lets every user change its own password.
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(a.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(10), RequireNumbers: true, AllowUsersToChangePassword: true, PasswordReusePrevention: aws.Int32(2),
	}))
	if p := getPolicy(t, dana).PasswordPolicy; !p.AllowUsersToChangePassword {
		t.Fatalf("policy as dana sees it: %+v", p)
	}
	_, err = dana.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})
	wantCode(t, err, "AccessDenied") // the grant is these two actions only

	wantError(t, change(dana, "not-my-password-1", p2), "AccessDenied", "The old password is incorrect.")
	wantError(t, change(dana, p1, "no-digits-here"), "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	wantError(t, change(dana, p1, p1), "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	if err := change(dana, p1, p2); err != nil {
		t.Fatal(err)
	}
	lp := must[*awsiam.GetLoginProfileOutput](t)(a.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("dana")})).LoginProfile
	if lp.PasswordResetRequired {
		t.Fatal("ChangePassword left PasswordResetRequired set")
	}
	wantError(t, change(dana, p1, p3), "AccessDenied", "The old password is incorrect.")
	// Reuse prevention 2: the current password and the one before.
	wantCode(t, change(dana, p2, p1), "PasswordPolicyViolation")
	wantCode(t, change(dana, p2, p2), "PasswordPolicyViolation")
	if err := change(dana, p2, p3); err != nil {
		t.Fatal(err)
	}
	if err := change(dana, p3, p1); err != nil { // p1 is three passwords back now
		t.Fatalf("p1 after two more: %v", err)
	}
	// An administrator's reset is held to the same rules.
	_, err = a.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("dana"), Password: aws.String(p3)})
	wantCode(t, err, "PasswordPolicyViolation")

	// An explicit deny wins over the account-level grant.
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{
		UserName: aws.String("dana"), PolicyName: aws.String("NoChange"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ChangePassword","Resource":"*"}]}`),
	}))
	err = change(dana, p1, p2)
	wantCode(t, err, "AccessDenied")
	if !strings.HasSuffix(apiMessage(err), "with an explicit deny in an identity-based policy") {
		t.Fatalf("explicit deny message = %q", apiMessage(err))
	}
	must[*awsiam.DeleteUserPolicyOutput](t)(a.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("NoChange")}))

	// A permissions boundary limits it like any identity-based permission.
	boundary := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName:     aws.String("OnlyGetUser"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`),
	}))
	must[*awsiam.PutUserPermissionsBoundaryOutput](t)(a.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("dana"), PermissionsBoundary: boundary.Policy.Arn}))
	wantError(t, change(dana, p1, p2), "AccessDenied", denied("ChangePassword", danaARN, "permissions boundary"))
	must[*awsiam.DeleteUserPermissionsBoundaryOutput](t)(a.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("dana")}))

	// Without the grant, an identity policy on the user's own ARN allows it
	// (the documented way to let only some users change their passwords).
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(a.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}))
	wantCode(t, change(dana, p1, p2), "AccessDenied")
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{
		UserName: aws.String("dana"), PolicyName: aws.String("OwnPassword"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccountPasswordPolicy","Resource":"*"},{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`),
	}))
	if err := change(dana, p1, p2); err != nil {
		t.Fatal(err)
	}

	// A user without a login profile.
	must[*awsiam.DeleteLoginProfileOutput](t)(a.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("dana")}))
	wantError(t, change(dana, p2, p3), "NoSuchEntity", "Login Profile for User dana cannot be found.")

	// The new password survives a restart.
	must[*awsiam.CreateLoginProfileOutput](t)(a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("dana"), Password: aws.String(p1)}))
	if err := change(dana, p1, p2); err != nil {
		t.Fatal(err)
	}
	h.restart()
	dana = h.client(danaKey)
	wantError(t, change(dana, p1, p3), "AccessDenied", "The old password is incorrect.")
	if err := change(dana, p2, p3); err != nil {
		t.Fatal(err)
	}
}

// TestLoginNonUserCallers: the root user (dev mode's unknown keys) cannot
// call ChangePassword, and must name the user of a login profile.
func TestLoginNonUserCallers(t *testing.T) {
	h := start(t, true)
	ctx := context.Background()
	root := h.client(aws.Credentials{AccessKeyID: "AKIAROOTROOTROOTROOT", SecretAccessKey: "x"})
	_, err := root.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String("a"), NewPassword: aws.String("b")})
	wantError(t, err, "InvalidUserType", "Only IAM users can change their own password with ChangePassword.")
	_, err = root.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})
	wantError(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")
	_, err = root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{Password: aws.String(goodPassword)})
	wantError(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")
	_, err = root.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{})
	wantError(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")

	// An account without settings gets them with its first policy.
	must[*awsiam.UpdateAccountPasswordPolicyOutput](t)(root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(20)}))
	if p := getPolicy(t, root).PasswordPolicy; *p.MinimumPasswordLength != 20 {
		t.Fatalf("dev account policy = %+v", p)
	}
	must[*awsiam.CreateUserOutput](t)(root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}))
	_, err = root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String(goodPassword)})
	wantCode(t, err, "PasswordPolicyViolation")
}

// TestConcurrentPasswordWrites has administrators reset one user's
// password at once: the hashing runs outside the service's locks, so a
// write that finds the profile changed since starts over. Every call
// succeeds or asks to try again, and the profile remembers exactly the
// passwords that were set.
func TestConcurrentPasswordWrites(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carl")}))
	must[*awsiam.CreateLoginProfileOutput](t)(a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("carl"), Password: aws.String(goodPassword)}))
	const n = 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := a.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("carl"), Password: aws.String(goodPassword + strconv.Itoa(i))})
			errs <- err
		}()
	}
	set := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			set++
		case apiCode(err) != "EntityTemporarilyUnmodifiable":
			t.Fatal(err)
		}
	}
	var lp struct{ History []string }
	if err := json.Unmarshal([]byte(h.storedRecords()["login/carl"]), &lp); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d resets went through", set, n)
	if set == 0 || len(lp.History) != set {
		t.Fatalf("%d passwords set, %d in the history", set, len(lp.History))
	}
}
