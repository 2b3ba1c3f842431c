package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// GetAccountAuthorizationDetails is the account's IAM configuration in
// one paginated answer: users, groups, roles and managed policies with
// their relationships. Its output is what the analyzer imports from real
// AWS accounts, so it follows AWS's shape: every list present (empty when
// there is nothing) but a user's UserPolicyList, which AWS leaves out
// when the user has no inline policy; documents URL-encoded as GetRole
// and GetUserPolicy return them; of the AWS managed policies only those
// in use (attached to an identity or used as a permissions boundary).
// Recorded from AWS:
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_account_authorization_details.snapshot.json

// Sections of the output, in the order items are returned and paged.
const (
	sectionUser   = "0/"
	sectionGroup  = "1/"
	sectionRole   = "2/"
	sectionPolicy = "3/"
)

// detailItem is one entity of the output. Its sort key in the list
// (which the marker names) is its section and record key (a policy's
// canonical ARN), so items sort in output order.
type detailItem struct {
	user   *user
	group  *group
	role   *role
	policy managedRef
}

// GetAccountAuthorizationDetails returns the account's users, groups,
// roles and managed policies, optionally filtered by entity type.
// MaxItems counts entities across the four lists.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
func (svc *Service) GetAccountAuthorizationDetails(ctx context.Context, r *authn.Request, in *iamapi.GetAccountAuthorizationDetailsInput) (*iamapi.GetAccountAuthorizationDetailsOutput, error) {
	var out *iamapi.GetAccountAuthorizationDetailsOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionGetAccountAuthorizationDetails, accountResource, nil); err != nil {
			return err
		}
		want := func(entityType string) bool { return len(in.Filter) == 0 || slices.Contains(in.Filter, entityType) }
		p, after, err := newPage[detailItem]("GetAccountAuthorizationDetails", in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		t.detailItems(p, after, want)
		out = t.authorizationDetails(p.items)
		out.Marker, out.IsTruncated = p.marker(), boolPtr(p.more)
		return nil
	})
	return out, err
}

// detailItems fills p with the wanted entities after the sort key
// after, in output order: a walk of each section's index from the
// marker. The AWS managed policies are those in use.
func (t *txn) detailItems(p *page[detailItem], after string, want func(string) bool) {
	for _, s := range []struct{ section, kind, entityType string }{
		{sectionUser, kindUser, iamapi.EntityTypeUser},
		{sectionGroup, kindGroup, iamapi.EntityTypeGroup},
		{sectionRole, kindRole, iamapi.EntityTypeRole},
	} {
		from, skip := sectionAfter(after, s.section)
		if skip || !want(s.entityType) {
			continue
		}
		for x := range t.ascendKind(s.kind, from) {
			var item detailItem
			switch e := x.e.(type) {
			case *user:
				item.user = e
			case *group:
				item.group = e
			case *role:
				item.role = e
			}
			if !p.add(s.section+x.sort, item) {
				return
			}
		}
	}
	from, skip := sectionAfter(after, sectionPolicy)
	if skip {
		return
	}
	// At most one more of each than the page has room for.
	room := p.n - len(p.items)
	var local, aws []candidate[detailItem]
	if want(iamapi.EntityTypeLocalManagedPolicy) {
		for x := range t.ascendKind(kindPolicy, from) {
			ref := managedRef{customer: x.e.(*managedPolicy), arn: x.sort}
			if local = append(local, candidate[detailItem]{sectionPolicy + x.sort, detailItem{policy: ref}}); len(local) > room {
				break
			}
		}
	}
	if ix := t.ix(); ix != nil && want(iamapi.EntityTypeAWSManagedPolicy) {
		// The ARNs in use are sorted: AWS's are the run that starts
		// with their prefix.
		start := max(from, awsPolicyPrefix)
		for x := range ix.inUse[byEither].after(start).seq() {
			if !strings.HasPrefix(x.sort, awsPolicyPrefix) {
				break
			}
			if mp := t.svc.catalog.ManagedPolicy(x.sort); mp != nil {
				if aws = append(aws, candidate[detailItem]{sectionPolicy + x.sort, detailItem{policy: managedRef{aws: mp, arn: x.sort}}}); len(aws) > room {
					break
				}
			}
		}
	}
	mergePages(p, local, aws)
}

// customerPolicyARN is the canonical ARN of a customer managed policy.
func (t *txn) customerPolicyARN(p *managedPolicy) string {
	return iamapi.PolicyARN(canonicalPartition, t.acct, p.Path, p.Name)
}

// authorizationDetails builds the output for one page of items; the
// groups, roles and instance profiles they name come from the indexes.
func (t *txn) authorizationDetails(page []detailItem) *iamapi.GetAccountAuthorizationDetailsOutput {
	out := &iamapi.GetAccountAuthorizationDetailsOutput{
		UserDetailList:  []iamapi.UserDetail{},
		GroupDetailList: []iamapi.GroupDetail{},
		RoleDetailList:  []iamapi.RoleDetail{},
		Policies:        []iamapi.ManagedPolicyDetail{},
	}
	for _, x := range page {
		switch {
		case x.user != nil:
			out.UserDetailList = append(out.UserDetailList, t.userDetail(x.user))
		case x.group != nil:
			g := x.group
			out.GroupDetailList = append(out.GroupDetailList, iamapi.GroupDetail{
				Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: t.groupARN(g, ""), CreateDate: g.Created,
				GroupPolicyList:         inlineDetails(g.Inline),
				AttachedManagedPolicies: t.attachedDetails(g.Attached),
			})
		case x.role != nil:
			var profiles []*instanceProfile
			for p := range t.roleProfiles(x.role.ID, "") {
				profiles = append(profiles, p.e.(*instanceProfile))
			}
			out.RoleDetailList = append(out.RoleDetailList, t.roleDetail(x.role, profiles))
		default:
			out.Policies = append(out.Policies, t.policyDetail(x.policy))
		}
	}
	return out
}

func (t *txn) userDetail(u *user) iamapi.UserDetail {
	d := iamapi.UserDetail{
		Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: t.userARN(u, ""), CreateDate: u.Created,
		GroupList:               make([]string, 0, len(u.Groups)),
		AttachedManagedPolicies: t.attachedDetails(u.Attached),
		PermissionsBoundary:     t.apiBoundary(u.Boundary),
		Tags:                    tagsOrEmpty(apiTags(u.Tags)),
	}
	if len(u.Inline) > 0 {
		d.UserPolicyList = inlineDetails(u.Inline)
	}
	for _, id := range u.Groups {
		if g := groupByID(t, id); g != nil {
			d.GroupList = append(d.GroupList, g.Name)
		}
	}
	return d
}

func (t *txn) roleDetail(ro *role, profiles []*instanceProfile) iamapi.RoleDetail {
	d := iamapi.RoleDetail{
		Path: ro.Path, RoleName: ro.Name, RoleId: ro.ID, Arn: t.roleARN(ro, ""), CreateDate: ro.Created,
		AssumeRolePolicyDocument: encodeDocument(t.trustDocument(ro)),
		InstanceProfileList:      make([]iamapi.InstanceProfile, 0, len(profiles)),
		RolePolicyList:           inlineDetails(ro.Inline),
		AttachedManagedPolicies:  t.attachedDetails(ro.Attached),
		PermissionsBoundary:      t.apiBoundary(ro.Boundary),
		Tags:                     tagsOrEmpty(apiTags(ro.Tags)),
		RoleLastUsed:             &iamapi.RoleLastUsed{LastUsedDate: ro.LastUsed, Region: ro.LastRegion},
	}
	for _, p := range profiles {
		ip := iamapi.InstanceProfile{
			Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID,
			Arn: iamapi.InstanceProfileARN(t.req.Partition, t.req.Account, p.Path, p.Name), CreateDate: p.Created,
			Roles: make([]iamapi.Role, 0, len(p.Roles)), Tags: apiTags(p.Tags),
		}
		for _, id := range p.Roles {
			if member := roleByID(t, id); member != nil {
				ip.Roles = append(ip.Roles, iamapi.Role{
					Path: member.Path, RoleName: member.Name, RoleId: member.ID, Arn: t.roleARN(member, ""),
					CreateDate: member.Created, AssumeRolePolicyDocument: encodeDocument(t.trustDocument(member)),
				})
			}
		}
		d.InstanceProfileList = append(d.InstanceProfileList, ip)
	}
	return d
}

func (t *txn) policyDetail(ref managedRef) iamapi.ManagedPolicyDetail {
	attached, boundary := attachmentCounts(t, ref.arn)
	d := iamapi.ManagedPolicyDetail{
		Arn:                           t.out(ref.arn),
		AttachmentCount:               int32Ptr(attached),
		PermissionsBoundaryUsageCount: int32Ptr(boundary),
		IsAttachable:                  boolPtr(true),
	}
	if mp := ref.aws; mp != nil {
		d.PolicyName, d.PolicyId, d.Path, d.DefaultVersionId = mp.Name, awsPolicyID(mp), mp.Path, mp.DefaultVersionID
		d.CreateDate, d.UpdateDate = mp.CreateDate, mp.UpdateDate
		// The catalog holds the default version of AWS's policies only.
		d.PolicyVersionList = []iamapi.PolicyVersion{t.apiVersion(policyVersion{ID: mp.DefaultVersionID, Doc: mp.Document, Created: mp.UpdateDate}, true)}
		return d
	}
	p := ref.customer
	d.PolicyName, d.PolicyId, d.Path, d.DefaultVersionId = p.Name, p.ID, p.Path, p.Default
	d.Description, d.CreateDate, d.UpdateDate = p.Description, p.Created, p.Updated
	// Newest first, as ListPolicyVersions lists them.
	d.PolicyVersionList = make([]iamapi.PolicyVersion, 0, len(p.Versions))
	for i := len(p.Versions) - 1; i >= 0; i-- {
		d.PolicyVersionList = append(d.PolicyVersionList, t.apiVersion(p.Versions[i], p.Versions[i].ID == p.Default))
	}
	return d
}

// inlineDetails lists inline policies by name with URL-encoded documents.
func inlineDetails(m map[string]string) []iamapi.PolicyDetail {
	out := make([]iamapi.PolicyDetail, 0, len(m))
	for _, name := range sortedNames(m) {
		out = append(out, iamapi.PolicyDetail{PolicyName: name, PolicyDocument: encodeDocument(m[name])})
	}
	return out
}

// attachedDetails lists attached managed policies in attach order. The
// name is the ARN's last segment, for AWS's policies and the account's.
func (t *txn) attachedDetails(attached []string) []iamapi.AttachedPolicy {
	out := make([]iamapi.AttachedPolicy, 0, len(attached))
	for _, a := range attached {
		out = append(out, iamapi.AttachedPolicy{PolicyName: a[strings.LastIndexByte(a, '/')+1:], PolicyArn: t.out(a)})
	}
	return out
}
