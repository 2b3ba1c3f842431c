package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// A user's credentials (access keys, login profile, enabled MFA
// devices, SSH public keys, signing certificates, service-specific
// credentials) are records of their own beside the user record, so a
// write to one touches only it: not the user record, not the
// authorization view compiled from it, not the user's other
// credentials, and writers on two credentials of one user do not meet.
//
// A credential's key starts with its owner's user key (the user
// record's key): "<user>/<id>", or "<user>" for the one login profile.
// The state indexes the records by owner, and a per-user quota is a
// store limit on the owner's key prefix, so writers cannot pass it
// together. Each record names its owner's unique ID too and is the
// owner's only while the IDs agree: a record left by a deleted user is
// never taken for one of a new user of the same name.
//
// What must stay in step with the user record, the writes keep in
// step: a write to a credential reads the user record (a rename or
// delete meeting it conflicts); DeleteUser holds its owner's prefixes
// to no records; UpdateUser moves every record to the new name under
// the same hold on the old prefix (t.exact).

// Credential record kinds.
const (
	kindAccessKey   = "accessKey"   // key: <user>/<access key ID>
	kindLogin       = "login"       // login profile; key: <user>
	kindPasswordUse = "passwordUse" // when the password was last used; key: <user>
	kindMFAEnabled  = "mfaEnabled"  // an MFA device enabled for a user; key: <user>/<serial>
	kindSSHKey      = "sshKey"      // key: <user>/<SSH public key ID>
	kindSigningCert = "signingCert" // key: <user>/<certificate ID>
	kindServiceCred = "serviceCred" // key: <user>/<service>/<credential ID>
	// kindAccessKeyID claims an access key ID, outside any account
	// (account ""): AWS's IDs are unique across all accounts, and a
	// claim committed with the key means two processes never hand out
	// (or import) one ID twice. Key: the ID.
	kindAccessKeyID = "accessKeyID"
)

// isCredKind reports whether records of kind belong to a user.
func isCredKind(kind string) bool {
	switch kind {
	case kindAccessKey, kindLogin, kindPasswordUse, kindMFAEnabled, kindSSHKey, kindSigningCert, kindServiceCred:
		return true
	}
	return false
}

// owner is the user a credential belongs to.
type owner struct {
	User   string `json:"user"`   // the user record's key
	UserID string `json:"userId"` // the user's unique ID
}

func ownerOf(u *user) owner { return owner{User: u.key(), UserID: u.ID} }

func (o *owner) owned() *owner { return o }

// credential is a record a user owns.
type credential interface {
	entity
	owned() *owner
}

// ownerPrefix is the key prefix of the records of the user with record
// key uk (user names hold no "/").
func ownerPrefix(uk string) string { return uk + "/" }

// recordOwner is the user key a credential's record key starts with.
func recordOwner(key string) string {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i]
	}
	return key
}

type accessKey struct {
	owner
	ID      string    `json:"id"`
	Secret  []byte    `json:"secret"` // sealed with the service keyring
	Status  string    `json:"status"` // Active | Inactive
	Created time.Time `json:"created"`
	// When it was last used is a record of its own (keyUse).
}

func (k *accessKey) kind() string { return kindAccessKey }
func (k *accessKey) key() string  { return k.User + "/" + k.ID }

// accessKeyID is the claim of an access key ID: the account and user
// (by unique ID, which a rename keeps) that hold it.
type accessKeyID struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	UserID  string `json:"userId"`
}

func (c *accessKeyID) kind() string { return kindAccessKeyID }
func (c *accessKeyID) key() string  { return c.ID }

type loginProfile struct {
	owner
	Hash          string    `json:"hash"` // argon2id PHC string
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"resetRequired,omitempty"`
	Changed       time.Time `json:"changed,omitzero"` // last password change (for max age)
	History       []string  `json:"history,omitempty"`
}

func (lp *loginProfile) kind() string { return kindLogin }
func (lp *loginProfile) key() string  { return lp.User }

// passwordUse is when the user's password was last used, a record of
// its own so that signing in never changes the user, and apart from
// the login profile because it outlives it (GetUser's PasswordLastUsed
// names the last use of a password the user no longer has).
type passwordUse struct {
	owner
	Used time.Time `json:"used"`
}

func (u *passwordUse) kind() string { return kindPasswordUse }
func (u *passwordUse) key() string  { return u.User }

// The records listed in the order they were added have Order, their
// place in it: one more than the highest of the user's records of the
// kind when it was made (nextOrder). Two made at once may share one;
// the key decides between them.

type mfaDevice struct {
	owner
	Serial  string    `json:"serial"`
	Enabled time.Time `json:"enabled"`
	// LastStep is the last TOTP time step used, so a code is never
	// accepted twice.
	LastStep int64 `json:"lastStep,omitempty"`
	Order    int   `json:"order,omitempty"`
}

func (d *mfaDevice) kind() string { return kindMFAEnabled }
func (d *mfaDevice) key() string  { return d.User + "/" + d.Serial }

type sshKey struct {
	owner
	ID          string    `json:"id"`
	Body        string    `json:"body"`
	Fingerprint string    `json:"fingerprint"`
	Status      string    `json:"status"`
	Uploaded    time.Time `json:"uploaded"`
	Order       int       `json:"order,omitempty"`
}

func (k *sshKey) kind() string { return kindSSHKey }
func (k *sshKey) key() string  { return k.User + "/" + k.ID }

type signingCert struct {
	owner
	ID       string    `json:"id"`
	Body     string    `json:"body"`
	Status   string    `json:"status"`
	Uploaded time.Time `json:"uploaded"`
	Order    int       `json:"order,omitempty"`
}

func (c *signingCert) kind() string { return kindSigningCert }
func (c *signingCert) key() string  { return c.User + "/" + c.ID }

type serviceCred struct {
	owner
	ID       string `json:"id"`
	Service  string `json:"service"`            // e.g. codecommit.amazonaws.com
	UserName string `json:"userName,omitempty"` // the service user name (user-at-account)
	// Password is the sealed password, or the secret of an API key.
	Password   []byte    `json:"password"`
	Status     string    `json:"status"`
	Created    time.Time `json:"created"`
	Expiration time.Time `json:"expiration,omitzero"`
	CredAlias  string    `json:"alias,omitempty"` // the public part of an API key
	Order      int       `json:"order,omitempty"` // among all the user's credentials
}

func (c *serviceCred) kind() string { return kindServiceCred }
func (c *serviceCred) key() string  { return c.User + "/" + c.Service + "/" + c.ID }

// servicePrefix is the key prefix of a user's credentials for one
// service: the quota is per service.
func servicePrefix(uk, service string) string { return ownerPrefix(uk) + service + "/" }

// ordered is a credential listed in the order it was added.
type ordered interface {
	credential
	order() int
}

func (d *mfaDevice) order() int   { return d.Order }
func (k *sshKey) order() int      { return k.Order }
func (c *signingCert) order() int { return c.Order }
func (c *serviceCred) order() int { return c.Order }

// inOrder sorts credentials in the order they were added.
func inOrder[P ordered](cs []P) []P {
	slices.SortStableFunc(cs, func(a, b P) int { return a.order() - b.order() })
	return cs
}

// nextOrder is the Order of a credential added after cs.
func nextOrder[P ordered](cs []P) int {
	n := 0
	for _, c := range cs {
		n = max(n, c.order())
	}
	return n + 1
}

// under returns the records of kind whose key starts with prefix (one
// owner's: prefix starts with an ownerPrefix), staged ones included,
// sorted by key, whoever's ID they name. It notes no condition: a write
// that decides from the whole set calls exact as well.
func under[P credential](t *txn, kind, prefix string) []P {
	type keyed struct {
		key string
		c   P
	}
	var found []keyed
	for key, e := range t.base.owned[ownerKey{t.acct, kind, recordOwner(prefix)}] {
		if _, staged := t.staged[recordKey{t.acct, kind, key}]; !staged && strings.HasPrefix(key, prefix) {
			found = append(found, keyed{key, e.(P)})
		}
	}
	for k, e := range t.staged {
		if e != nil && k.account == t.acct && k.kind == kind && strings.HasPrefix(k.key, prefix) {
			found = append(found, keyed{k.key, e.(P)})
		}
	}
	slices.SortFunc(found, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	out := make([]P, len(found))
	for i, f := range found {
		out[i] = f.c
	}
	return out
}

// creds returns u's credentials of kind, sorted by key.
func creds[P credential](t *txn, kind string, u *user) []P {
	return slices.DeleteFunc(under[P](t, kind, ownerPrefix(u.key())), func(c P) bool { return c.owned().UserID != u.ID })
}

// cred returns u's credential of kind with record key key.
func cred[P credential](t *txn, kind, key string, u *user) (P, bool) {
	c, ok := get[P](t, kind, key)
	if !ok || c.owned().UserID != u.ID {
		var zero P
		return zero, false
	}
	return c, true
}

// exact notes that a write read every record of kind under prefix and
// decided from them all: it commits only if they are still those, none
// changed (their versions) and none added (a limit of as many as the
// write leaves there).
func (t *txn) exact(kind, prefix string) {
	if !t.writing() {
		return
	}
	for key := range t.base.owned[ownerKey{t.acct, kind, recordOwner(prefix)}] {
		if strings.HasPrefix(key, prefix) {
			t.read(recordKey{t.acct, kind, key})
		}
	}
	t.exacts[limitKey{t.acct, kind, prefix}] = struct{}{}
}

// moveCreds stages u's records of kind under the user key to (a
// rename): each deleted and put again under the new key, with the old
// prefix held to none, so one added meanwhile is not left behind.
// Records of another user ID left there go too.
func moveCreds[T any, P interface {
	*T
	credential
}](t *txn, kind string, u *user, to string) {
	from := ownerPrefix(u.key())
	t.exact(kind, from)
	for _, c := range under[P](t, kind, from) {
		moveTo[T](t, c, u, to)
	}
}

// moveOne stages the move of u's one record of kind keyed by its user
// key (a login profile) to the user key to.
func moveOne[T any, P interface {
	*T
	credential
}](t *txn, kind string, u *user, to string) {
	if c, ok := get[P](t, kind, u.key()); ok {
		moveTo[T](t, c, u, to)
	}
}

// moveTo stages the deletion of credential c and, if it is u's, a copy
// of it owned by the user key to. One another user ID left goes.
func moveTo[T any, P interface {
	*T
	credential
}](t *txn, c P, u *user, to string) {
	t.del(c.kind(), c.key())
	if c.owned().UserID != u.ID {
		return
	}
	n := P(new(T))
	*n = *c
	n.owned().User = to
	t.put(n)
}

// renameCreds stages the move of all u's records to the user key to.
func (t *txn) renameCreds(u *user, to string) {
	moveCreds[accessKey](t, kindAccessKey, u, to)
	moveOne[loginProfile](t, kindLogin, u, to)
	moveOne[passwordUse](t, kindPasswordUse, u, to)
	moveCreds[mfaDevice](t, kindMFAEnabled, u, to)
	moveCreds[sshKey](t, kindSSHKey, u, to)
	moveCreds[signingCert](t, kindSigningCert, u, to)
	moveCreds[serviceCred](t, kindServiceCred, u, to)
}

// hasCreds reports whether u has a credential of kind (keyed under its
// prefix). A write that goes on as if it had none commits only if the
// prefix then holds none: records another user ID left there are
// staged for deletion.
func hasCreds[P credential](t *txn, kind string, u *user) bool {
	prefix := ownerPrefix(u.key())
	t.exact(kind, prefix)
	cs := under[P](t, kind, prefix)
	if slices.ContainsFunc(cs, func(c P) bool { return c.owned().UserID == u.ID }) {
		return true
	}
	if t.writing() {
		for _, c := range cs {
			t.del(kind, c.key())
		}
	}
	return false
}

// userCreds are the credentials a user record held itself before they
// were records of their own.
type userCreds struct {
	AccessKeys   []accessKey   `json:"accessKeys,omitempty"`
	Login        *loginProfile `json:"login,omitempty"`
	PasswordUsed time.Time     `json:"passwordUsed,omitzero"`
	MFA          []mfaDevice   `json:"mfa,omitempty"` // enabled MFA devices
	SSHKeys      []sshKey      `json:"sshKeys,omitempty"`
	SigningCerts []signingCert `json:"signingCerts,omitempty"`
	ServiceCreds []serviceCred `json:"serviceCreds,omitempty"`
}

func (c *userCreds) empty() bool {
	return len(c.AccessKeys) == 0 && c.Login == nil && c.PasswordUsed.IsZero() && len(c.MFA) == 0 &&
		len(c.SSHKeys) == 0 && len(c.SigningCerts) == 0 && len(c.ServiceCreds) == 0
}

// decodeUser decodes a user record, also one written while user
// records held their credentials (which it keeps in legacy).
func decodeUser(data []byte) (*user, error) {
	var r struct {
		user
		userCreds
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	u := r.user
	if !r.userCreds.empty() {
		u.legacy = &r.userCreds
	}
	return &u, nil
}

// migrateCreds moves the credentials that user records of st still
// hold (as all did before credentials were records of their own) into
// records of their own, in one commit conditional on the version of
// every user record it rewrites and on the absence of every record it
// adds: of processes starting on one store at once, one moves them and
// the others' commits conflict (they load again and find nothing left
// to move). It reports whether it committed.
func (svc *Service) migrateCreds(ctx context.Context, st *state) (bool, error) {
	var (
		b     store.Batch
		users int
		err   error
	)
	put := func(acct string, e entity, version int64) {
		if err != nil {
			return
		}
		var v []byte
		if v, err = json.Marshal(e); err != nil {
			err = fmt.Errorf("iam: encoding %s %q: %w", e.kind(), e.key(), err)
			return
		}
		b.Changes = append(b.Changes, store.Change{Op: store.Put, Record: store.Record{Account: acct, Kind: e.kind(), Key: e.key(), Value: v}})
		b.Conds = append(b.Conds, store.Cond{Account: acct, Kind: e.kind(), Key: e.key(), Version: version})
	}
	for _, acct := range slices.Sorted(maps.Keys(st.accounts)) {
		for _, u := range sortedValues[*user](st.accounts[acct].tables[kindUser]) {
			c := u.legacy
			if c == nil {
				continue
			}
			users++
			nu := *u
			nu.legacy = nil
			put(acct, &nu, st.versions[recordKey{acct, kindUser, u.key()}])
			o := ownerOf(u)
			for _, k := range c.AccessKeys {
				k.owner = o
				put(acct, &k, 0)
				put("", &accessKeyID{ID: k.ID, Account: acct, UserID: u.ID}, 0)
			}
			if c.Login != nil {
				lp := *c.Login
				lp.owner = o
				put(acct, &lp, 0)
			}
			if !c.PasswordUsed.IsZero() {
				put(acct, &passwordUse{owner: o, Used: c.PasswordUsed}, 0)
			}
			for i, d := range c.MFA {
				d.owner, d.Order = o, i+1
				put(acct, &d, 0)
			}
			for i, k := range c.SSHKeys {
				k.owner, k.Order = o, i+1
				put(acct, &k, 0)
			}
			for i, sc := range c.SigningCerts {
				sc.owner, sc.Order = o, i+1
				put(acct, &sc, 0)
			}
			for i, sc := range c.ServiceCreds {
				sc.owner, sc.Order = o, i+1
				put(acct, &sc, 0)
			}
		}
	}
	if err != nil || len(b.Changes) == 0 {
		return false, err
	}
	b.Time = svc.now()
	if _, err := svc.store.Commit(ctx, b); err != nil {
		return false, fmt.Errorf("iam: moving users' credentials into records of their own: %w", err)
	}
	svc.logger.Info("moved users' credentials into records of their own", "users", users)
	return true, nil
}
