package iam

import (
	"context"
	"errors"
	"fmt"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
)

// allowDoc is an identity policy allowing actions on every resource.
func allowDoc(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + quoteList(actions) + `,"Resource":"*"}]}`
}

func quoteList(s []string) string {
	out := "["
	for i, a := range s {
		if i > 0 {
			out += ","
		}
		out += `"` + a + `"`
	}
	return out + "]"
}

// viewWorld is an account whose principals each depend on different
// records:
//   - alice and bob are in group devs (inline: iam:ListGroups; attached:
//     policy get, which allows iam:GetUser);
//   - carol is in no group and attaches get directly;
//   - dave is in group ops (nothing);
//   - erin may iam:ListPolicies while tagged team=blue;
//   - role app has inline iam:ListRoles.
type viewWorld struct {
	svc    *Service
	ctx    context.Context
	r      *authn.Request // unchecked: the administrator's changes
	getARN string         // customer managed policy get
	list   string         // customer managed policy list: iam:ListRoles
}

var viewPrincipals = []string{"user/alice", "user/bob", "user/carol", "user/dave", "user/erin", "role/app"}

func newViewWorld(t testing.TB) *viewWorld {
	t.Helper()
	svc, ctx, r := newInternalService(t)
	w := &viewWorld{svc: svc, ctx: ctx, r: r}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	p, err := svc.CreatePolicy(ctx, r, &iamapi.CreatePolicyInput{PolicyName: "get", PolicyDocument: allowDoc("iam:GetUser")})
	must(nil, err)
	w.getARN = p.Policy.Arn
	p, err = svc.CreatePolicy(ctx, r, &iamapi.CreatePolicyInput{PolicyName: "list", PolicyDocument: allowDoc("iam:ListRoles")})
	must(nil, err)
	w.list = p.Policy.Arn
	for _, g := range []string{"devs", "ops"} {
		must(svc.CreateGroup(ctx, r, &iamapi.CreateGroupInput{GroupName: g}))
	}
	must(svc.PutGroupPolicy(ctx, r, &iamapi.PutGroupPolicyInput{GroupName: "devs", PolicyName: "groups", PolicyDocument: allowDoc("iam:ListGroups")}))
	must(svc.AttachGroupPolicy(ctx, r, &iamapi.AttachGroupPolicyInput{GroupName: "devs", PolicyArn: w.getARN}))
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		must(svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: u}))
	}
	must(svc.AddUserToGroup(ctx, r, &iamapi.AddUserToGroupInput{GroupName: "devs", UserName: "alice"}))
	must(svc.AddUserToGroup(ctx, r, &iamapi.AddUserToGroupInput{GroupName: "devs", UserName: "bob"}))
	must(svc.AddUserToGroup(ctx, r, &iamapi.AddUserToGroupInput{GroupName: "ops", UserName: "dave"}))
	must(svc.AttachUserPolicy(ctx, r, &iamapi.AttachUserPolicyInput{UserName: "carol", PolicyArn: w.getARN}))
	must(svc.PutUserPolicy(ctx, r, &iamapi.PutUserPolicyInput{UserName: "erin", PolicyName: "team",
		PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListPolicies","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`}))
	must(svc.CreateRole(ctx, r, &iamapi.CreateRoleInput{RoleName: "app",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}))
	must(svc.PutRolePolicy(ctx, r, &iamapi.PutRolePolicyInput{RoleName: "app", PolicyName: "roles", PolicyDocument: allowDoc("iam:ListRoles")}))
	return w
}

// key is the view's key of "user/<name>" or "role/<name>".
func viewKey(account, p string) recordKey {
	kind, name, _ := cut(p)
	return recordKey{account, kind, nameKey(name)}
}

func cut(p string) (kind, name string, ok bool) {
	for i := range p {
		if p[i] == '/' {
			return p[:i], p[i+1:], true
		}
	}
	return p, "", false
}

// userRequest is a request by the IAM user name of account, as the
// server makes it after authentication.
func userRequest(t testing.TB, svc *Service, account, name string) *authn.Request {
	t.Helper()
	r, err := requestOf(svc, account, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func requestOf(svc *Service, account, name string) (*authn.Request, error) {
	svc.mu.RLock()
	u, _ := svc.state.lookup(recordKey{account, kindUser, nameKey(name)}).(*user)
	svc.mu.RUnlock()
	if u == nil {
		return nil, fmt.Errorf("no user %s", name)
	}
	p := authn.User(canonicalPartition, account, u.Path, u.Name, u.ID)
	p.Key = authn.LongTermKey
	return &authn.Request{Principal: p, Time: time.Now()}, nil
}

// can reports whether principal p ("user/alice", "role/app") of
// account is allowed iam:<action> on every resource: for a user, the
// authorization a request of its own makes; for a role, a decision on
// the role's entry as a session of it will make one.
func can(t testing.TB, svc *Service, account, p, action string) bool {
	t.Helper()
	ok, err := decideAs(svc, account, p, action)
	if err != nil {
		t.Fatalf("%s %s: %v", p, action, err)
	}
	return ok
}

func decideAs(svc *Service, account, p, action string) (bool, error) {
	kind, name, _ := cut(p)
	var err error
	if kind == kindUser {
		r, rerr := requestOf(svc, account, name)
		if rerr != nil {
			return false, rerr
		}
		err = svc.view(r, func(tx *txn) error { return tx.authorize(iamapi.Action("iam:"+action), "*", nil) })
	} else {
		pp, perr := svc.PrincipalPolicies(account, RolePrincipal, name)
		if perr != nil {
			return false, perr
		}
		req := &authz.Request{Action: "iam:" + action, Resource: "*", Context: policy.NewContext(nil),
			Caller: policy.Caller{Type: policy.AssumedRole, ARN: "arn:aws:sts::" + account + ":assumed-role/" + name + "/s", Account: account,
				RoleARN: "arn:aws:iam::" + account + ":role/" + name}}
		d, derr := authz.Decide(req, &pp.Policies)
		if derr != nil {
			return false, derr
		}
		if d.Effect != authz.Allowed {
			err = awsapi.AccessDenied("denied")
		}
	}
	var ae awsapi.APIError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied":
		return false, nil
	}
	return false, err
}

// warm makes every principal of the world compiled and returns the
// entries.
func warm(t testing.TB, svc *Service, account string, principals []string) map[string]*PrincipalPolicies {
	t.Helper()
	out := make(map[string]*PrincipalPolicies)
	for _, p := range principals {
		can(t, svc, account, p, "GetUser")
		e := svc.principals.lookup(viewKey(account, p))
		if e == nil {
			t.Fatalf("%s not in the view after a request", p)
		}
		out[p] = e
	}
	return out
}

// TestViewChanges shows, for each kind of change, that the principals
// it affects decide anew on their next request (compiled once more
// each) and that every other principal's entry survives untouched.
func TestViewChanges(t *testing.T) {
	type decision struct {
		p, action     string
		before, after bool
	}
	for _, tc := range []struct {
		name     string
		change   func(t *testing.T, w *viewWorld) error
		affected []string
		decides  []decision
	}{{
		name: "user inline policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.PutUserPolicy(w.ctx, w.r, &iamapi.PutUserPolicyInput{UserName: "alice", PolicyName: "roles", PolicyDocument: allowDoc("iam:ListRoles")})
			return err
		},
		affected: []string{"user/alice"},
		decides:  []decision{{"user/alice", "ListRoles", false, true}, {"user/bob", "ListRoles", false, false}},
	}, {
		name: "user attached policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.AttachUserPolicy(w.ctx, w.r, &iamapi.AttachUserPolicyInput{UserName: "dave", PolicyArn: w.list})
			return err
		},
		affected: []string{"user/dave"},
		decides:  []decision{{"user/dave", "ListRoles", false, true}},
	}, {
		name: "user detached policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.DetachUserPolicy(w.ctx, w.r, &iamapi.DetachUserPolicyInput{UserName: "carol", PolicyArn: w.getARN})
			return err
		},
		affected: []string{"user/carol"},
		decides:  []decision{{"user/carol", "GetUser", true, false}, {"user/alice", "GetUser", true, true}},
	}, {
		name: "user permissions boundary",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.PutUserPermissionsBoundary(w.ctx, w.r, &iamapi.PutUserPermissionsBoundaryInput{UserName: "alice", PermissionsBoundary: w.getARN})
			return err
		},
		affected: []string{"user/alice"},
		decides:  []decision{{"user/alice", "ListGroups", true, false}, {"user/alice", "GetUser", true, true}, {"user/bob", "ListGroups", true, true}},
	}, {
		name: "user tags",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.TagUser(w.ctx, w.r, &iamapi.TagUserInput{UserName: "erin", Tags: []iamapi.Tag{{Key: "team", Value: "blue"}}})
			return err
		},
		affected: []string{"user/erin"},
		decides:  []decision{{"user/erin", "ListPolicies", false, true}},
	}, {
		// Credentials are records of their own: the user's entry stays,
		// the same pointer, and nothing compiles again.
		name: "user access key created and deleted",
		change: func(t *testing.T, w *viewWorld) error {
			out, err := w.svc.CreateAccessKey(w.ctx, w.r, &iamapi.CreateAccessKeyInput{UserName: "bob"})
			if err != nil {
				return err
			}
			if _, err := w.svc.UpdateAccessKey(w.ctx, w.r, &iamapi.UpdateAccessKeyInput{UserName: "bob", AccessKeyId: out.AccessKey.AccessKeyId, Status: statusInactive}); err != nil {
				return err
			}
			_, err = w.svc.DeleteAccessKey(w.ctx, w.r, &iamapi.DeleteAccessKeyInput{UserName: "bob", AccessKeyId: out.AccessKey.AccessKeyId})
			return err
		},
		decides: []decision{{"user/bob", "GetUser", true, true}},
	}, {
		name: "user login profile",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.CreateLoginProfile(w.ctx, w.r, &iamapi.CreateLoginProfileInput{UserName: "alice", Password: "correct horse battery staple 1A!"})
			return err
		},
		decides: []decision{{"user/alice", "GetUser", true, true}},
	}, {
		name: "group inline policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.PutGroupPolicy(w.ctx, w.r, &iamapi.PutGroupPolicyInput{GroupName: "devs", PolicyName: "policies", PolicyDocument: allowDoc("iam:ListPolicies")})
			return err
		},
		affected: []string{"user/alice", "user/bob"},
		decides:  []decision{{"user/alice", "ListPolicies", false, true}, {"user/bob", "ListPolicies", false, true}, {"user/dave", "ListPolicies", false, false}},
	}, {
		name: "group attached policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.AttachGroupPolicy(w.ctx, w.r, &iamapi.AttachGroupPolicyInput{GroupName: "ops", PolicyArn: w.list})
			return err
		},
		affected: []string{"user/dave"},
		decides:  []decision{{"user/dave", "ListRoles", false, true}, {"user/alice", "ListRoles", false, false}},
	}, {
		name: "group detached policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.DetachGroupPolicy(w.ctx, w.r, &iamapi.DetachGroupPolicyInput{GroupName: "devs", PolicyArn: w.getARN})
			return err
		},
		affected: []string{"user/alice", "user/bob"},
		decides:  []decision{{"user/alice", "GetUser", true, false}, {"user/bob", "GetUser", true, false}, {"user/carol", "GetUser", true, true}},
	}, {
		name: "group renamed",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.UpdateGroup(w.ctx, w.r, &iamapi.UpdateGroupInput{GroupName: "devs", NewGroupName: "developers"})
			return err
		},
		affected: []string{"user/alice", "user/bob"},
		decides:  []decision{{"user/alice", "ListGroups", true, true}},
	}, {
		name: "user added to group",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.AddUserToGroup(w.ctx, w.r, &iamapi.AddUserToGroupInput{GroupName: "devs", UserName: "dave"})
			return err
		},
		affected: []string{"user/dave"},
		decides:  []decision{{"user/dave", "ListGroups", false, true}},
	}, {
		name: "user removed from group",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.RemoveUserFromGroup(w.ctx, w.r, &iamapi.RemoveUserFromGroupInput{GroupName: "devs", UserName: "bob"})
			return err
		},
		affected: []string{"user/bob"},
		decides:  []decision{{"user/bob", "ListGroups", true, false}, {"user/alice", "ListGroups", true, true}},
	}, {
		name: "managed policy default version",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.CreatePolicyVersion(w.ctx, w.r, &iamapi.CreatePolicyVersionInput{PolicyArn: w.getARN, PolicyDocument: allowDoc("iam:ListPolicies"), SetAsDefault: awsBool(true)})
			return err
		},
		// carol attaches get directly, alice and bob through devs.
		affected: []string{"user/alice", "user/bob", "user/carol"},
		decides: []decision{{"user/alice", "GetUser", true, false}, {"user/carol", "GetUser", true, false},
			{"user/carol", "ListPolicies", false, true}, {"user/dave", "ListPolicies", false, false}},
	}, {
		name: "role inline policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.DeleteRolePolicy(w.ctx, w.r, &iamapi.DeleteRolePolicyInput{RoleName: "app", PolicyName: "roles"})
			return err
		},
		affected: []string{"role/app"},
		decides:  []decision{{"role/app", "ListRoles", true, false}},
	}, {
		name: "role attached policy",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.AttachRolePolicy(w.ctx, w.r, &iamapi.AttachRolePolicyInput{RoleName: "app", PolicyArn: w.getARN})
			return err
		},
		affected: []string{"role/app"},
		decides:  []decision{{"role/app", "GetUser", false, true}},
	}, {
		name: "role boundary",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.PutRolePermissionsBoundary(w.ctx, w.r, &iamapi.PutRolePermissionsBoundaryInput{RoleName: "app", PermissionsBoundary: w.getARN})
			return err
		},
		affected: []string{"role/app"},
		decides:  []decision{{"role/app", "ListRoles", true, false}},
	}, {
		name: "another kind of record",
		change: func(t *testing.T, w *viewWorld) error {
			_, err := w.svc.CreateRole(w.ctx, w.r, &iamapi.CreateRoleInput{RoleName: "other",
				AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
			if err != nil {
				return err
			}
			_, err = w.svc.CreateAccountAlias(w.ctx, w.r, &iamapi.CreateAccountAliasInput{AccountAlias: "view-test"})
			return err
		},
		decides: []decision{{"user/alice", "GetUser", true, true}},
	}, {
		name: "managed policy default version applied by state.set alone",
		// What the follower does with another process's change: no
		// commit, no txn, only the apply function.
		change: func(t *testing.T, w *viewWorld) error {
			svc := w.svc
			svc.mu.Lock()
			defer svc.mu.Unlock()
			k := recordKey{internalAccount, kindPolicy, "get"}
			p := *svc.state.lookup(k).(*managedPolicy)
			p.Versions = append(slices.Clone(p.Versions), policyVersion{ID: "v9", Doc: allowDoc("iam:ListRoles"), Created: time.Now()})
			p.Default = "v9"
			return svc.state.set(svc, k, &p, 1)
		},
		affected: []string{"user/alice", "user/bob", "user/carol"},
		decides:  []decision{{"user/bob", "GetUser", true, false}, {"user/bob", "ListRoles", false, true}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newViewWorld(t)
			svc := w.svc
			for _, d := range tc.decides {
				if got := can(t, svc, internalAccount, d.p, d.action); got != d.before {
					t.Fatalf("before: %s %s = %v, want %v", d.p, d.action, got, d.before)
				}
			}
			entries := warm(t, svc, internalAccount, viewPrincipals)
			compiles := svc.principals.compiles.Load()
			if err := tc.change(t, w); err != nil {
				t.Fatal(err)
			}
			for _, p := range viewPrincipals {
				e := svc.principals.lookup(viewKey(internalAccount, p))
				switch {
				case slices.Contains(tc.affected, p) && e != nil:
					t.Errorf("%s: entry kept after the change", p)
				case !slices.Contains(tc.affected, p) && e != entries[p]:
					t.Errorf("%s: entry dropped by a change that does not affect it", p)
				}
			}
			for _, d := range tc.decides {
				if got := can(t, svc, internalAccount, d.p, d.action); got != d.after {
					t.Errorf("after: %s %s = %v, want %v", d.p, d.action, got, d.after)
				}
			}
			warm(t, svc, internalAccount, viewPrincipals)
			if n := svc.principals.compiles.Load() - compiles; n != uint64(len(tc.affected)) {
				t.Errorf("%d compilations after the change, want %d (%v)", n, len(tc.affected), tc.affected)
			}
		})
	}
}

func awsBool(b bool) *bool { return &b }

// TestViewUserRenamedOrDeleted: the entry of a renamed or deleted user
// goes with its record; a request under the old name finds no user.
func TestViewUserRenamedOrDeleted(t *testing.T) {
	w := newViewWorld(t)
	svc := w.svc
	entries := warm(t, svc, internalAccount, viewPrincipals)
	if _, err := svc.UpdateUser(w.ctx, w.r, &iamapi.UpdateUserInput{UserName: "alice", NewUserName: "alicia"}); err != nil {
		t.Fatal(err)
	}
	if svc.principals.lookup(viewKey(internalAccount, "user/alice")) != nil {
		t.Fatal("renamed user's entry kept under the old name")
	}
	if !can(t, svc, internalAccount, "user/alicia", "ListGroups") {
		t.Fatal("renamed user lost its group's policy")
	}
	if _, err := svc.RemoveUserFromGroup(w.ctx, w.r, &iamapi.RemoveUserFromGroupInput{GroupName: "ops", UserName: "dave"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeleteUser(w.ctx, w.r, &iamapi.DeleteUserInput{UserName: "dave"}); err != nil {
		t.Fatal(err)
	}
	if svc.principals.lookup(viewKey(internalAccount, "user/dave")) != nil {
		t.Fatal("deleted user's entry kept")
	}
	if _, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, "dave"); !errors.Is(err, ErrNoPrincipal) {
		t.Fatalf("deleted user: %v, want ErrNoPrincipal", err)
	}
	if svc.principals.lookup(viewKey(internalAccount, "user/bob")) != entries["user/bob"] {
		t.Fatal("bob's entry dropped")
	}
}

// TestViewAccountDeleted: when every record of an account is deleted
// (as applying an account's removal from the log does), every entry of
// the account goes and another account's stay.
func TestViewAccountDeleted(t *testing.T) {
	w := newViewWorld(t)
	svc := w.svc
	const other = "444455556666"
	if _, err := svc.Bootstrap(w.ctx, Bootstrap{Account: other, RootPassword: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	warm(t, svc, internalAccount, viewPrincipals)
	kept := warm(t, svc, other, []string{"user/admin"})
	svc.mu.Lock()
	var keys []recordKey
	for kind, tbl := range svc.state.accounts[internalAccount].tables {
		for key := range tbl {
			keys = append(keys, recordKey{internalAccount, kind, key})
		}
	}
	for _, k := range keys {
		if err := svc.state.set(svc, k, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	svc.mu.Unlock()
	for _, p := range viewPrincipals {
		if svc.principals.lookup(viewKey(internalAccount, p)) != nil {
			t.Errorf("%s: entry kept after its account was deleted", p)
		}
	}
	if svc.principals.lookup(viewKey(other, "user/admin")) != kept["user/admin"] {
		t.Error("another account's entry dropped")
	}
	svc.principals.mu.RLock()
	for d := range svc.principals.deps {
		if d.account == internalAccount {
			t.Errorf("dependency %v of a deleted account kept", d)
		}
	}
	svc.principals.mu.RUnlock()
}

// TestViewReset: Reset empties the view with the state.
func TestViewReset(t *testing.T) {
	w := newViewWorld(t)
	warm(t, w.svc, internalAccount, viewPrincipals)
	if err := w.svc.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(w.svc.principals.slots); n != 0 {
		t.Fatalf("%d entries after Reset", n)
	}
}

// TestViewRaceStoresNothingStale: a build that read the state before a
// change and finishes after it answers its own request and stores
// nothing; the next request compiles the new state.
func TestViewRaceStoresNothingStale(t *testing.T) {
	w := newViewWorld(t)
	svc := w.svc
	k := viewKey(internalAccount, "user/carol")
	svc.mu.RLock()
	b, err := svc.prepare(svc.state, k)
	svc.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	// The change lands between the build's read and its store.
	if _, err := svc.DetachUserPolicy(w.ctx, w.r, &iamapi.DetachUserPolicyInput{UserName: "carol", PolicyArn: w.getARN}); err != nil {
		t.Fatal(err)
	}
	stale, err := svc.finish(b)
	if err != nil {
		t.Fatal(err)
	}
	if stale.Policies.Identity.Len() != 1 {
		t.Fatalf("the build read %d policies, want the one attached before", stale.Policies.Identity.Len())
	}
	if svc.principals.lookup(k) != nil {
		t.Fatal("a build that raced with a change stored its entry")
	}
	if can(t, svc, internalAccount, "user/carol", "GetUser") {
		t.Fatal("carol still allowed after the detach")
	}

	// Builds of the same state share one entry: the second to finish
	// finds the first's, one that starts after it compiles nothing.
	k = viewKey(internalAccount, "user/alice")
	svc.mu.RLock()
	b1, err1 := svc.prepare(svc.state, k)
	b2, err2 := svc.prepare(svc.state, k)
	svc.mu.RUnlock()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	e1, _ := svc.finish(b1)
	e2, _ := svc.finish(b2)
	if e1 != e2 || svc.principals.lookup(k) != e1 {
		t.Fatal("racing builds of one state did not share one entry")
	}
	compiles := svc.principals.compiles.Load()
	svc.mu.RLock()
	b3, err := svc.prepare(svc.state, k)
	svc.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	if e3, _ := svc.finish(b3); e3 != e1 || svc.principals.compiles.Load() != compiles {
		t.Fatal("a build that found the entry compiled it again")
	}
}

// TestViewConcurrent runs requests of every principal against changes
// of a group's and a user's attachments; after each change the writer
// sees its effect on its next decision, and readers that compiled
// entries meanwhile never leave a stale one behind. Run with -race.
func TestViewConcurrent(t *testing.T) {
	w := newViewWorld(t)
	svc := w.svc
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				p := viewPrincipals[(i+n)%len(viewPrincipals)]
				if i%2 == 0 {
					if _, err := decideAs(svc, internalAccount, p, "ListRoles"); err != nil {
						t.Error(err)
						return
					}
				} else {
					kind, name, _ := cut(p)
					pk := UserPrincipal
					if kind == kindRole {
						pk = RolePrincipal
					}
					if _, err := svc.PrincipalPolicies(internalAccount, pk, name); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	for i := range 40 {
		attached := i%2 == 0
		var err error
		if attached {
			_, err = svc.AttachGroupPolicy(w.ctx, w.r, &iamapi.AttachGroupPolicyInput{GroupName: "devs", PolicyArn: w.list})
		} else {
			_, err = svc.DetachGroupPolicy(w.ctx, w.r, &iamapi.DetachGroupPolicyInput{GroupName: "devs", PolicyArn: w.list})
		}
		if err != nil {
			t.Fatal(err)
		}
		if i%4 == 1 {
			_, err = svc.AttachUserPolicy(w.ctx, w.r, &iamapi.AttachUserPolicyInput{UserName: "dave", PolicyArn: w.list})
		} else if i%4 == 3 {
			_, err = svc.DetachUserPolicy(w.ctx, w.r, &iamapi.DetachUserPolicyInput{UserName: "dave", PolicyArn: w.list})
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"user/alice", "user/bob"} {
			if got := can(t, svc, internalAccount, p, "ListRoles"); got != attached {
				t.Fatalf("change %d: %s ListRoles = %v, want %v", i, p, got, attached)
			}
		}
		if got, want := can(t, svc, internalAccount, "user/dave", "ListRoles"), i%4 == 1 || i%4 == 2; got != want {
			t.Fatalf("change %d: dave ListRoles = %v, want %v", i, got, want)
		}
		// The public view agrees with the request path.
		p, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if n := p.Policies.Identity.Len(); (n == 3) != attached {
			t.Fatalf("change %d: alice has %d policies in the view", i, n)
		}
	}
	close(stop)
	wg.Wait()
}

// TestViewAllocs: a warm look-up, by a request or through the public
// API, allocates nothing.
func TestViewAllocs(t *testing.T) {
	w := newViewWorld(t)
	svc := w.svc
	r := userRequest(t, svc, internalAccount, "alice")
	tx := svc.reader(r)
	if _, err := tx.caller(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := tx.caller(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("warm caller: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := svc.PrincipalPolicies(internalAccount, RolePrincipal, "app"); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("warm PrincipalPolicies: %v allocations", n)
	}
}

// changeAccount stages an account with n users, each in one of 10
// groups and with an inline policy, a customer managed policy attached
// to every tenth user and to every group; every user compiled once.
func changeAccount(b *testing.B, n int) (*Service, context.Context, *authn.Request) {
	svc, ctx, r := newInternalService(b)
	now := time.Now().UTC().Truncate(time.Second)
	stage(b, svc, r, func(tx *txn) {
		for i := range 2 {
			tx.put(&managedPolicy{Path: "/", Name: fmt.Sprintf("p%d", i), ID: uniqueID(prefixPolicy), Created: now, Updated: now,
				Versions: []policyVersion{{ID: "v1", Doc: allowDoc("s3:GetObject", "s3:PutObject"), Created: now}}, Default: "v1", NextVersion: 2})
		}
		var gids []string
		for i := range 10 {
			g := &group{Path: "/", Name: fmt.Sprintf("g%d", i), ID: uniqueID(prefixGroup), Created: now,
				Attached: []string{"arn:aws:iam::" + internalAccount + ":policy/p0"},
				Inline:   map[string]string{"g": allowDoc("iam:ListGroups")}}
			tx.put(g)
			gids = append(gids, g.ID)
		}
		for i := range n {
			u := &user{Path: "/", Name: fmt.Sprintf("u%05d", i), ID: uniqueID(prefixUser), Created: now, Groups: []string{gids[i%10]},
				Inline: map[string]string{"own": allowDoc("iam:GetUser")}}
			if i%10 == 0 {
				u.Attached = []string{"arn:aws:iam::" + internalAccount + ":policy/p0"}
			}
			tx.put(u)
		}
	})
	for i := range n {
		if _, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, fmt.Sprintf("u%05d", i)); err != nil {
			b.Fatal(err)
		}
	}
	return svc, ctx, r
}

// BenchmarkViewChange is the cost of one change in an account of n
// users whose entries are all compiled: user u00001 attaches (then
// detaches) policy p1, and its next request compiles its entry again
// while another user's request stays warm. "apply" applies the changed
// record through state.set alone, as the follower applies another
// process's change; "commit" makes it with AttachUserPolicy and
// DetachUserPolicy, through a SQLite commit. The cost does not depend
// on n: one compilation per change (compiles/op).
//
//	go test ./iam -run '^$' -bench 'ViewChange' -benchmem -cpu 1
func BenchmarkViewChange(b *testing.B) {
	for _, via := range []string{"apply", "commit"} {
		for _, n := range []int{50, 500, 5000} {
			b.Run(fmt.Sprintf("%s/users=%d", via, n), func(b *testing.B) {
				svc, ctx, r := changeAccount(b, n)
				k := recordKey{internalAccount, kindUser, "u00001"}
				svc.mu.RLock()
				plain := svc.state.lookup(k).(*user)
				svc.mu.RUnlock()
				p1 := "arn:aws:iam::" + internalAccount + ":policy/p1"
				with := *plain
				with.Attached = []string{p1}
				change := func(attach bool) {
					switch {
					case via == "commit" && attach:
						_, err := svc.AttachUserPolicy(ctx, r, &iamapi.AttachUserPolicyInput{UserName: "u00001", PolicyArn: p1})
						if err != nil {
							b.Fatal(err)
						}
					case via == "commit":
						_, err := svc.DetachUserPolicy(ctx, r, &iamapi.DetachUserPolicyInput{UserName: "u00001", PolicyArn: p1})
						if err != nil {
							b.Fatal(err)
						}
					default:
						e := entity(plain)
						if attach {
							e = &with
						}
						svc.mu.Lock()
						err := svc.state.set(svc, k, e, 1)
						svc.mu.Unlock()
						if err != nil {
							b.Fatal(err)
						}
					}
				}
				other := userRequest(b, svc, internalAccount, "u00002")
				changed := userRequest(b, svc, internalAccount, "u00001")
				decide := func(r *authn.Request) {
					if err := svc.view(r, func(tx *txn) error { return tx.authorize(iamapi.ActionGetUser, "*", nil) }); err != nil {
						b.Fatal(err)
					}
				}
				compiles := svc.principals.compiles.Load()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					change(i%2 == 0)
					i++
					decide(changed)
					decide(other)
				}
				b.ReportMetric(float64(svc.principals.compiles.Load()-compiles)/float64(b.N), "compiles/op")
			})
		}
	}
}

// BenchmarkViewFlush is what a change cost before the view was
// incremental: every entry of the account dropped, so each user's next
// request compiled its entry again (here all n of them, once).
//
//	go test ./iam -run '^$' -bench 'ViewFlush' -benchmem -cpu 1
func BenchmarkViewFlush(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			svc, _, _ := changeAccount(b, n)
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("u%05d", i)
			}
			b.ReportAllocs()
			for b.Loop() {
				svc.principals.reset()
				for _, name := range names {
					if _, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, name); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkViewLookup is a warm decision's look-up of the caller's
// entry.
//
//	go test ./iam -run '^$' -bench 'ViewLookup' -benchmem -cpu 1
func BenchmarkViewLookup(b *testing.B) {
	w := newViewWorld(b)
	r := userRequest(b, w.svc, internalAccount, "alice")
	tx := w.svc.reader(r)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tx.caller(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorize is one warm authorization of an IAM operation by
// an IAM user whose policies come from its group and a managed policy.
//
//	go test ./iam -run '^$' -bench 'Authorize' -benchmem -cpu 1
func BenchmarkAuthorize(b *testing.B) {
	w := newViewWorld(b)
	r := userRequest(b, w.svc, internalAccount, "alice")
	tx := w.svc.reader(r)
	b.ReportAllocs()
	for b.Loop() {
		if err := tx.authorize(iamapi.ActionGetUser, "arn:aws:iam::111122223333:user/alice", nil); err != nil {
			b.Fatal(err)
		}
	}
}
