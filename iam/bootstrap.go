package iam

import (
	"context"
	"errors"
	"github.com/gatehouse/gatehouse/authn"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/secret"
)

// Bootstrap is what a first start creates in an empty account.
type Bootstrap struct {
	// Account is the 12-digit account ID.
	Account string
	// RootPassword is the root user's password.
	RootPassword string
	// AdminGroup and AdminUser name the administrators' group (with
	// AdministratorAccess) and its first member; defaults Admins, admin.
	AdminGroup, AdminUser string
}

// BootstrapResult is the first administrator's access key.
type BootstrapResult struct {
	UserName        string
	AccessKeyID     string
	SecretAccessKey string
}

// ErrAccountExists is returned by Bootstrap for an account that already
// has state, in this process or, when two bootstrap it at once, in
// another on the same store.
var ErrAccountExists = errors.New("iam: account already bootstrapped")

// Bootstrap sets an empty account up the way the IAM best practices say:
// a root user with a password and no access keys, a group of
// administrators with AdministratorAccess, and one administrator in it
// with an access key. Everything commits in one transaction, conditional
// on the account's records being absent: of two writers bootstrapping
// one account at once (two processes on one data directory), one
// succeeds and the other, run again on the fresh state, gets
// ErrAccountExists.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
func (svc *Service) Bootstrap(ctx context.Context, b Bootstrap) (BootstrapResult, error) {
	if b.AdminGroup == "" {
		b.AdminGroup = "Admins"
	}
	if b.AdminUser == "" {
		b.AdminUser = "admin"
	}
	if svc.HasAccount(b.Account) {
		return BootstrapResult{}, ErrAccountExists
	}
	hash, err := secret.HashPassword(b.RootPassword)
	if err != nil {
		return BootstrapResult{}, err
	}
	r := &authn.Request{Principal: authn.Root(canonicalPartition, b.Account), Unchecked: true}
	var res BootstrapResult
	err = svc.update(ctx, r, func(t *txn) error {
		if t.base.accounts[b.Account] != nil {
			return ErrAccountExists
		}
		now := t.svc.now()
		t.put(&settings{RootPassword: hash, RootCreated: now})
		g := &group{Path: "/", Name: b.AdminGroup, ID: uniqueID(prefixGroup), Created: now,
			Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}
		t.put(g)
		u := &user{Path: "/", Name: b.AdminUser, ID: uniqueID(prefixUser), Created: now, Groups: []string{g.ID}}
		t.put(u)
		k, secretKey, err := t.newAccessKey(u)
		if err != nil {
			return err
		}
		res = BootstrapResult{UserName: u.Name, AccessKeyID: k.ID, SecretAccessKey: secretKey}
		return nil
	})
	return res, err
}

// compile-time checks that the service implements the operations the
// server registers.
var (
	_ iamapi.CreateUserAPI = (*Service)(nil)
	_ iamapi.GetUserAPI    = (*Service)(nil)
)
