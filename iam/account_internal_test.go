package iam

import (
	"fmt"
	"github.com/gatehouse/gatehouse/authn"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// TestSummaryCountsEveryKind checks the counts of the kinds other
// families manage (instance profiles, MFA devices, providers, server
// certificates) and a role's instance profiles in the authorization
// details.
func TestSummaryCountsEveryKind(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	now := time.Now().UTC().Truncate(time.Second)
	ro := &role{Path: "/", Name: "web", ID: uniqueID(prefixRole), Created: now, Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, MaxSession: 3600}
	virtualSerial := "arn:aws:iam::" + internalAccount + ":mfa/dev"
	stage(t, svc, r, func(tx *txn) {
		tx.put(ro)
		tx.put(&instanceProfile{Path: "/", Name: "web-profile", ID: uniqueID(prefixInstanceProfile), Created: now, Roles: []string{ro.ID}})
		tx.put(&instanceProfile{Path: "/", Name: "empty-profile", ID: uniqueID(prefixInstanceProfile), Created: now})
		u := &user{Path: "/", Name: "dev", ID: uniqueID(prefixUser), Created: now}
		tx.put(u)
		tx.put(&mfaDevice{owner: ownerOf(u), Serial: virtualSerial, Enabled: now, Order: 1})
		tx.put(&mfaDevice{owner: ownerOf(u), Serial: "GAHT12345678", Enabled: now, Order: 2})
		tx.put(&virtualMFA{Serial: virtualSerial, UserID: u.ID, Enabled: now})
		tx.put(&virtualMFA{Serial: "arn:aws:iam::" + internalAccount + ":mfa/spare"})
		tx.put(&samlProvider{Name: "okta", Metadata: "<md/>", Created: now})
		tx.put(&oidcProvider{URL: "token.actions.githubusercontent.com", Created: now})
		tx.put(&serverCert{Path: "/", Name: "www", ID: uniqueID(prefixServerCert), Uploaded: now, Expiration: now.Add(time.Hour)})
	})
	out, err := svc.GetAccountSummary(ctx, r, &iamapi.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]int32{
		"InstanceProfiles": 2, "Providers": 2, "ServerCertificates": 1,
		"MFADevices":      3, // two virtual devices and one hardware device
		"MFADevicesInUse": 2, "Users": 2, "Roles": 1,
	} {
		if got := out.SummaryMap[k]; got != want {
			t.Errorf("%s = %d, want %d", k, got, want)
		}
	}

	d, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{Filter: []string{iamapi.EntityTypeRole}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.RoleDetailList) != 1 || len(d.RoleDetailList[0].InstanceProfileList) != 1 {
		t.Fatalf("roles = %+v", d.RoleDetailList)
	}
	ip := d.RoleDetailList[0].InstanceProfileList[0]
	if ip.InstanceProfileName != "web-profile" || ip.Arn != "arn:aws:iam::"+internalAccount+":instance-profile/web-profile" ||
		len(ip.Roles) != 1 || ip.Roles[0].RoleName != "web" || ip.Roles[0].AssumeRolePolicyDocument != encodeDocument(ro.Trust) {
		t.Fatalf("instance profile = %+v", ip)
	}
}

// bigAccount stages an account with thousands of entities: users in
// groups with attached policies, roles with boundaries, customer
// policies.
func bigAccount(t testing.TB, svc *Service, r *authn.Request, users, groups, roles, policies int) {
	now := time.Now().UTC().Truncate(time.Second)
	stage(t, svc, r, func(tx *txn) {
		var arns []string
		for i := range policies {
			p := &managedPolicy{Path: "/", Name: fmt.Sprintf("p%05d", i), ID: uniqueID(prefixPolicy), Created: now, Updated: now,
				Versions: []policyVersion{{ID: "v1", Doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, Created: now}},
				Default:  "v1", NextVersion: 2}
			tx.put(p)
			arns = append(arns, tx.customerPolicyARN(p))
		}
		var gids []string
		for i := range groups {
			g := &group{Path: "/", Name: fmt.Sprintf("g%05d", i), ID: uniqueID(prefixGroup), Created: now, Attached: []string{arns[i%len(arns)]}}
			tx.put(g)
			gids = append(gids, g.ID)
		}
		for i := range users {
			tx.put(&user{Path: "/", Name: fmt.Sprintf("u%05d", i), ID: uniqueID(prefixUser), Created: now,
				Groups: []string{gids[i%len(gids)]}, Attached: []string{arns[i%len(arns)], "arn:aws:iam::aws:policy/ReadOnlyAccess"},
				Inline: map[string]string{"inline": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`}})
		}
		for i := range roles {
			tx.put(&role{Path: "/", Name: fmt.Sprintf("r%05d", i), ID: uniqueID(prefixRole), Created: now, MaxSession: 3600,
				Trust:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
				Attached: []string{arns[i%len(arns)]}, Boundary: "arn:aws:iam::aws:policy/PowerUserAccess"})
		}
	})
}

// TestAuthorizationDetailsLargeAccount pages through an account with
// thousands of entities: every entity exactly once, in order, and the
// policy counts right.
func TestAuthorizationDetailsLargeAccount(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	const users, groups, roles, policies = 3000, 300, 1000, 500
	bigAccount(t, svc, r, users, groups, roles, policies)
	seen := map[string]bool{}
	var last string
	marker := ""
	counts := map[string]int32{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		out, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, u := range out.UserDetailList {
			arns = append(arns, "0"+u.Arn)
		}
		for _, g := range out.GroupDetailList {
			arns = append(arns, "1"+g.Arn)
		}
		for _, r := range out.RoleDetailList {
			arns = append(arns, "2"+r.Arn)
		}
		for _, p := range out.Policies {
			arns = append(arns, "3"+p.Arn)
			counts[p.Arn] = *p.AttachmentCount + 1000*(*p.PermissionsBoundaryUsageCount)
		}
		if len(arns) > defaultMaxItems {
			t.Fatalf("page of %d items", len(arns))
		}
		for _, a := range arns {
			if seen[a] {
				t.Fatalf("%s twice", a)
			}
			seen[a] = true
			last = a
		}
		if !*out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	// Admins group, admin user and the entities staged; the AWS managed
	// policies in use: AdministratorAccess, ReadOnlyAccess, PowerUserAccess.
	if want := (users + 1) + (groups + 1) + roles + policies + 3; len(seen) != want {
		t.Fatalf("%d entities, want %d (last %s)", len(seen), want, last)
	}
	for arn, want := range map[string]int32{
		"arn:aws:iam::aws:policy/ReadOnlyAccess":      users,
		"arn:aws:iam::aws:policy/PowerUserAccess":     1000 * roles,
		"arn:aws:iam::aws:policy/AdministratorAccess": 1,
		// p00000: groups 0, 500 (none: only 300), users 0, 500, ..., roles 0, 500.
		"arn:aws:iam::" + internalAccount + ":policy/p00000": 1 + users/policies + roles/policies,
	} {
		if counts[arn] != want {
			t.Errorf("%s: %d, want %d", arn, counts[arn], want)
		}
	}
}

// BenchmarkAuthorizationDetailsPage is the cost of one page (100 items)
// in the middle of an account of about 6,000 entities.
func BenchmarkAuthorizationDetailsPage(b *testing.B) {
	svc, ctx, r := newInternalService(b)
	bigAccount(b, svc, r, 5000, 300, 1000, 1500)
	first, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{MaxItems: awsInt32(3000)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.GetAccountAuthorizationDetails(ctx, r, &iamapi.GetAccountAuthorizationDetailsInput{Marker: first.Marker}); err != nil {
			b.Fatal(err)
		}
	}
}
