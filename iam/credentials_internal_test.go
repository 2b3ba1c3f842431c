package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

// legacyStore is a store holding one user, alice, in the shape user
// records had before credentials were records of their own: every
// credential in the user record. It returns the path and the keyring
// the access key is sealed with.
func legacyStore(t *testing.T) (path string, kr *secret.Keyring) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "gatehouse.db")
	k, err := secret.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	kr = secret.NewKeyring(k)
	sealed, err := kr.Seal([]byte("legacy-secret"), []byte("AKIALEGACY0000000001"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := map[string]any{
		"path": "/", "name": "Alice", "id": "AIDALEGACY00000000001", "created": at,
		"accessKeys":   []map[string]any{{"id": "AKIALEGACY0000000001", "secret": sealed, "status": "Active", "created": at}},
		"login":        map[string]any{"hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "created": at, "history": []string{"old"}},
		"passwordUsed": at.Add(time.Hour),
		"mfa":          []map[string]any{{"serial": "arn:aws:iam::" + internalAccount + ":mfa/b", "enabled": at}, {"serial": "arn:aws:iam::" + internalAccount + ":mfa/a", "enabled": at}},
		"sshKeys":      []map[string]any{{"id": "APKAZZZZ", "body": "ssh-rsa x", "fingerprint": "f1", "status": "Active", "uploaded": at}, {"id": "APKAAAAA", "body": "ssh-rsa y", "fingerprint": "f2", "status": "Inactive", "uploaded": at}},
		"signingCerts": []map[string]any{{"id": "CERT1", "body": "pem", "status": "Active", "uploaded": at}},
		"serviceCreds": []map[string]any{{"id": "ACCAONE", "service": "codecommit.amazonaws.com", "userName": "Alice-at-" + internalAccount, "password": sealed, "status": "Active", "created": at}},
	}
	v, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Commit(ctx, store.Batch{Changes: []store.Change{{Op: store.Put, Record: store.Record{Account: internalAccount, Kind: kindUser, Key: "alice", Value: v}}}, Time: at}); err != nil {
		t.Fatal(err)
	}
	return path, kr
}

func openService(t *testing.T, path string, kr *secret.Keyring) (*Service, error) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := New(ctx, Config{Store: st, Keyring: kr})
	if err == nil {
		t.Cleanup(func() { svc.Close() })
	}
	return svc, err
}

// storedKinds counts the store's records by kind.
func storedKinds(t *testing.T, svc *Service) map[string]int {
	t.Helper()
	n := map[string]int{}
	if _, err := svc.store.Load(context.Background(), func(r store.Record) error {
		n[r.Kind]++
		if r.Kind == kindUser && strings.Contains(string(r.Value), "accessKeys") {
			t.Errorf("user record %s still holds credentials: %s", r.Key, r.Value)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCredentialsMigrated: a user record that holds its credentials
// itself is split into records of their own at load, and everything
// reads as before.
func TestCredentialsMigrated(t *testing.T) {
	path, kr := legacyStore(t)
	svc, err := openService(t, path, kr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, r := context.Background(), unchecked(internalAccount)
	want := map[string]int{kindUser: 1, kindAccessKey: 1, kindAccessKeyID: 1, kindLogin: 1, kindPasswordUse: 1, kindMFAEnabled: 2, kindSSHKey: 2, kindSigningCert: 1, kindServiceCred: 1}
	if got := storedKinds(t, svc); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records by kind = %v, want %v", got, want)
	}
	k, ok := svc.AccessKey("AKIALEGACY0000000001")
	if !ok || k.UserName != "Alice" || k.Secret != "legacy-secret" || !k.Active || k.Account != internalAccount {
		t.Fatalf("AccessKey = %+v, %v", k, ok)
	}
	keys, err := svc.ListAccessKeys(ctx, r, &iamapi.ListAccessKeysInput{UserName: "alice"})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].AccessKeyId != "AKIALEGACY0000000001" {
		t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
	}
	lp, err := svc.GetLoginProfile(ctx, r, &iamapi.GetLoginProfileInput{UserName: "alice"})
	if err != nil || lp.LoginProfile.UserName != "Alice" {
		t.Fatalf("GetLoginProfile = %+v, %v", lp, err)
	}
	u, err := svc.GetUser(ctx, r, &iamapi.GetUserInput{UserName: "alice"})
	if err != nil || u.User.PasswordLastUsed.IsZero() {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	// Lists keep the order the user record held them in.
	mfa, err := svc.ListMFADevices(ctx, r, &iamapi.ListMFADevicesInput{UserName: "alice"})
	if err != nil || len(mfa.MFADevices) != 2 || !strings.HasSuffix(mfa.MFADevices[0].SerialNumber, "mfa/b") {
		t.Fatalf("ListMFADevices = %+v, %v", mfa, err)
	}
	ssh, err := svc.ListSSHPublicKeys(ctx, r, &iamapi.ListSSHPublicKeysInput{UserName: "alice"})
	if err != nil || len(ssh.SSHPublicKeys) != 2 || ssh.SSHPublicKeys[0].SSHPublicKeyId != "APKAZZZZ" {
		t.Fatalf("ListSSHPublicKeys = %+v, %v", ssh, err)
	}
	certs, err := svc.ListSigningCertificates(ctx, r, &iamapi.ListSigningCertificatesInput{UserName: "alice"})
	if err != nil || len(certs.Certificates) != 1 {
		t.Fatalf("ListSigningCertificates = %+v, %v", certs, err)
	}
	sc, err := svc.ListServiceSpecificCredentials(ctx, r, &iamapi.ListServiceSpecificCredentialsInput{UserName: "alice"})
	if err != nil || len(sc.ServiceSpecificCredentials) != 1 {
		t.Fatalf("ListServiceSpecificCredentials = %+v, %v", sc, err)
	}
	_, err = svc.DeleteUser(ctx, r, &iamapi.DeleteUserInput{UserName: "alice"})
	wantAPIError(t, err, "DeleteConflict", "Cannot delete entity, must delete login profile first.")
}

// TestCredentialsMigratedOnce: two processes starting on one store of
// the old shape at once move the credentials once; both then serve
// them.
func TestCredentialsMigratedOnce(t *testing.T) {
	path, kr := legacyStore(t)
	svcs := make([]*Service, 2)
	var wg sync.WaitGroup
	for i := range svcs {
		wg.Go(func() {
			svc, err := openService(t, path, kr)
			if err != nil {
				t.Error(err)
			}
			svcs[i] = svc
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	puts := 0
	if err := svcs[0].store.Log(context.Background(), 0, 0, func(e store.Entry) error {
		if e.Change.Record.Kind == kindAccessKey {
			puts++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if puts != 1 {
		t.Fatalf("the access key was written %d times, want once", puts)
	}
	for i, svc := range svcs {
		if k, ok := svc.AccessKey("AKIALEGACY0000000001"); !ok || k.UserName != "Alice" {
			t.Errorf("service %d: AccessKey = %+v, %v", i, k, ok)
		}
	}
}

// Writers adding access keys to one user meet on nothing but its quota,
// which the store keeps across them.
func TestTwoServicesAccessKeysOfOneUser(t *testing.T) {
	a, b, ctx, r := twoServices(t)
	if _, err := a.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "shared"}); err != nil {
		t.Fatal(err)
	}
	if err := b.follower.Wait(ctx, a.follower.Pos()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, svc := range []*Service{a, b} {
		wg.Go(func() {
			if _, err := svc.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "shared"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, svc := range []*Service{a, b} {
		if err := svc.catchUp(ctx); err != nil {
			t.Fatal(err)
		}
		out, err := svc.ListAccessKeys(ctx, r, &iamapi.ListAccessKeysInput{UserName: "shared"})
		if err != nil || len(out.AccessKeyMetadata) != 2 {
			t.Fatalf("ListAccessKeys = %+v, %v", out, err)
		}
		_, err = svc.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "shared"})
		wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	}
}

// The per-user quota is the store's: a writer one below it in memory
// cannot pass it.
func TestTwoServicesAccessKeyQuota(t *testing.T) {
	a, b, ctx, r := twoServices(t)
	if _, err := a.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "u"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "u"}); err != nil {
		t.Fatal(err)
	}
	if err := b.follower.Wait(ctx, a.follower.Pos()); err != nil {
		t.Fatal(err)
	}
	pause(b)
	if _, err := a.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "u"}); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		resume(b)
	}()
	_, err := b.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "u"})
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	if n := storedKinds(t, a)[kindAccessKey]; n != 3 {
		t.Fatalf("the store holds %d access keys, want u's 2 and admin's", n)
	}
}

// A delete or rename of a user decided before a credential was added
// elsewhere does not go through as if it had none.
func TestTwoServicesUserChangedUnderCredentials(t *testing.T) {
	a, b, ctx, r := twoServices(t)
	for _, name := range []string{"gone", "renamed"} {
		if _, err := a.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: name}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.follower.Wait(ctx, a.follower.Pos()); err != nil {
		t.Fatal(err)
	}
	pause(b)
	if _, err := a.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "gone"}); err != nil {
		t.Fatal(err)
	}
	key, err := a.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "renamed"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		resume(b)
	}()
	_, err = b.DeleteUser(ctx, r, &iamapi.DeleteUserInput{UserName: "gone"})
	wantAPIError(t, err, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
	if _, err := b.UpdateUser(ctx, r, &iamapi.UpdateUserInput{UserName: "renamed", NewUserName: "Moved"}); err != nil {
		t.Fatal(err)
	}
	if err := a.follower.Wait(ctx, b.follower.Pos()); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*Service{a, b} {
		if k, ok := svc.AccessKey(key.AccessKey.AccessKeyId); !ok || k.UserName != "Moved" {
			t.Errorf("AccessKey after the rename = %+v, %v", k, ok)
		}
		out, err := svc.ListAccessKeys(ctx, r, &iamapi.ListAccessKeysInput{UserName: "moved"})
		if err != nil || len(out.AccessKeyMetadata) != 1 || out.AccessKeyMetadata[0].UserName != "Moved" {
			t.Errorf("ListAccessKeys after the rename = %+v, %v", out, err)
		}
	}
}

// An access key ID is claimed across all accounts and processes: a
// claim of an ID another account's key has does not commit, also from
// a process that has not seen that key yet, and the claim goes with the
// key.
func TestAccessKeyIDClaimed(t *testing.T) {
	a, b, ctx, r := twoServices(t)
	k, err := a.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	id := k.AccessKey.AccessKeyId
	other := unchecked("444455556666")
	ou := &user{Path: "/", Name: "other", ID: uniqueID(prefixUser)}
	stage(t, b, other, func(t *txn) { t.put(ou) })
	claim := func(svc *Service) (claimed bool, err error) {
		err = svc.update(ctx, other, func(t *txn) error {
			claimed = t.claimKeyID(id, ou)
			return nil
		})
		return claimed, err
	}
	if claimed, err := claim(a); claimed || err != nil {
		t.Fatalf("a claimed %s twice: %v", id, err)
	}
	// b has not seen a's key when it claims the ID: the store refuses
	// the claim, and b, caught up, finds the ID taken.
	if _, err := a.DeleteAccessKey(ctx, r, &iamapi.DeleteAccessKeyInput{UserName: "admin", AccessKeyId: id}); err != nil {
		t.Fatal(err)
	}
	if err := b.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	pause(b)
	k, err = a.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	id = k.AccessKey.AccessKeyId
	go func() {
		time.Sleep(50 * time.Millisecond)
		resume(b)
	}()
	if claimed, err := claim(b); claimed || err != nil {
		t.Fatalf("b claimed %s beside a's key: %v", id, err)
	}
	if got, ok := b.AccessKey(id); !ok || got.Account != internalAccount {
		t.Fatalf("AccessKey = %+v, %v", got, ok)
	}
	if _, err := a.DeleteAccessKey(ctx, r, &iamapi.DeleteAccessKeyInput{UserName: "admin", AccessKeyId: id}); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.state.lookup(recordKey{"", kindAccessKeyID, id}).(*accessKeyID); ok {
		t.Fatal("the claim outlived the key")
	}
	if a.HasAccount("") {
		t.Fatal(`the claims make an account ""`)
	}
}

// A credential record that names another user ID (left by a user of
// the name that is gone) is not the user's.
func TestCredentialOfAnotherUserID(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	u, _ := svc.state.lookup(recordKey{internalAccount, kindUser, "admin"}).(*user)
	stale := owner{User: u.key(), UserID: uniqueID(prefixUser)}
	sealed, err := svc.keyring.Seal([]byte("s"), []byte("AKIASTALE00000000001"))
	if err != nil {
		t.Fatal(err)
	}
	stage(t, svc, r, func(t *txn) {
		t.put(&accessKey{owner: stale, ID: "AKIASTALE00000000001", Secret: sealed, Status: statusActive})
		t.put(&sshKey{owner: stale, ID: "APKASTALE", Status: statusActive, Order: 1})
	})
	if k, ok := svc.AccessKey("AKIASTALE00000000001"); ok {
		t.Fatalf("a stale key authenticates as %+v", k)
	}
	keys, err := svc.ListAccessKeys(ctx, r, &iamapi.ListAccessKeysInput{UserName: "admin"})
	if err != nil || slices.ContainsFunc(keys.AccessKeyMetadata, func(m iamapi.AccessKeyMetadata) bool { return m.AccessKeyId == "AKIASTALE00000000001" }) {
		t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
	}
	ssh, err := svc.ListSSHPublicKeys(ctx, r, &iamapi.ListSSHPublicKeysInput{UserName: "admin"})
	if err != nil || len(ssh.SSHPublicKeys) != 0 {
		t.Fatalf("ListSSHPublicKeys = %+v, %v", ssh, err)
	}
}
