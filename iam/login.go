package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/secret"
)

// The login family: IAM users' console passwords (login profiles), the
// account password policy, and ChangePassword. Passwords are kept only
// as argon2id hashes; the plaintext never leaves the request.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords.html
//
// The policy's MaxPasswordAge and HardExpiry act on console sign-in: a
// password older than MaxPasswordAge days (counted from
// loginProfile.Changed) must be changed at the next sign-in and, with
// HardExpiry, only an administrator can reset it there. Neither changes
// what these API operations do: "IAM users with iam:ChangePassword
// permission and active access keys can reset their own expired console
// password using the CLI or API."
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html

func errNoLoginProfile(name string) error {
	return iamapi.NoSuchEntity("Login Profile for User %s cannot be found.", name)
}

func errNoPasswordPolicy(account string) error {
	return iamapi.NoSuchEntity("The Password Policy with domain name %s cannot be found.", account)
}

// errNonUserCredentials answers a login-profile operation without
// UserName from a caller that is not an IAM user. (The root user may omit
// it only in an AssumeRoot session, which Gatehouse does not issue.)
func errNonUserCredentials() error {
	return awsapi.ValidationError("Must specify userName when calling with non-User credentials")
}

// errPasswordRequired is CreateLoginProfile without Password, which only
// an AssumeRoot session may omit.
func errPasswordRequired() error {
	return awsapi.ValidationError("1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
}

// errWrongPassword is ChangePassword with an OldPassword that is not the
// user's current password.
func errWrongPassword() error {
	return awsapi.AccessDenied("The old password is incorrect.")
}

// accountPasswordPolicy returns the account's custom password policy, or
// nil while the default password policy is in force.
func (t *txn) accountPasswordPolicy() *passwordPolicy {
	if s, ok := get[*settings](t, kindSettings, "account"); ok {
		return s.PasswordPolicy
	}
	return nil
}

// changeSettings stages a copy of the account's settings (new ones if it
// has none) as change makes it; the other fields stay as they are.
func (t *txn) changeSettings(change func(s *settings) error) error {
	var s settings
	if cur, ok := get[*settings](t, kindSettings, "account"); ok {
		s = *cur
	}
	if err := change(&s); err != nil {
		return err
	}
	t.put(&s)
	return nil
}

// UpdateAccountPasswordPolicy sets the account's password policy. It
// replaces the whole policy: a parameter not given takes its default.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
func (svc *Service) UpdateAccountPasswordPolicy(ctx context.Context, r *authn.Request, in *iamapi.UpdateAccountPasswordPolicyInput) (*iamapi.UpdateAccountPasswordPolicyOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionUpdateAccountPasswordPolicy, "*", nil); err != nil {
			return err
		}
		return t.changeSettings(func(s *settings) error {
			s.PasswordPolicy = newPasswordPolicy(in)
			return nil
		})
	})
	return &iamapi.UpdateAccountPasswordPolicyOutput{}, err
}

// GetAccountPasswordPolicy returns the account's password policy, or
// NoSuchEntity while the default policy is in force.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html
func (svc *Service) GetAccountPasswordPolicy(ctx context.Context, r *authn.Request, _ *iamapi.GetAccountPasswordPolicyInput) (*iamapi.GetAccountPasswordPolicyOutput, error) {
	var out *iamapi.GetAccountPasswordPolicyOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorizeSelfService(iamapi.ActionGetAccountPasswordPolicy, "*"); err != nil {
			return err
		}
		p := t.accountPasswordPolicy()
		if p == nil {
			return errNoPasswordPolicy(r.Account)
		}
		out = &iamapi.GetAccountPasswordPolicyOutput{PasswordPolicy: apiPasswordPolicy(p)}
		return nil
	})
	return out, err
}

// DeleteAccountPasswordPolicy deletes the account's password policy; the
// default password policy is in force again.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccountPasswordPolicy.html
func (svc *Service) DeleteAccountPasswordPolicy(ctx context.Context, r *authn.Request, _ *iamapi.DeleteAccountPasswordPolicyInput) (*iamapi.DeleteAccountPasswordPolicyOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionDeleteAccountPasswordPolicy, "*", nil); err != nil {
			return err
		}
		if t.accountPasswordPolicy() == nil {
			return iamapi.NoSuchEntity("The account policy with name PasswordPolicy cannot be found.")
		}
		return t.changeSettings(func(s *settings) error {
			s.PasswordPolicy = nil
			return nil
		})
	})
	return &iamapi.DeleteAccountPasswordPolicyOutput{}, err
}

// selfServiceGrant is the permission a password policy with
// AllowUsersToChangePassword gives every IAM user of the account:
// iam:ChangePassword for only their own user (the action has no other
// resource) and iam:GetAccountPasswordPolicy. IAM applies it at the
// account level and attaches nothing to the users. Gatehouse evaluates it
// as one more identity-based policy of the calling user, so an explicit
// deny or a permissions boundary still limits it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html
var selfServiceGrant = sync.OnceValues(func() (*policy.Set, error) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`
	p, err := policy.ParseAndCompile([]byte(doc), policy.Identity, "AccountPasswordPolicy/AllowUsersToChangePassword")
	if err != nil {
		return nil, err
	}
	return policy.NewSet(p), nil
})

// authorizeSelfService authorizes one of the two actions of
// selfServiceGrant as authorize does, with the grant among the policies
// of an IAM user whose account's password policy allows users to change
// their passwords.
func (t *txn) authorizeSelfService(action iamapi.Action, resource string) error {
	if t.exempt() {
		return nil
	}
	caller, err := t.caller()
	if err != nil {
		return err
	}
	pols := &caller.Policies
	if p := t.accountPasswordPolicy(); p != nil && p.AllowUsersToChangePassword && t.callerKey != "" {
		grant, err := selfServiceGrant()
		if err != nil {
			return err
		}
		with := *pols
		with.Identity = policy.Union(pols.Identity, grant)
		pols = &with
	}
	return t.decide(action, resource, nil, caller, pols)
}

// loginUser resolves the UserName of a login-profile operation (by
// default the calling IAM user) and authorizes action on that user.
func (t *txn) loginUser(action iamapi.Action, name string) (*user, error) {
	name = t.targetUser(name)
	if name == "" {
		return nil, errNonUserCredentials()
	}
	return t.requireUser(action, name, nil)
}

// loginOf returns u's login profile, or nil.
func (t *txn) loginOf(u *user) *loginProfile {
	lp, _ := cred[*loginProfile](t, kindLogin, u.key(), u)
	return lp
}

func apiLoginProfile(u *user, lp *loginProfile) *iamapi.LoginProfile {
	return &iamapi.LoginProfile{UserName: u.Name, CreateDate: lp.Created, PasswordResetRequired: awsapi.Ptr(lp.ResetRequired)}
}

// maxPasswordAttempts bounds how often a password write starts over
// because the login profile or the password policy changed under it.
const maxPasswordAttempts = 3

// passwordWrite is an operation that sets a password. Its argon2id work
// (checking the old password and the previous ones, hashing the new one)
// runs under no lock of the service, so it holds up no other request:
// look runs in a read view, prepare after it, and look again in the write,
// which goes ahead only if the user's login profile and the account's
// password policy are still the ones prepare worked from, and otherwise
// starts over.
type passwordWrite struct {
	// look authorizes, finds the user and checks what needs no hashing.
	look func(t *txn) (*user, error)
	// prepare does the hashing, for the user look found, its login
	// profile (nil: none) and the password policy in force (nil: the
	// default policy).
	prepare func(u *user, lp *loginProfile, p *passwordPolicy) error
	// apply returns the new login profile, which is then staged.
	apply func(t *txn, u *user, lp *loginProfile) *loginProfile
}

func (svc *Service) writePassword(ctx context.Context, r *authn.Request, w passwordWrite) error {
	name := ""
	for range maxPasswordAttempts {
		var (
			seen   *user
			seenLP *loginProfile
			pol    *passwordPolicy
		)
		err := svc.view(r, func(t *txn) error {
			u, err := w.look(t)
			if err != nil {
				return err
			}
			seen, seenLP, pol = u, t.loginOf(u), t.accountPasswordPolicy()
			return nil
		})
		if err != nil {
			return err
		}
		name = seen.Name
		if err := w.prepare(seen, seenLP, pol); err != nil {
			return err
		}
		stale := false
		err = svc.update(ctx, r, func(t *txn) error {
			u, err := w.look(t)
			if err != nil {
				return err
			}
			lp := t.loginOf(u)
			if lp != seenLP || t.accountPasswordPolicy() != pol {
				stale = true
				return nil
			}
			t.put(w.apply(t, u, lp))
			return nil
		})
		if err != nil || !stale {
			return err
		}
	}
	return iamapi.EntityTemporarilyUnmodifiable("Login Profile for User %s is being changed by another request. Please try again.", name)
}

// checkReuse rejects a password that is one of the last
// PasswordReusePrevention passwords of the login profile: the current one
// and those before it.
func checkReuse(p *passwordPolicy, lp *loginProfile, pw string) error {
	if p == nil || p.PasswordReusePrevention == 0 || lp == nil {
		return nil
	}
	hashes := append([]string{lp.Hash}, lp.History...)
	for _, h := range hashes[:min(len(hashes), int(p.PasswordReusePrevention))] {
		ok, err := secret.VerifyPassword(h, pw)
		if err != nil {
			return err
		}
		if ok {
			return errPasswordPolicy()
		}
	}
	return nil
}

// newPassword checks a new password against the policy p (nil: the
// default policy) and the previous passwords of lp (nil for a new
// profile), and returns its hash.
func newPassword(p *passwordPolicy, lp *loginProfile, pw string) (string, error) {
	if err := checkPassword(p, pw); err != nil {
		return "", err
	}
	if err := checkReuse(p, lp, pw); err != nil {
		return "", err
	}
	return secret.HashPassword(pw)
}

// withPassword returns a copy of lp with a new password hash, the old one
// first in its history (as much history as the longest reuse prevention
// needs).
func (lp *loginProfile) withPassword(hash string, now time.Time) *loginProfile {
	nl := *lp
	history := append([]string{lp.Hash}, lp.History...)
	nl.History = history[:min(len(history), maxPasswordReuse-1)]
	nl.Hash, nl.Changed = hash, now
	return &nl
}

// CreateLoginProfile gives a user (by default the caller) a console
// password, which must meet the account's password policy.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html
func (svc *Service) CreateLoginProfile(ctx context.Context, r *authn.Request, in *iamapi.CreateLoginProfileInput) (*iamapi.CreateLoginProfileOutput, error) {
	if in.Password == "" {
		return nil, errPasswordRequired()
	}
	var (
		hash string
		out  *iamapi.CreateLoginProfileOutput
	)
	err := svc.writePassword(ctx, r, passwordWrite{
		look: func(t *txn) (*user, error) {
			u, err := t.loginUser(iamapi.ActionCreateLoginProfile, in.UserName)
			if err != nil {
				return nil, err
			}
			if t.loginOf(u) != nil {
				return nil, iamapi.EntityAlreadyExists("Login Profile for user %s already exists.", u.Name)
			}
			return u, nil
		},
		prepare: func(_ *user, _ *loginProfile, p *passwordPolicy) (err error) {
			hash, err = newPassword(p, nil, in.Password)
			return err
		},
		apply: func(t *txn, u *user, _ *loginProfile) *loginProfile {
			now := t.svc.now()
			lp := &loginProfile{owner: ownerOf(u), Hash: hash, Created: now, Changed: now, ResetRequired: in.PasswordResetRequired != nil && *in.PasswordResetRequired}
			out = &iamapi.CreateLoginProfileOutput{LoginProfile: apiLoginProfile(u, lp)}
			return lp
		},
	})
	return out, err
}

// GetLoginProfile tells whether a user (by default the caller) has a
// console password, since when, and whether it must be reset.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetLoginProfile.html
func (svc *Service) GetLoginProfile(ctx context.Context, r *authn.Request, in *iamapi.GetLoginProfileInput) (*iamapi.GetLoginProfileOutput, error) {
	var out *iamapi.GetLoginProfileOutput
	err := svc.view(r, func(t *txn) error {
		u, err := t.loginUser(iamapi.ActionGetLoginProfile, in.UserName)
		if err != nil {
			return err
		}
		lp := t.loginOf(u)
		if lp == nil {
			return errNoLoginProfile(u.Name)
		}
		out = &iamapi.GetLoginProfileOutput{LoginProfile: apiLoginProfile(u, lp)}
		return nil
	})
	return out, err
}

// UpdateLoginProfile resets a user's password, or whether it must be
// changed at the next sign-in; what is not given stays as it is.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html
func (svc *Service) UpdateLoginProfile(ctx context.Context, r *authn.Request, in *iamapi.UpdateLoginProfileInput) (*iamapi.UpdateLoginProfileOutput, error) {
	var hash string
	err := svc.writePassword(ctx, r, passwordWrite{
		look: func(t *txn) (*user, error) {
			u, err := t.requireUser(iamapi.ActionUpdateLoginProfile, in.UserName, nil)
			if err != nil {
				return nil, err
			}
			if t.loginOf(u) == nil {
				return nil, errNoLoginProfile(u.Name)
			}
			return u, nil
		},
		prepare: func(_ *user, lp *loginProfile, p *passwordPolicy) (err error) {
			if in.Password != "" {
				hash, err = newPassword(p, lp, in.Password)
			}
			return err
		},
		apply: func(t *txn, _ *user, lp *loginProfile) *loginProfile {
			if hash != "" {
				lp = lp.withPassword(hash, t.svc.now())
			}
			nl := *lp
			if in.PasswordResetRequired != nil {
				nl.ResetRequired = *in.PasswordResetRequired
			}
			return &nl
		},
	})
	return &iamapi.UpdateLoginProfileOutput{}, err
}

// DeleteLoginProfile removes a user's (by default the caller's) console
// password. The user's access keys keep working.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteLoginProfile.html
func (svc *Service) DeleteLoginProfile(ctx context.Context, r *authn.Request, in *iamapi.DeleteLoginProfileInput) (*iamapi.DeleteLoginProfileOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.loginUser(iamapi.ActionDeleteLoginProfile, in.UserName)
		if err != nil {
			return err
		}
		lp := t.loginOf(u)
		if lp == nil {
			return errNoLoginProfile(u.Name)
		}
		t.del(kindLogin, lp.key())
		return nil
	})
	return &iamapi.DeleteLoginProfileOutput{}, err
}

// ChangePassword changes the calling IAM user's own password, given the
// current one. The root user and callers that are not IAM users get
// InvalidUserType. The action is iam:ChangePassword on the caller's own
// user, which the password policy's AllowUsersToChangePassword grants to
// every user (selfServiceGrant). The new password must meet the password
// policy; it clears PasswordResetRequired.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ChangePassword.html
func (svc *Service) ChangePassword(ctx context.Context, r *authn.Request, in *iamapi.ChangePasswordInput) (*iamapi.ChangePasswordOutput, error) {
	var hash string
	err := svc.writePassword(ctx, r, passwordWrite{
		look: func(t *txn) (*user, error) {
			if t.callerKey == "" {
				return nil, iamapi.InvalidUserType("Only IAM users can change their own password with ChangePassword.")
			}
			u, ok := get[*user](t, kindUser, t.callerKey)
			if !ok {
				return nil, errNoSuchUser(t.callerKey)
			}
			if err := t.authorizeSelfService(iamapi.ActionChangePassword, t.userARN(u, "")); err != nil {
				return nil, err
			}
			if t.loginOf(u) == nil {
				return nil, errNoLoginProfile(u.Name)
			}
			return u, nil
		},
		prepare: func(_ *user, lp *loginProfile, p *passwordPolicy) error {
			ok, err := secret.VerifyPassword(lp.Hash, in.OldPassword)
			if err != nil {
				return err
			}
			if !ok {
				return errWrongPassword()
			}
			hash, err = newPassword(p, lp, in.NewPassword)
			return err
		},
		apply: func(t *txn, _ *user, lp *loginProfile) *loginProfile {
			nl := lp.withPassword(hash, t.svc.now())
			nl.ResetRequired = false
			return nl
		},
	})
	return &iamapi.ChangePasswordOutput{}, err
}

// The operations of this family the server registers.
var (
	_ iamapi.UpdateAccountPasswordPolicyAPI = (*Service)(nil)
	_ iamapi.GetAccountPasswordPolicyAPI    = (*Service)(nil)
	_ iamapi.DeleteAccountPasswordPolicyAPI = (*Service)(nil)
	_ iamapi.CreateLoginProfileAPI          = (*Service)(nil)
	_ iamapi.GetLoginProfileAPI             = (*Service)(nil)
	_ iamapi.UpdateLoginProfileAPI          = (*Service)(nil)
	_ iamapi.DeleteLoginProfileAPI          = (*Service)(nil)
	_ iamapi.ChangePasswordAPI              = (*Service)(nil)
)
