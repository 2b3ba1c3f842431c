package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"
	"slices"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// The managed-policy operations that are not about documents: tags of
// customer managed policies and the identities a policy is attached to.

// errAWSPolicyTags is IAM's answer to tag operations on AWS managed
// policies, which belong to AWS.
func errAWSPolicyTags() error {
	return iamapi.InvalidInput("Tags not supported for policies in this domain")
}

// requireTaggablePolicy authorizes action on a managed policy and
// returns it if it is a customer managed policy.
func (t *txn) requireTaggablePolicy(action iamapi.Action, given string, keys map[string][]string) (*managedPolicy, error) {
	ref, err := t.requirePolicy(action, given, keys)
	if err != nil {
		return nil, err
	}
	if ref.customer == nil {
		return nil, errAWSPolicyTags()
	}
	return ref.customer, nil
}

// TagPolicy adds or replaces tags of a customer managed policy.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagPolicy.html
func (svc *Service) TagPolicy(ctx context.Context, r *authn.Request, in *iamapi.TagPolicyInput) (*iamapi.TagPolicyOutput, error) {
	return &iamapi.TagPolicyOutput{}, tagEntity(ctx, r, svc, (*txn).requireTaggablePolicy, iamapi.ActionTagPolicy, in.PolicyArn, in.Tags)
}

// UntagPolicy removes tags from a customer managed policy.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagPolicy.html
func (svc *Service) UntagPolicy(ctx context.Context, r *authn.Request, in *iamapi.UntagPolicyInput) (*iamapi.UntagPolicyOutput, error) {
	return &iamapi.UntagPolicyOutput{}, untagEntity(ctx, r, svc, (*txn).requireTaggablePolicy, iamapi.ActionUntagPolicy, in.PolicyArn, in.TagKeys)
}

// ListPolicyTags lists a customer managed policy's tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicyTags.html
func (svc *Service) ListPolicyTags(ctx context.Context, r *authn.Request, in *iamapi.ListPolicyTagsInput) (*iamapi.ListPolicyTagsOutput, error) {
	return listEntityTags(ctx, r, svc, (*txn).requireTaggablePolicy, iamapi.ActionListPolicyTags, in.PolicyArn, in.Marker, in.MaxItems, func(tags []iamapi.Tag, marker string, truncated bool) *iamapi.ListPolicyTagsOutput {
		return &iamapi.ListPolicyTagsOutput{Tags: tags, Marker: marker, IsTruncated: boolPtr(truncated)}
	})
}

// policyEntity is one identity a managed policy is attached to, as
// ListEntitiesForPolicy pages through them: groups, then users, then
// roles, each by name.
type policyEntity struct {
	sortKey string
	group   *group
	user    *user
	role    *role
}

// ListEntitiesForPolicy lists the users, groups and roles that use a
// managed policy, AWS's or the account's, as a permissions policy, as a
// permissions boundary, or either. EntityFilter User, Group or Role
// keeps one kind of identity; LocalManagedPolicy and AWSManagedPolicy
// (values of the shared EntityType enum) name no identity, so they keep
// none.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html
func (svc *Service) ListEntitiesForPolicy(ctx context.Context, r *authn.Request, in *iamapi.ListEntitiesForPolicyInput) (*iamapi.ListEntitiesForPolicyOutput, error) {
	var out *iamapi.ListEntitiesForPolicyOutput
	err := svc.view(r, func(t *txn) error {
		ref, err := t.requirePolicy(iamapi.ActionListEntitiesForPolicy, in.PolicyArn, nil)
		if err != nil {
			return err
		}
		uses := func(attached []string, boundary string) bool {
			switch in.PolicyUsageFilter {
			case "PermissionsPolicy":
				return slices.Contains(attached, ref.arn)
			case "PermissionsBoundary":
				return boundary == ref.arn
			}
			return slices.Contains(attached, ref.arn) || boundary == ref.arn
		}
		wants := func(kind string) bool { return in.EntityFilter == "" || in.EntityFilter == kind }
		var entities []policyEntity
		if wants("Group") {
			for _, g := range all[*group](t, kindGroup) {
				if pathPrefixMatch(g.Path, in.PathPrefix) && uses(g.Attached, "") {
					entities = append(entities, policyEntity{sortKey: "1" + g.key(), group: g})
				}
			}
		}
		if wants("User") {
			for _, u := range all[*user](t, kindUser) {
				if pathPrefixMatch(u.Path, in.PathPrefix) && uses(u.Attached, u.Boundary) {
					entities = append(entities, policyEntity{sortKey: "2" + u.key(), user: u})
				}
			}
		}
		if wants("Role") {
			for _, ro := range all[*role](t, kindRole) {
				if pathPrefixMatch(ro.Path, in.PathPrefix) && uses(ro.Attached, ro.Boundary) {
					entities = append(entities, policyEntity{sortKey: "3" + ro.key(), role: ro})
				}
			}
		}
		page, marker, truncated, err := paginate("ListEntitiesForPolicy", entities, func(e policyEntity) string { return e.sortKey }, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out = &iamapi.ListEntitiesForPolicyOutput{
			PolicyGroups: []iamapi.PolicyGroup{}, PolicyUsers: []iamapi.PolicyUser{}, PolicyRoles: []iamapi.PolicyRole{},
			Marker: marker, IsTruncated: boolPtr(truncated),
		}
		for _, e := range page {
			switch {
			case e.group != nil:
				out.PolicyGroups = append(out.PolicyGroups, iamapi.PolicyGroup{GroupName: e.group.Name, GroupId: e.group.ID})
			case e.user != nil:
				out.PolicyUsers = append(out.PolicyUsers, iamapi.PolicyUser{UserName: e.user.Name, UserId: e.user.ID})
			default:
				out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: e.role.Name, RoleId: e.role.ID})
			}
		}
		return nil
	})
	return out, err
}
