package iam

import (
	"context"
	"fmt"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// Quotas of users.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxUsers = 5000

func errNoSuchUser(name string) error {
	return iamapi.NoSuchEntity("The user with name %s cannot be found.", name)
}

// userARN is the ARN of a user, existing or not, in the request's partition.
func (t *txn) userARN(u *user, name string) string {
	if u != nil {
		return iamapi.UserARN(t.req.Partition, t.req.Account, u.Path, u.Name)
	}
	return iamapi.UserARN(t.req.Partition, t.req.Account, "/", name)
}

// requireUser authorizes action on the named user and returns it, or
// NoSuchEntity once the caller is allowed to know.
func (t *txn) requireUser(action iamapi.Action, name string, keys map[string][]string) (*user, error) {
	u, ok := get[*user](t, kindUser, nameKey(name))
	if ok {
		keys = resourceTagContext(u.Tags, keys)
	}
	if err := t.authorize(action, t.userARN(u, name), keys); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchUser(name)
	}
	return u, nil
}

// targetUser resolves an optional UserName parameter: when empty, the
// calling IAM user (AWS: "defaults to the user making the request").
func (t *txn) targetUser(name string) string {
	if name == "" && t.callerKey != "" {
		if u, ok := get[*user](t, kindUser, t.callerKey); ok {
			return u.Name
		}
	}
	return name
}

func (t *txn) apiUser(u *user) *iamapi.User {
	out := &iamapi.User{
		Path:             u.Path,
		UserName:         u.Name,
		UserId:           u.ID,
		Arn:              t.userARN(u, ""),
		CreateDate:       u.Created,
		PasswordLastUsed: t.passwordUsed(u),
		Tags:             apiTags(u.Tags),
	}
	out.PermissionsBoundary = t.apiBoundary(u.Boundary)
	return out
}

// passwordUsed is when u's password was last used, or zero. It is
// shown, never decided on, so a write notes no condition on it.
func (t *txn) passwordUsed(u *user) time.Time {
	k := recordKey{t.acct, kindPasswordUse, u.key()}
	e, staged := t.staged[k]
	if !staged {
		e = t.base.lookup(k)
	}
	if pu, ok := e.(*passwordUse); ok && pu.UserID == u.ID {
		return pu.Used
	}
	return time.Time{}
}

// boundaryTypePolicy is the PermissionsBoundaryType IAM answers. The
// model's enum says "PermissionsBoundaryPolicy"; AWS writes "Policy"
// (GetRole, CreateRole: test_role_permissions_boundary_lifecycle in
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_roles.snapshot.json),
// which the SDKs pass through unchanged.
const boundaryTypePolicy = "Policy"

// apiBoundary is a user's or role's permissions boundary as IAM returns
// it, or nil for none.
func (t *txn) apiBoundary(canonical string) *iamapi.AttachedPermissionsBoundary {
	if canonical == "" {
		return nil
	}
	return &iamapi.AttachedPermissionsBoundary{PermissionsBoundaryType: boundaryTypePolicy, PermissionsBoundaryArn: t.out(canonical)}
}

// listedUser is a user as ListUsers and GetGroup return it: without tags
// and permissions boundary, which only GetUser returns.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html
func (t *txn) listedUser(u *user) iamapi.User {
	au := t.apiUser(u)
	au.Tags, au.PermissionsBoundary = nil, nil
	return *au
}

// CreateUser creates an IAM user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
func (svc *Service) CreateUser(ctx context.Context, r *authn.Request, in *iamapi.CreateUserInput) (*iamapi.CreateUserOutput, error) {
	var out *iamapi.CreateUserOutput
	err := svc.update(ctx, r, func(t *txn) error {
		path := defaultPath(in.Path)
		keys := tagContext(in.Tags, nil)
		if in.PermissionsBoundary != "" {
			keys = withKey(keys, "iam:PermissionsBoundary", in.PermissionsBoundary)
		}
		if err := t.authorize(iamapi.ActionCreateUser, iamapi.UserARN(t.req.Partition, t.req.Account, path, in.UserName), keys); err != nil {
			return err
		}
		if _, ok := get[*user](t, kindUser, nameKey(in.UserName)); ok {
			return iamapi.EntityAlreadyExists("User with name %s already exists.", in.UserName)
		}
		if t.full(kindUser, maxUsers) {
			return quotaExceeded("UsersPerAccount", maxUsers)
		}
		tags, err := newTags(in.Tags)
		if err != nil {
			return err
		}
		u := &user{Path: path, Name: in.UserName, ID: uniqueID(prefixUser), Created: t.svc.now(), Tags: tags}
		if in.PermissionsBoundary != "" {
			b, err := t.boundaryPolicy(in.PermissionsBoundary)
			if err != nil {
				return err
			}
			u.Boundary = b
		}
		t.put(u)
		out = &iamapi.CreateUserOutput{User: t.apiUser(u)}
		return nil
	})
	return out, err
}

// GetUser returns a user, or the caller when no name is given.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html
func (svc *Service) GetUser(ctx context.Context, r *authn.Request, in *iamapi.GetUserInput) (*iamapi.GetUserOutput, error) {
	var out *iamapi.GetUserOutput
	err := svc.view(r, func(t *txn) error {
		name := t.targetUser(in.UserName)
		if name == "" {
			// The root user: AWS answers with the account as the user.
			if err := t.authorize(iamapi.ActionGetUser, r.ARN, nil); err != nil {
				return err
			}
			out = &iamapi.GetUserOutput{User: &iamapi.User{UserId: r.Account, Arn: r.ARN, CreateDate: t.rootCreated(), Path: "/"}}
			return nil
		}
		u, err := t.requireUser(iamapi.ActionGetUser, name, nil)
		if err != nil {
			return err
		}
		out = &iamapi.GetUserOutput{User: t.apiUser(u)}
		return nil
	})
	return out, err
}

func (t *txn) rootCreated() time.Time {
	if s, ok := get[*settings](t, kindSettings, "account"); ok {
		return s.RootCreated
	}
	return time.Time{}
}

// ListUsers lists the users with a path prefix.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html
func (svc *Service) ListUsers(ctx context.Context, r *authn.Request, in *iamapi.ListUsersInput) (*iamapi.ListUsersOutput, error) {
	var out *iamapi.ListUsersOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionListUsers, iamapi.UserARN(t.req.Partition, t.req.Account, defaultPath(in.PathPrefix), ""), nil); err != nil {
			return err
		}
		// Under a path prefix that few users have, a page walks the
		// users under it by path (BenchmarkList/ListUsers/PathPrefix).
		p, err := listPage[*user](t, "ListUsers", kindUser, in.Marker, in.MaxItems, in.PathPrefix, nil)
		if err != nil {
			return err
		}
		out = &iamapi.ListUsersOutput{Users: make([]iamapi.User, len(p.items)), IsTruncated: boolPtr(p.more), Marker: p.marker()}
		for i, u := range p.items {
			out.Users[i] = t.listedUser(u)
		}
		return nil
	})
	return out, err
}

// UpdateUser renames a user or changes its path.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html
func (svc *Service) UpdateUser(ctx context.Context, r *authn.Request, in *iamapi.UpdateUserInput) (*iamapi.UpdateUserOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.requireUser(iamapi.ActionUpdateUser, in.UserName, nil)
		if err != nil {
			return err
		}
		nu := *u
		if in.NewPath != "" {
			nu.Path = in.NewPath
		}
		if in.NewUserName != "" && in.NewUserName != u.Name {
			// The caller needs the permission on the new name as well.
			if err := t.authorize(iamapi.ActionUpdateUser, iamapi.UserARN(t.req.Partition, t.req.Account, nu.Path, in.NewUserName), nil); err != nil {
				return err
			}
			if nameKey(in.NewUserName) != u.key() {
				if _, ok := get[*user](t, kindUser, nameKey(in.NewUserName)); ok {
					return iamapi.EntityAlreadyExists("User with name %s already exists.", in.NewUserName)
				}
			}
			nu.Name = in.NewUserName
			t.del(kindUser, u.key())
			if nu.key() != u.key() {
				t.renameCreds(u, nu.key())
			}
		}
		t.put(&nu)
		return nil
	})
	return &iamapi.UpdateUserOutput{}, err
}

// DeleteUser deletes a user that has nothing attached any more.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html
func (svc *Service) DeleteUser(ctx context.Context, r *authn.Request, in *iamapi.DeleteUserInput) (*iamapi.DeleteUserOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.requireUser(iamapi.ActionDeleteUser, in.UserName, nil)
		if err != nil {
			return err
		}
		// A credential added meanwhile makes the commit conflict: the
		// checks hold the user's records to none (hasCreds).
		switch {
		case t.loginOf(u) != nil:
			return iamapi.DeleteConflict("Cannot delete entity, must delete login profile first.")
		case hasCreds[*accessKey](t, kindAccessKey, u):
			return iamapi.DeleteConflict("Cannot delete entity, must delete access keys first.")
		case len(u.Groups) > 0:
			return iamapi.DeleteConflict("Cannot delete entity, must remove users from group first.")
		case len(u.Attached) > 0:
			return iamapi.DeleteConflict("Cannot delete entity, must detach all policies first.")
		case len(u.Inline) > 0:
			return iamapi.DeleteConflict("Cannot delete entity, must delete policies first.")
		case hasCreds[*mfaDevice](t, kindMFAEnabled, u):
			return iamapi.DeleteConflict("Cannot delete entity, must delete MFA device first.")
		case hasCreds[*signingCert](t, kindSigningCert, u):
			return iamapi.DeleteConflict("Cannot delete entity, must delete signing certificates first.")
		case hasCreds[*sshKey](t, kindSSHKey, u):
			return iamapi.DeleteConflict("Cannot delete entity, must delete SSH public keys first.")
		case hasCreds[*serviceCred](t, kindServiceCred, u):
			return iamapi.DeleteConflict("Cannot delete entity, must delete service specific credentials first.")
		}
		// What else is kept under the user's key goes with it: when the
		// password was last used, and a login profile another user of
		// the name left.
		for _, kind := range []string{kindLogin, kindPasswordUse} {
			if _, ok := get[credential](t, kind, u.key()); ok {
				t.del(kind, u.key())
			}
		}
		t.del(kindUser, u.key())
		return nil
	})
	return &iamapi.DeleteUserOutput{}, err
}

// changeUser authorizes action on a user and stages what change makes
// of a copy of it.
func (svc *Service) changeUser(ctx context.Context, r *authn.Request, action iamapi.Action, name string, keys map[string][]string, change func(t *txn, u *user) error) error {
	return changeEntity(ctx, r, svc, (*txn).requireUser, action, name, keys, change)
}

// TagUser adds or replaces tags of a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagUser.html
func (svc *Service) TagUser(ctx context.Context, r *authn.Request, in *iamapi.TagUserInput) (*iamapi.TagUserOutput, error) {
	return &iamapi.TagUserOutput{}, tagEntity(ctx, r, svc, (*txn).requireUser, iamapi.ActionTagUser, in.UserName, in.Tags)
}

// UntagUser removes tags from a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagUser.html
func (svc *Service) UntagUser(ctx context.Context, r *authn.Request, in *iamapi.UntagUserInput) (*iamapi.UntagUserOutput, error) {
	return &iamapi.UntagUserOutput{}, untagEntity(ctx, r, svc, (*txn).requireUser, iamapi.ActionUntagUser, in.UserName, in.TagKeys)
}

// ListUserTags lists a user's tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUserTags.html
func (svc *Service) ListUserTags(ctx context.Context, r *authn.Request, in *iamapi.ListUserTagsInput) (*iamapi.ListUserTagsOutput, error) {
	return listEntityTags(ctx, r, svc, (*txn).requireUser, iamapi.ActionListUserTags, in.UserName, in.Marker, in.MaxItems, func(tags []iamapi.Tag, marker string, truncated bool) *iamapi.ListUserTagsOutput {
		return &iamapi.ListUserTagsOutput{Tags: tags, Marker: marker, IsTruncated: boolPtr(truncated)}
	})
}

// listTags pages through tags sorted by key; the marker names the last
// key, so a page stays stable while tags are added or removed.
func listTags[O any](list string, tags []Tag, marker string, maxItems *int32, build func([]iamapi.Tag, string, bool) *O) (*O, error) {
	sorted := slices.SortedFunc(slices.Values(tags), func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	page, next, truncated, err := paginate(list, sorted, func(t Tag) string { return t.Key }, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := make([]iamapi.Tag, len(page))
	for i, tg := range page {
		out[i] = iamapi.Tag{Key: tg.Key, Value: tg.Value}
	}
	return build(out, next, truncated), nil
}

// PutUserPermissionsBoundary sets a user's permissions boundary.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPermissionsBoundary.html
func (svc *Service) PutUserPermissionsBoundary(ctx context.Context, r *authn.Request, in *iamapi.PutUserPermissionsBoundaryInput) (*iamapi.PutUserPermissionsBoundaryOutput, error) {
	keys := map[string][]string{"iam:PermissionsBoundary": {in.PermissionsBoundary}}
	return &iamapi.PutUserPermissionsBoundaryOutput{}, svc.changeUser(ctx, r, iamapi.ActionPutUserPermissionsBoundary, in.UserName, keys, func(t *txn, u *user) error {
		b, err := t.boundaryPolicy(in.PermissionsBoundary)
		u.Boundary = b
		return err
	})
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPermissionsBoundary.html
func (svc *Service) DeleteUserPermissionsBoundary(ctx context.Context, r *authn.Request, in *iamapi.DeleteUserPermissionsBoundaryInput) (*iamapi.DeleteUserPermissionsBoundaryOutput, error) {
	return &iamapi.DeleteUserPermissionsBoundaryOutput{}, svc.changeUser(ctx, r, iamapi.ActionDeleteUserPermissionsBoundary, in.UserName, nil, func(_ *txn, u *user) error {
		u.Boundary = ""
		return nil
	})
}

// boundaryPolicy checks that the managed policy given as a permissions
// boundary exists and returns its canonical ARN.
func (t *txn) boundaryPolicy(given string) (string, error) {
	// Not a policy ARN at all: InvalidInput "ARN ... is not valid."
	// (test_role_permissions_boundary_errors in
	// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_roles.snapshot.json).
	if a, err := arn.Parse(given); err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "policy/") {
		return "", iamapi.InvalidInput("ARN %s is not valid.", given)
	}
	a := t.in(given)
	if mp := t.svc.catalog.ManagedPolicy(a); mp != nil && isAWSManagedARN(a) {
		return mp.ARN, nil
	}
	if customerPolicyByARN(t, a) != nil {
		return a, nil
	}
	return "", iamapi.NoSuchEntity("Scope ARN: %s does not exist or is not attachable.", given)
}

// withKey adds one context key.
func withKey(keys map[string][]string, k, v string) map[string][]string {
	if keys == nil {
		keys = make(map[string][]string)
	}
	keys[k] = []string{v}
	return keys
}

// sortableIndex is a key that sorts like the index i.
func sortableIndex(i int) string { return fmt.Sprintf("%08d", i) }
