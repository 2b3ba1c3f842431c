package iam

import (
	"errors"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/internal/password"
)

// The account password policy: its defaults, and the rules (package
// password) a new IAM user password must meet under it or, without one,
// under AWS's default password policy.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html

// Defaults of UpdateAccountPasswordPolicy for parameters it is not given:
// minimum length 6, nothing required, nothing allowed, no expiry, no
// reuse prevention. The operation does not update partially.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
const defaultMinimumPasswordLength = 6

// maxPasswordReuse is the most previous passwords a policy can remember
// (PasswordReusePrevention's range is 1 to 24).
const maxPasswordReuse = 24

func errPasswordPolicy() error {
	return iamapi.PasswordPolicyViolation("Password does not conform to the account password policy.")
}

// newPasswordPolicy is the policy UpdateAccountPasswordPolicy sets: what
// it is given, and AWS's default for everything else. Ranges were checked
// by the decoder.
func newPasswordPolicy(in *iamapi.UpdateAccountPasswordPolicyInput) *passwordPolicy {
	set := func(b *bool) bool { return b != nil && *b }
	p := &passwordPolicy{
		MinimumPasswordLength:      defaultMinimumPasswordLength,
		RequireSymbols:             set(in.RequireSymbols),
		RequireNumbers:             set(in.RequireNumbers),
		RequireUppercaseCharacters: set(in.RequireUppercaseCharacters),
		RequireLowercaseCharacters: set(in.RequireLowercaseCharacters),
		AllowUsersToChangePassword: set(in.AllowUsersToChangePassword),
	}
	if in.HardExpiry != nil {
		p.HardExpiry = awsapi.Ptr(*in.HardExpiry)
	}
	if in.MinimumPasswordLength != nil {
		p.MinimumPasswordLength = *in.MinimumPasswordLength
	}
	if in.MaxPasswordAge != nil {
		p.MaxPasswordAge = *in.MaxPasswordAge
	}
	if in.PasswordReusePrevention != nil {
		p.PasswordReusePrevention = *in.PasswordReusePrevention
	}
	return p
}

// apiPasswordPolicy is the policy as GetAccountPasswordPolicy returns it:
// ExpirePasswords says whether MaxPasswordAge is set; MaxPasswordAge and
// PasswordReusePrevention appear only when set, and HardExpiry only when
// UpdateAccountPasswordPolicy was given it (AWS's recorded answer to an
// update with no parameters has no HardExpiry element).
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_account_password_policy.snapshot.json
func apiPasswordPolicy(p *passwordPolicy) *iamapi.PasswordPolicy {
	out := &iamapi.PasswordPolicy{
		MinimumPasswordLength:      awsapi.Ptr(p.MinimumPasswordLength),
		RequireSymbols:             awsapi.Ptr(p.RequireSymbols),
		RequireNumbers:             awsapi.Ptr(p.RequireNumbers),
		RequireUppercaseCharacters: awsapi.Ptr(p.RequireUppercaseCharacters),
		RequireLowercaseCharacters: awsapi.Ptr(p.RequireLowercaseCharacters),
		AllowUsersToChangePassword: awsapi.Ptr(p.AllowUsersToChangePassword),
		ExpirePasswords:            awsapi.Ptr(p.MaxPasswordAge > 0),
	}
	if p.HardExpiry != nil {
		out.HardExpiry = awsapi.Ptr(*p.HardExpiry)
	}
	if p.MaxPasswordAge > 0 {
		out.MaxPasswordAge = awsapi.Ptr(p.MaxPasswordAge)
	}
	if p.PasswordReusePrevention > 0 {
		out.PasswordReusePrevention = awsapi.Ptr(p.PasswordReusePrevention)
	}
	return out
}

// passwordRules are the rules of the policy p (nil: the default
// password policy, whose rule against the account name or email address
// has nothing to compare with here: Gatehouse accounts have neither).
func passwordRules(p *passwordPolicy) password.Rules {
	if p == nil {
		return password.Default()
	}
	return password.Rules{
		MinLength:        int(p.MinimumPasswordLength),
		RequireUppercase: p.RequireUppercaseCharacters,
		RequireLowercase: p.RequireLowercaseCharacters,
		RequireNumbers:   p.RequireNumbers,
		RequireSymbols:   p.RequireSymbols,
	}
}

// checkPassword applies the complexity rules of the policy p (nil: the
// default password policy) to a new password. Reuse is checked against
// hashes separately (checkReuse).
func checkPassword(p *passwordPolicy, pw string) error {
	if err := passwordRules(p).Check(pw); err != nil {
		if errors.Is(err, password.ErrPolicy) {
			return errPasswordPolicy()
		}
		return err
	}
	return nil
}
