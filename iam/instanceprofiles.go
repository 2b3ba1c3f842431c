package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"
	"slices"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// Quotas of instance profiles.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const (
	maxInstanceProfiles = 1000
	// An instance profile holds one role, and the quota cannot be raised.
	// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html
	maxInstanceProfileRoles = 1
)

func errNoSuchInstanceProfile(name string) error {
	return iamapi.NoSuchEntity("Instance Profile %s cannot be found.", name)
}

// instanceProfileARN is the ARN of an instance profile, existing or not.
func (t *txn) instanceProfileARN(p *instanceProfile, name string) string {
	if p != nil {
		return iamapi.InstanceProfileARN(t.req.Partition, t.req.Account, p.Path, p.Name)
	}
	return iamapi.InstanceProfileARN(t.req.Partition, t.req.Account, "/", name)
}

// requireInstanceProfile authorizes action on the named instance profile
// and returns it, or NoSuchEntity once the caller is allowed to know.
func (t *txn) requireInstanceProfile(action iamapi.Action, name string, keys map[string][]string) (*instanceProfile, error) {
	p, ok := get[*instanceProfile](t, kindInstanceProfile, nameKey(name))
	if ok {
		keys = resourceTagContext(p.Tags, keys)
	}
	if err := t.authorize(action, t.instanceProfileARN(p, name), keys); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchInstanceProfile(name)
	}
	return p, nil
}

// apiInstanceProfile returns the instance profile as GetInstanceProfile
// does: its roles in full, with the trust policy URL-encoded, but
// without the attributes IAM leaves out of embedded roles.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetInstanceProfile.html#API_GetInstanceProfile_Examples
func (t *txn) apiInstanceProfile(p *instanceProfile) *iamapi.InstanceProfile {
	out := &iamapi.InstanceProfile{
		Path:                p.Path,
		InstanceProfileName: p.Name,
		InstanceProfileId:   p.ID,
		Arn:                 t.instanceProfileARN(p, ""),
		CreateDate:          p.Created,
		Roles:               []iamapi.Role{},
		Tags:                apiTags(p.Tags),
	}
	for _, id := range p.Roles {
		r := roleByID(t, id)
		if r == nil {
			continue
		}
		ar := t.apiRole(r)
		ar.Description, ar.MaxSessionDuration, ar.Tags, ar.PermissionsBoundary, ar.RoleLastUsed = "", nil, nil, nil, nil
		out.Roles = append(out.Roles, *ar)
	}
	return out
}

// CreateInstanceProfile creates an instance profile without a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html
func (svc *Service) CreateInstanceProfile(ctx context.Context, r *authn.Request, in *iamapi.CreateInstanceProfileInput) (*iamapi.CreateInstanceProfileOutput, error) {
	var out *iamapi.CreateInstanceProfileOutput
	err := svc.update(ctx, r, func(t *txn) error {
		path := defaultPath(in.Path)
		if err := t.authorize(iamapi.ActionCreateInstanceProfile, iamapi.InstanceProfileARN(t.req.Partition, t.req.Account, path, in.InstanceProfileName), tagContext(in.Tags, nil)); err != nil {
			return err
		}
		if _, ok := get[*instanceProfile](t, kindInstanceProfile, nameKey(in.InstanceProfileName)); ok {
			return iamapi.EntityAlreadyExists("Instance Profile %s already exists.", in.InstanceProfileName)
		}
		if t.full(kindInstanceProfile, maxInstanceProfiles) {
			return quotaExceeded("InstanceProfilesPerAccount", maxInstanceProfiles)
		}
		tags, err := newTags(in.Tags)
		if err != nil {
			return err
		}
		p := &instanceProfile{Path: path, Name: in.InstanceProfileName, ID: uniqueID(prefixInstanceProfile), Created: t.svc.now(), Tags: tags}
		t.put(p)
		out = &iamapi.CreateInstanceProfileOutput{InstanceProfile: t.apiInstanceProfile(p)}
		return nil
	})
	return out, err
}

// GetInstanceProfile returns an instance profile with its role and its
// tags (an empty list for none, where CreateInstanceProfile leaves Tags
// out).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetInstanceProfile.html
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_instance_profiles.snapshot.json (recorded from AWS)
func (svc *Service) GetInstanceProfile(ctx context.Context, r *authn.Request, in *iamapi.GetInstanceProfileInput) (*iamapi.GetInstanceProfileOutput, error) {
	var out *iamapi.GetInstanceProfileOutput
	err := svc.view(r, func(t *txn) error {
		p, err := t.requireInstanceProfile(iamapi.ActionGetInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		ip := t.apiInstanceProfile(p)
		ip.Tags = tagsOrEmpty(ip.Tags)
		out = &iamapi.GetInstanceProfileOutput{InstanceProfile: ip}
		return nil
	})
	return out, err
}

// DeleteInstanceProfile deletes an instance profile that has no role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteInstanceProfile.html
func (svc *Service) DeleteInstanceProfile(ctx context.Context, r *authn.Request, in *iamapi.DeleteInstanceProfileInput) (*iamapi.DeleteInstanceProfileOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		p, err := t.requireInstanceProfile(iamapi.ActionDeleteInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return iamapi.DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		t.del(kindInstanceProfile, p.key())
		return nil
	})
	return &iamapi.DeleteInstanceProfileOutput{}, err
}

// listProfiles pages through instance profiles as the list operations
// return them: without tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListInstanceProfiles.html
func (t *txn) listProfiles(p *page[*instanceProfile]) ([]iamapi.InstanceProfile, string, bool) {
	out := make([]iamapi.InstanceProfile, len(p.items))
	for i, ip := range p.items {
		ap := t.apiInstanceProfile(ip)
		ap.Tags = nil
		out[i] = *ap
	}
	return out, p.marker(), p.more
}

// ListInstanceProfiles lists the instance profiles with a path prefix.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListInstanceProfiles.html
func (svc *Service) ListInstanceProfiles(ctx context.Context, r *authn.Request, in *iamapi.ListInstanceProfilesInput) (*iamapi.ListInstanceProfilesOutput, error) {
	var out *iamapi.ListInstanceProfilesOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionListInstanceProfiles, iamapi.InstanceProfileARN(t.req.Partition, t.req.Account, defaultPath(in.PathPrefix), ""), nil); err != nil {
			return err
		}
		p, err := listPage[*instanceProfile](t, "ListInstanceProfiles", kindInstanceProfile, in.Marker, in.MaxItems, in.PathPrefix, nil)
		if err != nil {
			return err
		}
		page, marker, truncated := t.listProfiles(p)
		out = &iamapi.ListInstanceProfilesOutput{InstanceProfiles: page, Marker: marker, IsTruncated: boolPtr(truncated)}
		return nil
	})
	return out, err
}

// ListInstanceProfilesForRole lists the instance profiles that hold a
// role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListInstanceProfilesForRole.html
func (svc *Service) ListInstanceProfilesForRole(ctx context.Context, r *authn.Request, in *iamapi.ListInstanceProfilesForRoleInput) (*iamapi.ListInstanceProfilesForRoleOutput, error) {
	var out *iamapi.ListInstanceProfilesForRoleOutput
	err := svc.view(r, func(t *txn) error {
		ro, err := t.requireRole(iamapi.ActionListInstanceProfilesForRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		p, after, err := newPage[*instanceProfile]("ListInstanceProfilesForRole", in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for x := range t.roleProfiles(ro.ID, after) {
			if !p.add(x.sort, x.e.(*instanceProfile)) {
				break
			}
		}
		page, marker, truncated := t.listProfiles(p)
		out = &iamapi.ListInstanceProfilesForRoleOutput{InstanceProfiles: page, Marker: marker, IsTruncated: boolPtr(truncated)}
		return nil
	})
	return out, err
}

// passRoleContext is the request context of the iam:PassRole check of
// AddRoleToInstanceProfile: the role goes to EC2 instances, which AWS
// names with the ARN arn:aws:ec2:*:<account>:instance/*.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html
func (t *txn) passRoleContext() map[string][]string {
	return map[string][]string{"iam:AssociatedResourceArn": {iamapi.EC2InstanceARN(t.req.Partition, "*", t.acct, "*")}}
}

// AddRoleToInstanceProfile puts a role in an instance profile. The caller
// needs iam:PassRole on the role as well.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html
func (svc *Service) AddRoleToInstanceProfile(ctx context.Context, r *authn.Request, in *iamapi.AddRoleToInstanceProfileInput) (*iamapi.AddRoleToInstanceProfileOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		p, err := t.requireInstanceProfile(iamapi.ActionAddRoleToInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		ro, err := t.requireRole(iamapi.ActionPassRole, in.RoleName, t.passRoleContext())
		if err != nil {
			return err
		}
		if ro.Service != "" {
			return errProtectedRole(ro.Name)
		}
		if len(p.Roles) >= maxInstanceProfileRoles {
			return quotaExceeded("InstanceSessionsPerInstanceProfile", maxInstanceProfileRoles)
		}
		np := *p
		np.Roles = append(slices.Clone(p.Roles), ro.ID)
		t.put(&np)
		return nil
	})
	return &iamapi.AddRoleToInstanceProfileOutput{}, err
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
// A role that exists but is not in it is NoSuchEntity in AWS's recorded
// words, "Role R in Instance Profile P cannot be found."
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_RemoveRoleFromInstanceProfile.html
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_instance_profiles.snapshot.json
func (svc *Service) RemoveRoleFromInstanceProfile(ctx context.Context, r *authn.Request, in *iamapi.RemoveRoleFromInstanceProfileInput) (*iamapi.RemoveRoleFromInstanceProfileOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		p, err := t.requireInstanceProfile(iamapi.ActionRemoveRoleFromInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		ro, ok := get[*role](t, kindRole, nameKey(in.RoleName))
		if !ok {
			return errNoSuchRole(in.RoleName)
		}
		if !slices.Contains(p.Roles, ro.ID) {
			return iamapi.NoSuchEntity("Role %s in Instance Profile %s cannot be found.", ro.Name, p.Name)
		}
		np := *p
		np.Roles = slices.DeleteFunc(slices.Clone(p.Roles), func(id string) bool { return id == ro.ID })
		t.put(&np)
		return nil
	})
	return &iamapi.RemoveRoleFromInstanceProfileOutput{}, err
}

// TagInstanceProfile adds or replaces tags of an instance profile.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagInstanceProfile.html
func (svc *Service) TagInstanceProfile(ctx context.Context, r *authn.Request, in *iamapi.TagInstanceProfileInput) (*iamapi.TagInstanceProfileOutput, error) {
	return &iamapi.TagInstanceProfileOutput{}, tagEntity(ctx, r, svc, (*txn).requireInstanceProfile, iamapi.ActionTagInstanceProfile, in.InstanceProfileName, in.Tags)
}

// UntagInstanceProfile removes tags from an instance profile.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagInstanceProfile.html
func (svc *Service) UntagInstanceProfile(ctx context.Context, r *authn.Request, in *iamapi.UntagInstanceProfileInput) (*iamapi.UntagInstanceProfileOutput, error) {
	return &iamapi.UntagInstanceProfileOutput{}, untagEntity(ctx, r, svc, (*txn).requireInstanceProfile, iamapi.ActionUntagInstanceProfile, in.InstanceProfileName, in.TagKeys)
}

// ListInstanceProfileTags lists an instance profile's tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListInstanceProfileTags.html
func (svc *Service) ListInstanceProfileTags(ctx context.Context, r *authn.Request, in *iamapi.ListInstanceProfileTagsInput) (*iamapi.ListInstanceProfileTagsOutput, error) {
	return listEntityTags(ctx, r, svc, (*txn).requireInstanceProfile, iamapi.ActionListInstanceProfileTags, in.InstanceProfileName, in.Marker, in.MaxItems, func(tags []iamapi.Tag, marker string, truncated bool) *iamapi.ListInstanceProfileTagsOutput {
		return &iamapi.ListInstanceProfileTagsOutput{Tags: tags, Marker: marker, IsTruncated: boolPtr(truncated)}
	})
}
