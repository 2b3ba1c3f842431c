package iam

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// listAccount stages an account with n entities of every listed kind:
// customer managed policies, groups (each attaching a policy), users
// (each in ten groups: nine of the g groups and "everyone", attaching a
// customer policy and ReadOnlyAccess), roles (attaching a policy, with
// PowerUserAccess as their boundary), instance profiles (one role
// each), virtual MFA devices (every other one assigned) and server
// certificates. Every 50th entity of each kind is under the path
// /team/, the rest under /.
func listAccount(t testing.TB, svc *Service, r *authn.Request, n int) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	path := func(i int) string {
		if i%50 == 0 {
			return "/team/"
		}
		return "/"
	}
	stage(t, svc, r, func(tx *txn) {
		arns := make([]string, n)
		for i := range n {
			p := &managedPolicy{Path: path(i), Name: fmt.Sprintf("p%05d", i), ID: uniqueID(prefixPolicy), Created: now, Updated: now,
				Versions: []policyVersion{{ID: "v1", Doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, Created: now}},
				Default:  "v1", NextVersion: 2}
			tx.put(p)
			arns[i] = tx.customerPolicyARN(p)
		}
		everyone := &group{Path: "/", Name: "everyone", ID: uniqueID(prefixGroup), Created: now}
		tx.put(everyone)
		gids := make([]string, n)
		for i := range n {
			g := &group{Path: path(i), Name: fmt.Sprintf("g%05d", i), ID: uniqueID(prefixGroup), Created: now, Attached: []string{arns[i]}}
			tx.put(g)
			gids[i] = g.ID
		}
		uids := make([]string, n)
		for i := range n {
			groups := []string{everyone.ID}
			for j := range min(9, n) {
				groups = append(groups, gids[(i+j)%n])
			}
			u := &user{Path: path(i), Name: fmt.Sprintf("u%05d", i), ID: uniqueID(prefixUser), Created: now,
				Groups: groups, Attached: []string{arns[i], "arn:aws:iam::aws:policy/ReadOnlyAccess"}}
			tx.put(u)
			uids[i] = u.ID
		}
		for i := range n {
			ro := &role{Path: path(i), Name: fmt.Sprintf("r%05d", i), ID: uniqueID(prefixRole), Created: now, MaxSession: 3600,
				Trust:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
				Attached: []string{arns[i]}, Boundary: "arn:aws:iam::aws:policy/PowerUserAccess"}
			tx.put(ro)
			tx.put(&instanceProfile{Path: path(i), Name: fmt.Sprintf("ip%05d", i), ID: uniqueID(prefixInstanceProfile), Created: now, Roles: []string{ro.ID}})
			m := &virtualMFA{Serial: fmt.Sprintf("arn:aws:iam::%s:mfa/m%05d", r.Account, i)}
			if i%2 == 0 {
				m.UserID, m.Enabled = uids[i], now
			}
			tx.put(m)
			tx.put(&serverCert{Path: path(i), Name: fmt.Sprintf("c%05d", i), ID: uniqueID(prefixServerCert), Uploaded: now, Expiration: now.Add(time.Hour)})
		}
	})
}

// listCase is one list request of BenchmarkList.
type listCase struct {
	name string
	call func(ctx context.Context, svc *Service, r *authn.Request) error
}

func listCases() []listCase {
	all, local, aws := "All", "Local", "AWS"
	yes := true
	readOnly := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	return []listCase{
		{"ListUsers", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListUsers(ctx, r, &iamapi.ListUsersInput{})
			return err
		}},
		{"ListUsers/Marker", func(ctx context.Context, svc *Service, r *authn.Request) error {
			// A page after a marker in the middle of the account
			// (after u00049: at 100 users the last 50).
			_, err := svc.ListUsers(ctx, r, &iamapi.ListUsersInput{Marker: newMarker("ListUsers", "u00049")})
			return err
		}},
		{"ListUsers/PathPrefix", func(ctx context.Context, svc *Service, r *authn.Request) error {
			// One user in 50 matches: the page walks the whole account.
			_, err := svc.ListUsers(ctx, r, &iamapi.ListUsersInput{PathPrefix: "/team/"})
			return err
		}},
		{"ListGroups", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListGroups(ctx, r, &iamapi.ListGroupsInput{})
			return err
		}},
		{"ListRoles", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListRoles(ctx, r, &iamapi.ListRolesInput{})
			return err
		}},
		{"ListPolicies/Local", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{Scope: local})
			return err
		}},
		{"ListPolicies/AWS", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{Scope: aws})
			return err
		}},
		{"ListPolicies/All", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{Scope: all})
			return err
		}},
		{"ListPolicies/OnlyAttached", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{OnlyAttached: &yes})
			return err
		}},
		{"ListPolicies/PermissionsBoundary", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{PolicyUsageFilter: "PermissionsBoundary"})
			return err
		}},
		{"ListPolicies/PathPrefix", func(ctx context.Context, svc *Service, r *authn.Request) error {
			// One customer policy in 50 matches.
			_, err := svc.ListPolicies(ctx, r, &iamapi.ListPoliciesInput{Scope: local, PathPrefix: "/team/"})
			return err
		}},
		{"ListEntitiesForPolicy", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListEntitiesForPolicy(ctx, r, &iamapi.ListEntitiesForPolicyInput{PolicyArn: readOnly})
			return err
		}},
		{"ListEntitiesForPolicy/Customer", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListEntitiesForPolicy(ctx, r, &iamapi.ListEntitiesForPolicyInput{PolicyArn: "arn:aws:iam::" + r.Account + ":policy/p00001"})
			return err
		}},
		{"ListGroupsForUser", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListGroupsForUser(ctx, r, &iamapi.ListGroupsForUserInput{UserName: "u00001"})
			return err
		}},
		{"GetGroup", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.GetGroup(ctx, r, &iamapi.GetGroupInput{GroupName: "everyone"})
			return err
		}},
		{"ListInstanceProfiles", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListInstanceProfiles(ctx, r, &iamapi.ListInstanceProfilesInput{})
			return err
		}},
		{"ListInstanceProfilesForRole", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListInstanceProfilesForRole(ctx, r, &iamapi.ListInstanceProfilesForRoleInput{RoleName: "r00001"})
			return err
		}},
		{"ListVirtualMFADevices", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListVirtualMFADevices(ctx, r, &iamapi.ListVirtualMFADevicesInput{})
			return err
		}},
		{"ListServerCertificates", func(ctx context.Context, svc *Service, r *authn.Request) error {
			_, err := svc.ListServerCertificates(ctx, r, &iamapi.ListServerCertificatesInput{})
			return err
		}},
	}
}

// BenchmarkList is the cost of one page (the default 100 items) of each
// list operation in an account of 100 and in one of 5,000 entities of
// every kind: a page should cost the same in both. Both accounts are in
// one service, so that both sizes are measured on the same heap (a
// service of 5,000 entities alone has a live heap of about 90 MB, one of
// 100 about 20 MB, and the garbage collector's share of a page's cost
// grows with the heap, not with the account the page is of).
func BenchmarkList(b *testing.B) {
	svc, ctx, r := newInternalService(b)
	big := unchecked("444455556666")
	if _, err := svc.Bootstrap(ctx, Bootstrap{Account: big.Account, RootPassword: "correct horse battery staple"}); err != nil {
		b.Fatal(err)
	}
	listAccount(b, svc, r, 100)
	listAccount(b, svc, big, 5000)
	for _, tc := range listCases() {
		for _, acct := range []struct {
			n int
			r *authn.Request
		}{{100, r}, {5000, big}} {
			b.Run(fmt.Sprintf("%s/entities=%d", tc.name, acct.n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := tc.call(ctx, svc, acct.r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkAuthorizationDetailsAll pages through the authorization
// details of an account of 5,000 users (each in a group, with an inline
// policy and two attached policies), 300 groups, 1,000 roles and 1,500
// customer managed policies, 100 items a page: one op is every page.
func BenchmarkAuthorizationDetailsAll(b *testing.B) {
	svc, ctx, r := newInternalService(b)
	bigAccount(b, svc, r, 5000, 300, 1000, 1500)
	b.ReportAllocs()
	for b.Loop() {
		marker := ""
		for {
			out, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{Marker: marker})
			if err != nil {
				b.Fatal(err)
			}
			if !*out.IsTruncated {
				break
			}
			marker = out.Marker
		}
	}
}

// TestPagingWhileWriting pages through ListUsers, GetGroup and the
// authorization details with small pages while users are created,
// added to the group, renamed and deleted, between the pages and all
// the while from another goroutine: every user that exists the whole
// time is listed exactly once, and no user twice.
func TestPagingWhileWriting(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	const stay = 150
	if _, err := svc.CreateGroup(ctx, r, &iamapi.CreateGroupInput{GroupName: "team"}); err != nil {
		t.Fatal(err)
	}
	for i := range stay {
		name := fmt.Sprintf("s%03d", i)
		if _, err := svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: name}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddUserToGroup(ctx, r, &iamapi.AddUserToGroupInput{GroupName: "team", UserName: name}); err != nil {
			t.Fatal(err)
		}
	}
	// churn makes one change of users that come and go around the
	// staying ones: created in the group, renamed, removed from it and
	// deleted.
	churn := func(t *testing.T, who string, n int) {
		name := fmt.Sprintf("s%03d-%s%d", (n*37)%stay, who, n)
		if _, err := svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: name}); err != nil {
			t.Error(err)
			return
		}
		if _, err := svc.AddUserToGroup(ctx, r, &iamapi.AddUserToGroupInput{GroupName: "team", UserName: name}); err != nil {
			t.Error(err)
		}
		if n%3 == 0 {
			return // stays
		}
		renamed := fmt.Sprintf("s%03d-%s%d", (n*53)%stay, who, n)
		if _, err := svc.UpdateUser(ctx, r, &iamapi.UpdateUserInput{UserName: name, NewUserName: renamed}); err != nil {
			t.Error(err)
		}
		if n%3 == 1 {
			return
		}
		if _, err := svc.RemoveUserFromGroup(ctx, r, &iamapi.RemoveUserFromGroupInput{GroupName: "team", UserName: renamed}); err != nil {
			t.Error(err)
		}
		if _, err := svc.DeleteUser(ctx, r, &iamapi.DeleteUserInput{UserName: renamed}); err != nil {
			t.Error(err)
		}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			churn(t, "bg", n)
		}
	}()
	defer func() { close(stop); <-done }()

	lists := []struct {
		name  string
		fetch func(marker string) ([]string, string, bool, error)
	}{
		{"ListUsers", func(marker string) ([]string, string, bool, error) {
			out, err := svc.ListUsers(ctx, r, &iamapi.ListUsersInput{Marker: marker, MaxItems: awsInt32(7)})
			if err != nil {
				return nil, "", false, err
			}
			var names []string
			for _, u := range out.Users {
				names = append(names, u.UserName)
			}
			return names, out.Marker, *out.IsTruncated, nil
		}},
		{"GetGroup", func(marker string) ([]string, string, bool, error) {
			out, err := svc.GetGroup(ctx, r, &iamapi.GetGroupInput{GroupName: "team", Marker: marker, MaxItems: awsInt32(5)})
			if err != nil {
				return nil, "", false, err
			}
			var names []string
			for _, u := range out.Users {
				names = append(names, u.UserName)
			}
			return names, out.Marker, *out.IsTruncated, nil
		}},
		{"GetAccountAuthorizationDetails", func(marker string) ([]string, string, bool, error) {
			out, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{Filter: []string{iamapi.EntityTypeUser}, Marker: marker, MaxItems: awsInt32(6)})
			if err != nil {
				return nil, "", false, err
			}
			var names []string
			for _, u := range out.UserDetailList {
				names = append(names, u.UserName)
			}
			return names, out.Marker, *out.IsTruncated, nil
		}},
	}
	n := 0
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			seen := map[string]int{}
			marker := ""
			for pages := 0; ; pages++ {
				if pages > 1000 {
					t.Fatal("paging does not end")
				}
				names, next, truncated, err := l.fetch(marker)
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range names {
					seen[name]++
				}
				if !truncated {
					break
				}
				marker = next
				// Between pages: users come and go on both sides of
				// the marker.
				churn(t, "fg", n)
				churn(t, "fg", n+1)
				n += 2
			}
			for i := range stay {
				if name := fmt.Sprintf("s%03d", i); seen[name] != 1 {
					t.Errorf("%s listed %d times", name, seen[name])
				}
			}
			for name, times := range seen {
				if times > 1 {
					t.Errorf("%s listed %d times", name, times)
				}
			}
		})
	}
}

// BenchmarkStateSet is what the indexes add to the one place the state
// changes: state.set of a user record (in ten groups, attaching two
// policies) in accounts of 100 and 5,000 entities of every kind. change
// puts a copy attaching one more policy and puts the user back;
// insertDelete adds a user in the middle of the users and deletes it.
func BenchmarkStateSet(b *testing.B) {
	for _, n := range []int{100, 5000} {
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			svc, _, r := newInternalService(b)
			listAccount(b, svc, r, n)
			svc.mu.Lock()
			defer svc.mu.Unlock()
			st := svc.state
			k := recordKey{r.Account, kindUser, "u00001"}
			u := st.lookup(k).(*user)
			changed := *u
			changed.Attached = append(slices.Clone(u.Attached), "arn:aws:iam::aws:policy/PowerUserAccess")
			b.Run("change", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := st.set(svc, k, &changed, 1); err != nil {
						b.Fatal(err)
					}
					if err := st.set(svc, k, u, 1); err != nil {
						b.Fatal(err)
					}
				}
			})
			added := *u
			added.Name, added.ID = fmt.Sprintf("u%05d-new", n/2), uniqueID(prefixUser)
			ka := recordKey{r.Account, kindUser, nameKey(added.Name)}
			b.Run("insertDelete", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := st.set(svc, ka, &added, 1); err != nil {
						b.Fatal(err)
					}
					if err := st.set(svc, ka, nil, 0); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
