package iam

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// dumpIndexes renders an account's indexes as sorted lists of strings,
// the entities by pointer, leaving out empty sets.
func dumpIndexes(ix *indexes) map[string][]string {
	out := map[string][]string{}
	add := func(name string, o *listIndex) {
		for x := range o.all() {
			out[name] = append(out[name], fmt.Sprintf("%s|%s|%p", x.sort, x.key, x.e))
		}
	}
	for kind, o := range ix.sorted {
		add("sorted/"+kind, o)
	}
	for kind, pi := range ix.paths {
		add("paths/"+kind, &pi.paths)
		for path, o := range pi.lists {
			add("paths/"+kind+"/"+path, o)
		}
	}
	for k, x := range ix.byID {
		out["byID/"+k.kind+"/"+k.id] = []string{fmt.Sprintf("%s|%p", x.key, x.e)}
	}
	for id, o := range ix.members {
		add("members/"+id, o)
	}
	for id, o := range ix.profiles {
		add("profiles/"+id, o)
	}
	for a, pu := range ix.uses {
		for k := range identityKinds {
			for by := range usages {
				add(fmt.Sprintf("uses/%s/%d/%d", a, k, by), &pu.by[k][by])
			}
		}
	}
	for by := range usages {
		add(fmt.Sprintf("inUse/%d", by), &ix.inUse[by])
	}
	for kind, o := range ix.owned {
		add("owned/"+kind, o)
	}
	return out
}

// checkIndexes fails unless every account's indexes are those its
// tables make when indexed from nothing.
func checkIndexes(t *testing.T, svc *Service) {
	t.Helper()
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	st := svc.state
	for _, a := range append([]*account{st.global}, mapValues(st.accounts)...) {
		fresh := newAccount(a.id)
		for kind, table := range a.tables {
			for key, e := range table {
				fresh.index(recordKey{a.id, kind, key}, nil, e)
			}
		}
		for own := range st.owned {
			if own.account == a.id {
				fresh.ix.owners(own.kind).put(own.user, own.user, nil)
			}
		}
		got, want := dumpIndexes(&a.ix), dumpIndexes(&fresh.ix)
		if !reflect.DeepEqual(got, want) {
			for k := range want {
				if !slices.Equal(got[k], want[k]) {
					t.Errorf("account %q: %s = %v, want %v", a.id, k, got[k], want[k])
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("account %q: %s = %v, want none", a.id, k, got[k])
				}
			}
		}
	}
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// randomChanges stages one commit of random changes to a small account:
// users, groups, roles, instance profiles and customer managed policies
// created, changed (groups, attachments, boundaries, paths), renamed
// (the same ID under a new key, the old record deleted) and deleted,
// and service-specific credentials of users added and deleted.
func randomChanges(t *testing.T, svc *Service, r *authn.Request, rng *rand.Rand) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	paths := []string{"/", "/a/", "/a/b/", "/z/"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	subset := func(xs []string, n int) []string {
		var out []string
		for range rng.IntN(n + 1) {
			if x := pick(xs); !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	stage(t, svc, r, func(tx *txn) {
		policyARNs := []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/job-function/Billing"}
		for _, p := range all[*managedPolicy](tx, kindPolicy) {
			policyARNs = append(policyARNs, tx.customerPolicyARN(p))
		}
		policyARNs = append(policyARNs, iamapi.PolicyARN(canonicalPartition, tx.acct, "/", "gone"))
		groupIDs := []string{"AGPAGONE"}
		for _, g := range all[*group](tx, kindGroup) {
			groupIDs = append(groupIDs, g.ID)
		}
		roleIDs := []string{"AROAGONE"}
		for _, ro := range all[*role](tx, kindRole) {
			roleIDs = append(roleIDs, ro.ID)
		}
		users := all[*user](tx, kindUser)
		for range 1 + rng.IntN(6) {
			name := func(prefix string, n int) string { return fmt.Sprintf("%s%02d", prefix, rng.IntN(n)) }
			switch rng.IntN(12) {
			case 0, 1: // a user put, new or changed
				n := name("u", 30)
				u := &user{Path: pick(paths), Name: n, ID: uniqueID(prefixUser), Created: now}
				if old, ok := get[*user](tx, kindUser, nameKey(n)); ok {
					u.ID = old.ID
				}
				if rng.IntN(4) == 0 {
					u.Name = strings.ToUpper(n[:1]) + n[1:] // keys ignore case
				}
				u.Groups, u.Attached = subset(groupIDs, 4), subset(policyARNs, 3)
				if rng.IntN(2) == 0 {
					u.Boundary = pick(policyARNs)
				}
				tx.put(u)
			case 2: // a group put
				n := name("g", 10)
				g := &group{Path: pick(paths), Name: n, ID: uniqueID(prefixGroup), Created: now, Attached: subset(policyARNs, 3)}
				if old, ok := get[*group](tx, kindGroup, nameKey(n)); ok {
					g.ID = old.ID
				}
				tx.put(g)
			case 3: // a role put
				n := name("r", 10)
				ro := &role{Path: pick(paths), Name: n, ID: uniqueID(prefixRole), Created: now, MaxSession: 3600, Trust: `{"Version":"2012-10-17","Statement":[]}`,
					Attached: subset(policyARNs, 3)}
				if old, ok := get[*role](tx, kindRole, nameKey(n)); ok {
					ro.ID = old.ID
				}
				if rng.IntN(2) == 0 {
					ro.Boundary = pick(policyARNs)
				}
				tx.put(ro)
			case 4: // an instance profile put
				n := name("ip", 10)
				p := &instanceProfile{Path: pick(paths), Name: n, ID: uniqueID(prefixInstanceProfile), Created: now, Roles: subset(roleIDs, 2)}
				if old, ok := get[*instanceProfile](tx, kindInstanceProfile, nameKey(n)); ok {
					p.ID = old.ID
				}
				tx.put(p)
			case 5: // a customer managed policy put
				n := name("p", 10)
				if _, ok := get[*managedPolicy](tx, kindPolicy, nameKey(n)); ok {
					break // its path cannot change
				}
				tx.put(&managedPolicy{Path: pick(paths), Name: n, ID: uniqueID(prefixPolicy), Created: now, Updated: now,
					Versions: []policyVersion{{ID: "v1", Doc: `{"Version":"2012-10-17","Statement":[]}`, Created: now}}, Default: "v1", NextVersion: 2})
			case 6: // a rename: the same ID under another key
				kinds := []string{kindUser, kindGroup, kindRole, kindInstanceProfile}
				kind := kinds[rng.IntN(len(kinds))]
				var from entity
				for x := range tx.ascendKind(kind, "") {
					if rng.IntN(3) == 0 {
						from = x.e
						break
					}
				}
				if from == nil {
					break
				}
				to := fmt.Sprintf("n%02d", rng.IntN(40))
				if _, taken := get[entity](tx, kind, to); taken {
					break
				}
				var e entity
				switch x := from.(type) {
				case *user:
					c := *x
					c.Name, e = to, &c
				case *group:
					c := *x
					c.Name, e = to, &c
				case *role:
					c := *x
					c.Name, e = to, &c
				case *instanceProfile:
					c := *x
					c.Name, e = to, &c
				}
				// Half of them put first, as UpdateUser does.
				if rng.IntN(2) == 0 {
					tx.put(e)
					tx.del(kind, from.key())
				} else {
					tx.del(kind, from.key())
					tx.put(e)
				}
			case 7, 8: // a deletion
				kinds := []string{kindUser, kindGroup, kindRole, kindInstanceProfile, kindPolicy}
				kind := kinds[rng.IntN(len(kinds))]
				for x := range tx.ascendKind(kind, "") {
					if rng.IntN(4) == 0 {
						tx.del(kind, x.key)
						break
					}
				}
			case 9, 10: // a service-specific credential
				if len(users) == 0 {
					break
				}
				u := users[rng.IntN(len(users))]
				if _, ok := get[*user](tx, kindUser, u.key()); !ok {
					break
				}
				tx.put(&serviceCred{owner: ownerOf(u), ID: uniqueID(prefixServiceCred), Service: pick([]string{"codecommit.amazonaws.com", "cassandra.amazonaws.com"}),
					Status: "Active", Created: now, Order: rng.IntN(1000)})
			case 11: // a credential deleted
				if len(users) == 0 {
					break
				}
				u := users[rng.IntN(len(users))]
				if cs := creds[*serviceCred](tx, kindServiceCred, u); len(cs) > 0 {
					c := cs[rng.IntN(len(cs))]
					tx.del(kindServiceCred, c.key())
				}
			}
		}
	})
}

// TestIndexesFollowChanges makes random commits and checks after each
// that the indexes are what indexing the tables from nothing gives, and
// that the lists page as a sort of the whole tables would.
func TestIndexesFollowChanges(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 60 {
		randomChanges(t, svc, r, rng)
		checkIndexes(t, svc)
		if t.Failed() {
			t.Fatalf("after commit %d", i)
		}
		if i%10 == 9 {
			checkLists(t, ctx, svc, r)
		}
	}
	// A load indexes the same.
	st, err := svc.load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc.mu.Lock()
	svc.state = st
	svc.mu.Unlock()
	checkIndexes(t, svc)
	checkLists(t, ctx, svc, r)
}

// pageAll pages through a list with fetch and returns the items; it
// fails on a page larger than maxItems or a list that does not end.
func pageAll(t *testing.T, name string, maxItems int32, fetch func(marker string, maxItems *int32) ([]string, string, bool, error)) []string {
	t.Helper()
	var all []string
	marker := ""
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatalf("%s: paging does not end", name)
		}
		items, next, truncated, err := fetch(marker, &maxItems)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(items) > int(maxItems) {
			t.Fatalf("%s: page of %d items, MaxItems %d", name, len(items), maxItems)
		}
		all = append(all, items...)
		if !truncated {
			if next != "" {
				t.Fatalf("%s: marker on the last page", name)
			}
			return all
		}
		if len(items) == 0 || next == "" {
			t.Fatalf("%s: truncated page of %d items, marker %q", name, len(items), next)
		}
		marker = next
	}
}

// reference is a copy of an account's tables, from which checkLists
// computes what each list should hold by sorting and filtering them
// whole, as the lists did before the indexes.
type reference struct {
	acct     string
	users    []*user
	groups   []*group
	roles    []*role
	profiles []*instanceProfile
	policies []*managedPolicy
	creds    []*serviceCred
	svc      *Service
}

func sortedTableOf[T entity](t map[string]entity) []T { return sortedValues[T](t) }

func newReference(svc *Service, acct string) *reference {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	a := svc.state.accounts[acct]
	return &reference{
		acct: acct, svc: svc,
		users: sortedTableOf[*user](a.tables[kindUser]), groups: sortedTableOf[*group](a.tables[kindGroup]),
		roles: sortedTableOf[*role](a.tables[kindRole]), profiles: sortedTableOf[*instanceProfile](a.tables[kindInstanceProfile]),
		policies: sortedTableOf[*managedPolicy](a.tables[kindPolicy]), creds: sortedTableOf[*serviceCred](a.tables[kindServiceCred]),
	}
}

func (ref *reference) counts(a string) (attached, boundary int) {
	for _, u := range ref.users {
		attached, boundary = attached+b2i(slices.Contains(u.Attached, a)), boundary+b2i(u.Boundary == a)
	}
	for _, g := range ref.groups {
		attached += b2i(slices.Contains(g.Attached, a))
	}
	for _, ro := range ref.roles {
		attached, boundary = attached+b2i(slices.Contains(ro.Attached, a)), boundary+b2i(ro.Boundary == a)
	}
	return attached, boundary
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func names[T any](xs []T, name func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, name(x))
	}
	return out
}

func filtered[T any](xs []T, keep func(T) bool) []T {
	return slices.DeleteFunc(slices.Clone(xs), func(x T) bool { return !keep(x) })
}

// checkLists pages through every indexed list, with filters and page
// sizes, and compares each with the reference.
func checkLists(t *testing.T, ctx context.Context, svc *Service, r *authn.Request) {
	t.Helper()
	ref := newReference(svc, r.Account)
	check := func(name string, want []string, fetch func(marker string, maxItems *int32) ([]string, string, bool, error)) {
		t.Helper()
		for _, n := range []int32{1, 2, 7, 1000} {
			if got := pageAll(t, name, n, fetch); !slices.Equal(got, want) {
				t.Errorf("%s, MaxItems %d:\n got %v\nwant %v", name, n, got, want)
			}
		}
	}
	groupName := map[string]string{}
	for _, g := range ref.groups {
		groupName[g.ID] = g.Name
	}
	for _, prefix := range []string{"", "/", "/a/", "/a/b/", "/z/", "/none/"} {
		check("ListUsers "+prefix, names(filtered(ref.users, func(u *user) bool { return pathPrefixMatch(u.Path, prefix) }), func(u *user) string { return u.Name }),
			func(marker string, n *int32) ([]string, string, bool, error) {
				out, err := svc.ListUsers(ctx, r, &iamapi.ListUsersInput{PathPrefix: prefix, Marker: marker, MaxItems: n})
				if err != nil {
					return nil, "", false, err
				}
				return names(out.Users, func(u iamapi.User) string { return u.UserName }), out.Marker, *out.IsTruncated, nil
			})
		check("ListGroups "+prefix, names(filtered(ref.groups, func(g *group) bool { return pathPrefixMatch(g.Path, prefix) }), func(g *group) string { return g.Name }),
			func(marker string, n *int32) ([]string, string, bool, error) {
				out, err := svc.ListGroups(ctx, r, &iamapi.ListGroupsInput{PathPrefix: prefix, Marker: marker, MaxItems: n})
				if err != nil {
					return nil, "", false, err
				}
				return names(out.Groups, func(g iamapi.Group) string { return g.GroupName }), out.Marker, *out.IsTruncated, nil
			})
		check("ListRoles "+prefix, names(filtered(ref.roles, func(ro *role) bool { return pathPrefixMatch(ro.Path, prefix) }), func(ro *role) string { return ro.Name }),
			func(marker string, n *int32) ([]string, string, bool, error) {
				out, err := svc.ListRoles(ctx, r, &iamapi.ListRolesInput{PathPrefix: prefix, Marker: marker, MaxItems: n})
				if err != nil {
					return nil, "", false, err
				}
				return names(out.Roles, func(ro iamapi.Role) string { return ro.RoleName }), out.Marker, *out.IsTruncated, nil
			})
		check("ListInstanceProfiles "+prefix, names(filtered(ref.profiles, func(p *instanceProfile) bool { return pathPrefixMatch(p.Path, prefix) }), func(p *instanceProfile) string { return p.Name }),
			func(marker string, n *int32) ([]string, string, bool, error) {
				out, err := svc.ListInstanceProfiles(ctx, r, &iamapi.ListInstanceProfilesInput{PathPrefix: prefix, Marker: marker, MaxItems: n})
				if err != nil {
					return nil, "", false, err
				}
				return names(out.InstanceProfiles, func(p iamapi.InstanceProfile) string { return p.InstanceProfileName }), out.Marker, *out.IsTruncated, nil
			})
	}
	for _, g := range ref.groups {
		check("GetGroup "+g.Name, names(filtered(ref.users, func(u *user) bool { return slices.Contains(u.Groups, g.ID) }), func(u *user) string { return u.Name }),
			func(marker string, n *int32) ([]string, string, bool, error) {
				out, err := svc.GetGroup(ctx, r, &iamapi.GetGroupInput{GroupName: g.Name, Marker: marker, MaxItems: n})
				if err != nil {
					return nil, "", false, err
				}
				return names(out.Users, func(u iamapi.User) string { return u.UserName }), out.Marker, *out.IsTruncated, nil
			})
	}
	for _, u := range ref.users {
		var want []*group
		for _, g := range ref.groups {
			if slices.Contains(u.Groups, g.ID) {
				want = append(want, g)
			}
		}
		check("ListGroupsForUser "+u.Name, names(want, func(g *group) string { return g.Name }),
			func(marker string, n *int32) ([]string, string, bool, error) {
				out, err := svc.ListGroupsForUser(ctx, r, &iamapi.ListGroupsForUserInput{UserName: u.Name, Marker: marker, MaxItems: n})
				if err != nil {
					return nil, "", false, err
				}
				return names(out.Groups, func(g iamapi.Group) string { return g.GroupName }), out.Marker, *out.IsTruncated, nil
			})
	}
	for _, ro := range ref.roles {
		check("ListInstanceProfilesForRole "+ro.Name, names(filtered(ref.profiles, func(p *instanceProfile) bool { return slices.Contains(p.Roles, ro.ID) }), func(p *instanceProfile) string { return p.Name }),
			func(marker string, n *int32) ([]string, string, bool, error) {
				out, err := svc.ListInstanceProfilesForRole(ctx, r, &iamapi.ListInstanceProfilesForRoleInput{RoleName: ro.Name, Marker: marker, MaxItems: n})
				if err != nil {
					return nil, "", false, err
				}
				return names(out.InstanceProfiles, func(p iamapi.InstanceProfile) string { return p.InstanceProfileName }), out.Marker, *out.IsTruncated, nil
			})
	}

	// Managed policies: the account's and AWS's, by ARN, with counts.
	type pol struct {
		arn, path          string
		attached, boundary int
		aws                bool
	}
	var pols []pol
	for _, p := range ref.policies {
		a := iamapi.PolicyARN(canonicalPartition, ref.acct, p.Path, p.Name)
		at, b := ref.counts(a)
		pols = append(pols, pol{a, p.Path, at, b, false})
	}
	for _, mp := range svc.catalog.ManagedPolicies() {
		at, b := ref.counts(mp.ARN)
		pols = append(pols, pol{mp.ARN, mp.Path, at, b, true})
	}
	slices.SortFunc(pols, func(a, b pol) int { return cmp.Compare(a.arn, b.arn) })
	polName := func(p pol) string { return fmt.Sprintf("%s %d/%d", p.arn, p.attached, p.boundary) }
	for _, scope := range []string{"", "All", "AWS", "Local"} {
		for _, only := range []bool{false, true} {
			for _, usage := range []string{"", "PermissionsPolicy", "PermissionsBoundary"} {
				for _, prefix := range []string{"", "/a/", "/job-function/"} {
					want := filtered(pols, func(p pol) bool {
						switch {
						case scope == "AWS" && !p.aws, scope == "Local" && p.aws, !pathPrefixMatch(p.path, prefix),
							only && p.attached == 0 && p.boundary == 0,
							usage == "PermissionsPolicy" && p.attached == 0, usage == "PermissionsBoundary" && p.boundary == 0:
							return false
						}
						return true
					})
					name := fmt.Sprintf("ListPolicies scope %q only %v usage %q prefix %q", scope, only, usage, prefix)
					fetch := func(marker string, n *int32) ([]string, string, bool, error) {
						out, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{Scope: scope, OnlyAttached: &only, PolicyUsageFilter: usage, PathPrefix: prefix, Marker: marker, MaxItems: n})
						if err != nil {
							return nil, "", false, err
						}
						return names(out.Policies, func(p iamapi.Policy) string {
							return fmt.Sprintf("%s %d/%d", p.Arn, *p.AttachmentCount, *p.PermissionsBoundaryUsageCount)
						}), out.Marker, *out.IsTruncated, nil
					}
					if len(want) > 100 {
						// AWS's whole catalog: two page sizes are enough.
						for _, n := range []int32{97, 1000} {
							if got := pageAll(t, name, n, fetch); !slices.Equal(got, names(want, polName)) {
								t.Errorf("%s, MaxItems %d: %d policies, want %d", name, n, len(got), len(want))
							}
						}
						continue
					}
					check(name, names(want, polName), fetch)
				}
			}
		}
	}

	// ListEntitiesForPolicy of every policy in use and of the account's.
	var inUse []string
	for _, p := range pols {
		if !p.aws || p.attached+p.boundary > 0 {
			inUse = append(inUse, p.arn)
		}
	}
	for _, a := range inUse {
		for _, filter := range []string{"", "User", "Group", "Role", "LocalManagedPolicy"} {
			for _, usage := range []string{"", "PermissionsPolicy", "PermissionsBoundary"} {
				for _, prefix := range []string{"", "/a/"} {
					uses := func(attached []string, boundary string) bool {
						switch usage {
						case "PermissionsPolicy":
							return slices.Contains(attached, a)
						case "PermissionsBoundary":
							return boundary == a
						}
						return slices.Contains(attached, a) || boundary == a
					}
					var want []string
					if filter == "" || filter == "Group" {
						want = append(want, names(filtered(ref.groups, func(g *group) bool { return pathPrefixMatch(g.Path, prefix) && uses(g.Attached, "") }), func(g *group) string { return "g " + g.Name })...)
					}
					if filter == "" || filter == "User" {
						want = append(want, names(filtered(ref.users, func(u *user) bool { return pathPrefixMatch(u.Path, prefix) && uses(u.Attached, u.Boundary) }), func(u *user) string { return "u " + u.Name })...)
					}
					if filter == "" || filter == "Role" {
						want = append(want, names(filtered(ref.roles, func(ro *role) bool { return pathPrefixMatch(ro.Path, prefix) && uses(ro.Attached, ro.Boundary) }), func(ro *role) string { return "r " + ro.Name })...)
					}
					check(fmt.Sprintf("ListEntitiesForPolicy %s filter %q usage %q prefix %q", a, filter, usage, prefix), want,
						func(marker string, n *int32) ([]string, string, bool, error) {
							out, err := svc.ListEntitiesForPolicy(ctx, r, &iamapi.ListEntitiesForPolicyInput{PolicyArn: a, EntityFilter: filter, PolicyUsageFilter: usage, PathPrefix: prefix, Marker: marker, MaxItems: n})
							if err != nil {
								return nil, "", false, err
							}
							got := names(out.PolicyGroups, func(g iamapi.PolicyGroup) string { return "g " + g.GroupName })
							got = append(got, names(out.PolicyUsers, func(u iamapi.PolicyUser) string { return "u " + u.UserName })...)
							got = append(got, names(out.PolicyRoles, func(ro iamapi.PolicyRole) string { return "r " + ro.RoleName })...)
							return got, out.Marker, *out.IsTruncated, nil
						})
				}
			}
		}
	}

	// The authorization details, with the groups of each user, the
	// instance profiles of each role and the counts of each policy.
	userEntry := func(u *user) string {
		var gs []string
		for _, id := range u.Groups {
			if n, ok := groupName[id]; ok {
				gs = append(gs, n)
			}
		}
		return "u " + u.Name + " " + strings.Join(gs, ",")
	}
	roleEntry := func(ro *role) string {
		return "r " + ro.Name + " " + strings.Join(names(filtered(ref.profiles, func(p *instanceProfile) bool { return slices.Contains(p.Roles, ro.ID) }), func(p *instanceProfile) string { return p.Name }), ",")
	}
	for _, types := range [][]string{nil, {"User"}, {"Role", "Group"}, {"LocalManagedPolicy"}, {"AWSManagedPolicy", "User"}} {
		want := func(ty string) bool { return len(types) == 0 || slices.Contains(types, ty) }
		var entries []string
		if want("User") {
			entries = append(entries, names(ref.users, userEntry)...)
		}
		if want("Group") {
			entries = append(entries, names(ref.groups, func(g *group) string { return "g " + g.Name })...)
		}
		if want("Role") {
			entries = append(entries, names(ref.roles, roleEntry)...)
		}
		entries = append(entries, names(filtered(pols, func(p pol) bool {
			if p.aws {
				return want("AWSManagedPolicy") && p.attached+p.boundary > 0
			}
			return want("LocalManagedPolicy")
		}), func(p pol) string { return "p " + polName(p) })...)
		check(fmt.Sprintf("GetAccountAuthorizationDetails %v", types), entries, func(marker string, n *int32) ([]string, string, bool, error) {
			out, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{Filter: types, Marker: marker, MaxItems: n})
			if err != nil {
				return nil, "", false, err
			}
			got := names(out.UserDetailList, func(u iamapi.UserDetail) string { return "u " + u.UserName + " " + strings.Join(u.GroupList, ",") })
			got = append(got, names(out.GroupDetailList, func(g iamapi.GroupDetail) string { return "g " + g.GroupName })...)
			got = append(got, names(out.RoleDetailList, func(ro iamapi.RoleDetail) string {
				return "r " + ro.RoleName + " " + strings.Join(names(ro.InstanceProfileList, func(p iamapi.InstanceProfile) string { return p.InstanceProfileName }), ",")
			})...)
			got = append(got, names(out.Policies, func(p iamapi.ManagedPolicyDetail) string {
				return fmt.Sprintf("p %s %d/%d", p.Arn, *p.AttachmentCount, *p.PermissionsBoundaryUsageCount)
			})...)
			return got, out.Marker, *out.IsTruncated, nil
		})
	}

	// Every user's service-specific credentials.
	for _, service := range []string{"", "cassandra.amazonaws.com"} {
		var want []string
		for _, u := range ref.users {
			var cs []*serviceCred
			for _, c := range ref.creds {
				if c.User == u.key() && c.UserID == u.ID && (service == "" || c.Service == service) {
					cs = append(cs, c)
				}
			}
			for _, c := range inOrder(cs) {
				want = append(want, u.Name+" "+c.ID)
			}
		}
		yes := true
		check("ListServiceSpecificCredentials AllUsers "+service, want, func(marker string, n *int32) ([]string, string, bool, error) {
			out, err := svc.ListServiceSpecificCredentials(ctx, r, &iamapi.ListServiceSpecificCredentialsInput{AllUsers: &yes, ServiceName: service, Marker: marker, MaxItems: n})
			if err != nil {
				return nil, "", false, err
			}
			return names(out.ServiceSpecificCredentials, func(c iamapi.ServiceSpecificCredentialMetadata) string {
					return c.UserName + " " + c.ServiceSpecificCredentialId
				}),
				out.Marker, *out.IsTruncated, nil
		})
	}
}

// errAbort ends a write without committing it.
var errAbort = errors.New("aborted")

// TestListsInWrite checks that a write's reads of lists, IDs and
// policy counts see what it staged, and that they note the kinds read
// as conditions of its commit.
func TestListsInWrite(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	listAccount(t, svc, r, 20)
	readOnly := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	err := svc.update(ctx, r, func(tx *txn) error {
		everyone, _ := get[*group](tx, kindGroup, "everyone")
		u3, _ := get[*user](tx, kindUser, "u00003")
		// u00003 renamed (put first, as UpdateUser), u00005 deleted,
		// "a-new" added to everyone, without ReadOnlyAccess.
		renamed := *u3
		renamed.Name = "zz"
		tx.put(&renamed)
		tx.del(kindUser, u3.key())
		tx.del(kindUser, "u00005")
		tx.put(&user{Path: "/", Name: "a-new", ID: uniqueID(prefixUser), Groups: []string{everyone.ID},
			Boundary: readOnly}) // attached by others, no one's boundary yet

		var got []string
		for _, u := range all[*user](tx, kindUser) {
			got = append(got, u.Name)
		}
		want := []string{"a-new", "admin"}
		for i := range 20 {
			if i != 3 && i != 5 {
				want = append(want, fmt.Sprintf("u%05d", i))
			}
		}
		want = append(want, "zz")
		if !slices.Equal(got, want) {
			t.Errorf("all users = %v, want %v", got, want)
		}
		got = nil
		for x := range tx.groupUsers(everyone.ID, "u00010") {
			got = append(got, x.e.(*user).Name)
		}
		if want := append(want[len(want)-10:len(want)-1:len(want)-1], "zz"); !slices.Equal(got, want) {
			t.Errorf("everyone's users after u00010 = %v, want %v", got, want)
		}
		if u := byID[*user](tx, kindUser, u3.ID); u == nil || u.Name != "zz" {
			t.Errorf("user by ID = %v, want zz", u)
		}
		if at, _ := attachmentCounts(tx, readOnly); at != 19 {
			t.Errorf("ReadOnlyAccess attached %d times, want 19", at)
		}
		// The boundaries in use: the roles' and the one staged.
		p, _, _ := newPage[managedRef]("test", "", nil)
		tx.policiesInUse(p, "", byBoundary, true, true, func(ref managedRef) bool { _, b := attachmentCounts(tx, ref.arn); return b > 0 })
		got = nil
		for _, ref := range p.items {
			got = append(got, ref.arn)
		}
		if want := []string{"arn:aws:iam::aws:policy/PowerUserAccess", readOnly}; !slices.Equal(got, want) {
			t.Errorf("boundaries in use = %v, want %v", got, want)
		}
		for _, kind := range []string{kindUser, kindGroup, kindRole} {
			if _, ok := tx.scans[scanKey{tx.acct, kind}]; !ok {
				t.Errorf("no scan of %s noted", kind)
			}
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatal(err)
	}
}

// TestOldMarkers: markers handed out before the indexes (the version,
// the list, a NUL and the last key, base64url) page on where they
// left off.
func TestOldMarkers(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	listAccount(t, svc, r, 20)
	for _, tc := range []struct {
		name, marker, first string
		call                func(marker string) (string, error)
	}{
		{"ListUsers", "Akxpc3RVc2VycwB1MDAwMTI", "u00013", func(m string) (string, error) {
			out, err := svc.ListUsers(ctx, r, &iamapi.ListUsersInput{Marker: m})
			if err != nil {
				return "", err
			}
			return out.Users[0].UserName, nil
		}},
		{"ListPolicies", newMarker("ListPolicies", "arn:aws:iam::"+internalAccount+":policy/p00018"), "arn:aws:iam::" + internalAccount + ":policy/p00019", func(m string) (string, error) {
			out, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{Marker: m})
			if err != nil {
				return "", err
			}
			return out.Policies[0].Arn, nil
		}},
		{"GetAccountAuthorizationDetails", newMarker("GetAccountAuthorizationDetails", "1/g00007"), "g00008", func(m string) (string, error) {
			out, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{Marker: m})
			if err != nil {
				return "", err
			}
			return out.GroupDetailList[0].GroupName, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.call(tc.marker)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.first {
				t.Errorf("first after the marker = %s, want %s", got, tc.first)
			}
		})
	}
	if m := newMarker("ListUsers", "u00012"); m != "Akxpc3RVc2VycwB1MDAwMTI" {
		t.Errorf("ListUsers marker = %s: the wire format changed", m)
	}
}

// TestListIndex puts and removes random keys, enough for blocks to split
// and empty, and checks the set against a sorted slice: its order, its
// length, and seeks after and from every key and between keys.
func TestListIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var o listIndex
	want := map[string]bool{}
	for step := range 20000 {
		k := fmt.Sprintf("k%04d", rng.IntN(3000))
		if rng.IntN(3) == 0 {
			o.remove(k)
			delete(want, k)
		} else {
			o.put(k, k, nil)
			want[k] = true
		}
		if step%2000 != 1999 {
			continue
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range want {
				if !yield(k) {
					return
				}
			}
		})
		var got []string
		for x := range o.all() {
			got = append(got, x.sort)
		}
		if !slices.Equal(got, keys) || o.len() != len(keys) {
			t.Fatalf("step %d: %d entries (len %d), want %d", step, len(got), o.len(), len(keys))
		}
		for _, blk := range o.blocks {
			if len(blk) == 0 || len(blk) > maxBlock {
				t.Fatalf("block of %d entries", len(blk))
			}
		}
		for i := range 3001 {
			s := fmt.Sprintf("k%04d", i)
			after := keys[sort.Search(len(keys), func(j int) bool { return keys[j] > s }):]
			from := keys[sort.SearchStrings(keys, s):]
			if c := o.after(s); c.valid() != (len(after) > 0) || (c.valid() && c.get().sort != after[0]) {
				t.Fatalf("after(%s) wrong", s)
			}
			if c := o.from(s); c.valid() != (len(from) > 0) || (c.valid() && c.get().sort != from[0]) {
				t.Fatalf("from(%s) wrong", s)
			}
			if c := o.after(s + "x"); c.valid() != (len(after) > 0) || (c.valid() && c.get().sort != after[0]) {
				t.Fatalf("after(%sx) wrong", s)
			}
		}
	}
	var empty *listIndex
	if empty.after("").valid() || empty.len() != 0 {
		t.Fatal("a nil set is not empty")
	}
}
