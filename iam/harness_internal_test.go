package iam

import (
	"context"
	"errors"
	"github.com/gatehouse/gatehouse/authn"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

const internalAccount = "111122223333"

// newInternalService is a service on a real SQLite file with one
// bootstrapped account, a context, and an unchecked request in that
// account (the operations' own authorization is covered by the server
// tests).
func newInternalService(t testing.TB) (*Service, context.Context, *authn.Request) {
	return newServiceOn(t, func(st store.Store) store.Store { return st })
}

// newServiceOn is newInternalService with its SQLite store as wrap
// returns it (a store that counts calls).
func newServiceOn(t testing.TB, wrap func(store.Store) store.Store) (*Service, context.Context, *authn.Request) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gatehouse.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k, err := secret.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(ctx, Config{Store: wrap(st), Keyring: secret.NewKeyring(k)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	if _, err := svc.Bootstrap(ctx, Bootstrap{Account: internalAccount, RootPassword: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	return svc, ctx, unchecked(internalAccount)
}

// unchecked is a request of account's root user as dev mode lets it
// through: neither authenticated nor authorized.
func unchecked(account string) *authn.Request {
	return &authn.Request{Principal: authn.Root(canonicalPartition, account), Unchecked: true}
}

// stage commits entities put directly, for the kinds whose operations
// other families implement, or more of them than requests would make
// in good time.
func stage(t testing.TB, svc *Service, r *authn.Request, fn func(t *txn)) {
	t.Helper()
	if err := svc.update(context.Background(), r, func(tx *txn) error { fn(tx); return nil }); err != nil {
		t.Fatal(err)
	}
}

// wantAPIError fails unless err is the AWS error code with message msg.
func wantAPIError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae awsapi.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("error = %v, want %s: %s", err, code, msg)
	}
}
