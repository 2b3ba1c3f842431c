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

// detailItem is one entity of the output; key is its section and record
// key (a policy's canonical ARN), so items sort in output order and the
// marker names the last item returned.
type detailItem struct {
	key    string
	user   *user
	group  *group
	role   *role
	policy managedRef
}

// policyUsage is how many identities attach a managed policy and how
// many use it as their permissions boundary.
type policyUsage struct{ attached, boundary int }

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
		var usage map[string]*policyUsage
		if want(iamapi.EntityTypeLocalManagedPolicy) || want(iamapi.EntityTypeAWSManagedPolicy) {
			usage = t.policyUsage()
		}
		items := t.detailItems(want, usage)
		page, marker, truncated, err := paginate("GetAccountAuthorizationDetails", items, func(x detailItem) string { return x.key }, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out = t.authorizationDetails(page, usage)
		out.Marker, out.IsTruncated = marker, boolPtr(truncated)
		return nil
	})
	return out, err
}

// detailItems lists the wanted entities in output order, walking each
// table once; the AWS managed policies are those in usage.
func (t *txn) detailItems(want func(string) bool, usage map[string]*policyUsage) []detailItem {
	var items []detailItem
	if want(iamapi.EntityTypeUser) {
		for _, e := range sortedTable(t, kindUser) {
			items = append(items, detailItem{key: sectionUser + e.key, user: e.e.(*user)})
		}
	}
	if want(iamapi.EntityTypeGroup) {
		for _, e := range sortedTable(t, kindGroup) {
			items = append(items, detailItem{key: sectionGroup + e.key, group: e.e.(*group)})
		}
	}
	if want(iamapi.EntityTypeRole) {
		for _, e := range sortedTable(t, kindRole) {
			items = append(items, detailItem{key: sectionRole + e.key, role: e.e.(*role)})
		}
	}
	var policies []detailItem
	if want(iamapi.EntityTypeLocalManagedPolicy) {
		for _, e := range t.tableOf(kindPolicy) {
			p := e.(*managedPolicy)
			ref := managedRef{customer: p, arn: t.customerPolicyARN(p)}
			policies = append(policies, detailItem{key: sectionPolicy + ref.arn, policy: ref})
		}
	}
	if want(iamapi.EntityTypeAWSManagedPolicy) {
		for a := range usage {
			if !isAWSManagedARN(a) {
				continue
			}
			if mp := t.svc.catalog.ManagedPolicy(a); mp != nil {
				policies = append(policies, detailItem{key: sectionPolicy + a, policy: managedRef{aws: mp, arn: a}})
			}
		}
	}
	slices.SortFunc(policies, func(a, b detailItem) int { return strings.Compare(a.key, b.key) })
	return append(items, policies...)
}

// keyed is an entity with its record key.
type keyed struct {
	key string
	e   entity
}

// sortedTable returns the visible entities of kind sorted by record key
// (the table's own keys: no key is computed per comparison).
func sortedTable(t *txn, kind string) []keyed {
	table := t.tableOf(kind)
	out := make([]keyed, 0, len(table))
	for k, e := range table {
		out = append(out, keyed{k, e})
	}
	slices.SortFunc(out, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	return out
}

// customerPolicyARN is the canonical ARN of a customer managed policy.
func (t *txn) customerPolicyARN(p *managedPolicy) string {
	return iamapi.PolicyARN(canonicalPartition, t.acct, p.Path, p.Name)
}

// policyUsage counts, in one pass over users, groups and roles, the
// attachments and boundary uses of every managed policy in use, by
// canonical ARN.
func (t *txn) policyUsage() map[string]*policyUsage {
	m := make(map[string]*policyUsage)
	use := func(a string) *policyUsage {
		u := m[a]
		if u == nil {
			u = new(policyUsage)
			m[a] = u
		}
		return u
	}
	add := func(attached []string, boundary string) {
		for _, a := range attached {
			use(a).attached++
		}
		if boundary != "" {
			use(boundary).boundary++
		}
	}
	for _, e := range t.tableOf(kindUser) {
		u := e.(*user)
		add(u.Attached, u.Boundary)
	}
	for _, e := range t.tableOf(kindGroup) {
		add(e.(*group).Attached, "")
	}
	for _, e := range t.tableOf(kindRole) {
		ro := e.(*role)
		add(ro.Attached, ro.Boundary)
	}
	return m
}

// authorizationDetails builds the output for one page of items. The
// indexes it needs (groups and roles by ID, instance profiles by role)
// are built once per page, only when the page needs them.
func (t *txn) authorizationDetails(page []detailItem, usage map[string]*policyUsage) *iamapi.GetAccountAuthorizationDetailsOutput {
	out := &iamapi.GetAccountAuthorizationDetailsOutput{
		UserDetailList:  []iamapi.UserDetail{},
		GroupDetailList: []iamapi.GroupDetail{},
		RoleDetailList:  []iamapi.RoleDetail{},
		Policies:        []iamapi.ManagedPolicyDetail{},
	}
	var (
		groupsByID   map[string]*group
		profilesByRo map[string][]*instanceProfile
		rolesByID    map[string]*role
	)
	for _, x := range page {
		switch {
		case x.user != nil:
			if groupsByID == nil {
				groupsByID = make(map[string]*group)
				for _, e := range t.tableOf(kindGroup) {
					g := e.(*group)
					groupsByID[g.ID] = g
				}
			}
			out.UserDetailList = append(out.UserDetailList, t.userDetail(x.user, groupsByID))
		case x.group != nil:
			g := x.group
			out.GroupDetailList = append(out.GroupDetailList, iamapi.GroupDetail{
				Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: t.groupARN(g, ""), CreateDate: g.Created,
				GroupPolicyList:         inlineDetails(g.Inline),
				AttachedManagedPolicies: t.attachedDetails(g.Attached),
			})
		case x.role != nil:
			if profilesByRo == nil {
				profilesByRo, rolesByID = make(map[string][]*instanceProfile), make(map[string]*role)
				for _, e := range t.tableOf(kindRole) {
					ro := e.(*role)
					rolesByID[ro.ID] = ro
				}
				for _, p := range all[*instanceProfile](t, kindInstanceProfile) {
					for _, id := range p.Roles {
						profilesByRo[id] = append(profilesByRo[id], p)
					}
				}
			}
			out.RoleDetailList = append(out.RoleDetailList, t.roleDetail(x.role, profilesByRo[x.role.ID], rolesByID))
		default:
			u := usage[x.policy.arn]
			if u == nil {
				u = new(policyUsage)
			}
			out.Policies = append(out.Policies, t.policyDetail(x.policy, u))
		}
	}
	return out
}

func (t *txn) userDetail(u *user, groupsByID map[string]*group) iamapi.UserDetail {
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
		if g := groupsByID[id]; g != nil {
			d.GroupList = append(d.GroupList, g.Name)
		}
	}
	return d
}

func (t *txn) roleDetail(ro *role, profiles []*instanceProfile, rolesByID map[string]*role) iamapi.RoleDetail {
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
			if member := rolesByID[id]; member != nil {
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

func (t *txn) policyDetail(ref managedRef, u *policyUsage) iamapi.ManagedPolicyDetail {
	d := iamapi.ManagedPolicyDetail{
		Arn:                           t.out(ref.arn),
		AttachmentCount:               int32Ptr(u.attached),
		PermissionsBoundaryUsageCount: int32Ptr(u.boundary),
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
