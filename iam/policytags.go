package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"

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
	group *group
	user  *user
	role  *role
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
		p, after, err := newPage[policyEntity]("ListEntitiesForPolicy", in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		by := byEither
		switch in.PolicyUsageFilter {
		case "PermissionsPolicy":
			by = byAttached
		case "PermissionsBoundary":
			by = byBoundary
		}
		// Groups, then users, then roles, each by key: a walk of the
		// policy's uses. A path prefix is checked on each identity
		// walked: one that few of them have walks all that use the
		// policy.
	sections:
		for _, s := range []struct {
			kind    int
			filter  string
			section string
		}{{useGroup, "Group", "1"}, {useUser, "User", "2"}, {useRole, "Role", "3"}} {
			if in.EntityFilter != "" && in.EntityFilter != s.filter {
				continue
			}
			from, skip := sectionAfter(after, s.section)
			if skip {
				continue
			}
			for x := range t.ascendUses(ref.arn, s.kind, by, from) {
				var e policyEntity
				var path string
				switch v := x.e.(type) {
				case *group:
					e.group, path = v, v.Path
				case *user:
					e.user, path = v, v.Path
				case *role:
					e.role, path = v, v.Path
				}
				if !pathPrefixMatch(path, in.PathPrefix) {
					continue
				}
				if !p.add(s.section+x.sort, e) {
					break sections
				}
			}
		}
		page, marker, truncated := p.items, p.marker(), p.more
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
