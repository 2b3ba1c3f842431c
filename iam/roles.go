package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"
	"strings"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// Quotas and defaults of roles.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const (
	maxRoles               = 1000
	defaultMaxSession      = 3600
	serviceLinkedRolesPath = "/aws-service-role/"
)

func errNoSuchRole(name string) error {
	return iamapi.NoSuchEntity("The role with name %s cannot be found.", name)
}

func (t *txn) roleARN(r *role, name string) string {
	if r != nil {
		return iamapi.RoleARN(t.req.Partition, t.req.Account, r.Path, r.Name)
	}
	return iamapi.RoleARN(t.req.Partition, t.req.Account, "/", name)
}

// requireRole authorizes action on the named role and returns it.
func (t *txn) requireRole(action iamapi.Action, name string, keys map[string][]string) (*role, error) {
	r, ok := get[*role](t, kindRole, nameKey(name))
	if ok {
		keys = resourceTagContext(r.Tags, keys)
	}
	if err := t.authorize(action, t.roleARN(r, name), keys); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchRole(name)
	}
	return r, nil
}

// apiRole returns the role as GetRole does; list operations clear the
// fields they do not return.
func (t *txn) apiRole(r *role) *iamapi.Role {
	out := &iamapi.Role{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleId:                   r.ID,
		Arn:                      t.roleARN(r, ""),
		CreateDate:               r.Created,
		AssumeRolePolicyDocument: encodeDocument(t.trustDocument(r)),
		Description:              r.Description,
		MaxSessionDuration:       awsInt32(r.MaxSession),
		Tags:                     apiTags(r.Tags),
		RoleLastUsed:             &iamapi.RoleLastUsed{LastUsedDate: r.LastUsed, Region: r.LastRegion},
		PermissionsBoundary:      t.apiBoundary(r.Boundary),
	}
	return out
}

func awsInt32(n int32) *int32 { return &n }

// CreateRole creates a role with a trust policy.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
func (svc *Service) CreateRole(ctx context.Context, r *authn.Request, in *iamapi.CreateRoleInput) (*iamapi.CreateRoleOutput, error) {
	var out *iamapi.CreateRoleOutput
	err := svc.update(ctx, r, func(t *txn) error {
		path := defaultPath(in.Path)
		keys := tagContext(in.Tags, nil)
		if in.PermissionsBoundary != "" {
			keys = withKey(keys, "iam:PermissionsBoundary", in.PermissionsBoundary)
		}
		if err := t.authorize(iamapi.ActionCreateRole, iamapi.RoleARN(t.req.Partition, t.req.Account, path, in.RoleName), keys); err != nil {
			return err
		}
		if strings.HasPrefix(path, serviceLinkedRolesPath) {
			// Only CreateServiceLinkedRole creates roles there.
			return iamapi.InvalidInput("Path prefix '%s' can only be used for AWS Service linked Roles", serviceLinkedRolesPath)
		}
		if _, ok := get[*role](t, kindRole, nameKey(in.RoleName)); ok {
			return iamapi.EntityAlreadyExists("Role with name %s already exists.", in.RoleName)
		}
		if t.full(kindRole, maxRoles) {
			return quotaExceeded("RolesPerAccount", maxRoles)
		}
		bindings, err := t.checkTrust(in.AssumeRolePolicyDocument, in.RoleName)
		if err != nil {
			return err
		}
		tags, err := newTags(in.Tags)
		if err != nil {
			return err
		}
		nr := &role{
			Path: path, Name: in.RoleName, ID: uniqueID(prefixRole), Created: t.svc.now(),
			Trust: in.AssumeRolePolicyDocument, TrustIDs: bindings, Description: in.Description, MaxSession: defaultMaxSession, Tags: tags,
		}
		if in.MaxSessionDuration != nil {
			nr.MaxSession = *in.MaxSessionDuration
		}
		if in.PermissionsBoundary != "" {
			b, err := t.boundaryPolicy(in.PermissionsBoundary)
			if err != nil {
				return err
			}
			nr.Boundary = b
		}
		t.put(nr)
		// CreateRole answers without the description, the maximum
		// session duration and RoleLastUsed, which GetRole returns
		// (test_create_role_defaults, test_role_permissions_boundary_lifecycle,
		// test_list_roles_pagination in
		// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_roles.snapshot.json).
		ar := t.apiRole(nr)
		ar.Description, ar.MaxSessionDuration, ar.RoleLastUsed = "", nil, nil
		out = &iamapi.CreateRoleOutput{Role: ar}
		return nil
	})
	return out, err
}

// GetRole returns a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
func (svc *Service) GetRole(ctx context.Context, r *authn.Request, in *iamapi.GetRoleInput) (*iamapi.GetRoleOutput, error) {
	var out *iamapi.GetRoleOutput
	err := svc.view(r, func(t *txn) error {
		ro, err := t.requireRole(iamapi.ActionGetRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		out = &iamapi.GetRoleOutput{Role: t.apiRole(ro)}
		return nil
	})
	return out, err
}

// ListRoles lists the roles with a path prefix.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html
func (svc *Service) ListRoles(ctx context.Context, r *authn.Request, in *iamapi.ListRolesInput) (*iamapi.ListRolesOutput, error) {
	var out *iamapi.ListRolesOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionListRoles, iamapi.RoleARN(t.req.Partition, t.req.Account, defaultPath(in.PathPrefix), ""), nil); err != nil {
			return err
		}
		p, err := listPage[*role](t, "ListRoles", kindRole, in.Marker, in.MaxItems, in.PathPrefix, nil)
		if err != nil {
			return err
		}
		out = &iamapi.ListRolesOutput{Roles: make([]iamapi.Role, len(p.items)), Marker: p.marker(), IsTruncated: boolPtr(p.more)}
		for i, ro := range p.items {
			ar := t.apiRole(ro)
			ar.Tags, ar.PermissionsBoundary, ar.RoleLastUsed = nil, nil, nil
			out.Roles[i] = *ar
		}
		return nil
	})
	return out, err
}

// changeRole authorizes action on a role and stages what change makes of
// a copy of it.
func (svc *Service) changeRole(ctx context.Context, r *authn.Request, action iamapi.Action, name string, keys map[string][]string, change func(t *txn, r *role) error) error {
	return changeEntity(ctx, r, svc, (*txn).requireRole, action, name, keys, func(t *txn, r *role) error {
		// Of a service-linked role, callers may change only the
		// description (and its tags, which do not come through here).
		if r.Service != "" && action != iamapi.ActionUpdateRoleDescription {
			return iamapi.UnmodifiableEntity("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
		}
		return change(t, r)
	})
}

// UpdateRole changes a role's description and maximum session duration.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html
func (svc *Service) UpdateRole(ctx context.Context, r *authn.Request, in *iamapi.UpdateRoleInput) (*iamapi.UpdateRoleOutput, error) {
	return &iamapi.UpdateRoleOutput{}, svc.changeRole(ctx, r, iamapi.ActionUpdateRole, in.RoleName, nil, func(_ *txn, r *role) error {
		if in.Description != "" {
			r.Description = in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSession = *in.MaxSessionDuration
		}
		return nil
	})
}

// UpdateRoleDescription changes a role's description.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRoleDescription.html
func (svc *Service) UpdateRoleDescription(ctx context.Context, r *authn.Request, in *iamapi.UpdateRoleDescriptionInput) (*iamapi.UpdateRoleDescriptionOutput, error) {
	var out *iamapi.UpdateRoleDescriptionOutput
	err := svc.changeRole(ctx, r, iamapi.ActionUpdateRoleDescription, in.RoleName, nil, func(t *txn, r *role) error {
		r.Description = in.Description
		// Without MaxSessionDuration and RoleLastUsed (test_update_role,
		// update-role-description-response, in
		// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_roles.snapshot.json).
		ar := t.apiRole(r)
		ar.MaxSessionDuration, ar.RoleLastUsed = nil, nil
		out = &iamapi.UpdateRoleDescriptionOutput{Role: ar}
		return nil
	})
	return out, err
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html
func (svc *Service) UpdateAssumeRolePolicy(ctx context.Context, r *authn.Request, in *iamapi.UpdateAssumeRolePolicyInput) (*iamapi.UpdateAssumeRolePolicyOutput, error) {
	return &iamapi.UpdateAssumeRolePolicyOutput{}, svc.changeRole(ctx, r, iamapi.ActionUpdateAssumeRolePolicy, in.RoleName, nil, func(t *txn, r *role) error {
		bindings, err := t.checkTrust(in.PolicyDocument, r.Name)
		if err != nil {
			return err
		}
		r.Trust, r.TrustIDs = in.PolicyDocument, bindings
		return nil
	})
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html
func (svc *Service) PutRolePermissionsBoundary(ctx context.Context, r *authn.Request, in *iamapi.PutRolePermissionsBoundaryInput) (*iamapi.PutRolePermissionsBoundaryOutput, error) {
	keys := map[string][]string{"iam:PermissionsBoundary": {in.PermissionsBoundary}}
	return &iamapi.PutRolePermissionsBoundaryOutput{}, svc.changeRole(ctx, r, iamapi.ActionPutRolePermissionsBoundary, in.RoleName, keys, func(t *txn, r *role) error {
		b, err := t.boundaryPolicy(in.PermissionsBoundary)
		if err != nil {
			return err
		}
		r.Boundary = b
		return nil
	})
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRolePermissionsBoundary.html
func (svc *Service) DeleteRolePermissionsBoundary(ctx context.Context, r *authn.Request, in *iamapi.DeleteRolePermissionsBoundaryInput) (*iamapi.DeleteRolePermissionsBoundaryOutput, error) {
	return &iamapi.DeleteRolePermissionsBoundaryOutput{}, svc.changeRole(ctx, r, iamapi.ActionDeleteRolePermissionsBoundary, in.RoleName, nil, func(_ *txn, r *role) error {
		r.Boundary = ""
		return nil
	})
}

// TagRole adds or replaces tags of a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagRole.html
func (svc *Service) TagRole(ctx context.Context, r *authn.Request, in *iamapi.TagRoleInput) (*iamapi.TagRoleOutput, error) {
	return &iamapi.TagRoleOutput{}, tagEntity(ctx, r, svc, (*txn).requireRole, iamapi.ActionTagRole, in.RoleName, in.Tags)
}

// UntagRole removes tags from a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagRole.html
func (svc *Service) UntagRole(ctx context.Context, r *authn.Request, in *iamapi.UntagRoleInput) (*iamapi.UntagRoleOutput, error) {
	return &iamapi.UntagRoleOutput{}, untagEntity(ctx, r, svc, (*txn).requireRole, iamapi.ActionUntagRole, in.RoleName, in.TagKeys)
}

// ListRoleTags lists a role's tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoleTags.html
func (svc *Service) ListRoleTags(ctx context.Context, r *authn.Request, in *iamapi.ListRoleTagsInput) (*iamapi.ListRoleTagsOutput, error) {
	return listEntityTags(ctx, r, svc, (*txn).requireRole, iamapi.ActionListRoleTags, in.RoleName, in.Marker, in.MaxItems, func(tags []iamapi.Tag, marker string, truncated bool) *iamapi.ListRoleTagsOutput {
		return &iamapi.ListRoleTagsOutput{Tags: tags, Marker: marker, IsTruncated: boolPtr(truncated)}
	})
}

// DeleteRole deletes a role that has no policies and is in no instance
// profile.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html
func (svc *Service) DeleteRole(ctx context.Context, r *authn.Request, in *iamapi.DeleteRoleInput) (*iamapi.DeleteRoleOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		ro, err := t.requireRole(iamapi.ActionDeleteRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		if ro.Service != "" {
			return iamapi.UnmodifiableEntity("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", ro.Name)
		}
		switch {
		case nonEmpty(t.roleProfiles(ro.ID, "")):
			return iamapi.DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		case len(ro.Attached) > 0:
			return iamapi.DeleteConflict("Cannot delete entity, must detach all policies first.")
		case len(ro.Inline) > 0:
			return iamapi.DeleteConflict("Cannot delete entity, must delete policies first.")
		}
		t.del(kindRole, ro.key())
		return nil
	})
	return &iamapi.DeleteRoleOutput{}, err
}
