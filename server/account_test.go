package server_test

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/iam"
)

// deniedMessage is AWS's AccessDenied message for a user of the test
// account without any policy, on the account-level resource "*".
func deniedMessage(user, action string) string {
	return "User: arn:aws:iam::" + testAccount + ":user/" + user + " is not authorized to perform: iam:" + action +
		" on resource: * because no identity-based policy allows the iam:" + action + " action"
}

// TestAccountAlias covers the alias life cycle: one alias per account, a
// new one replaces the old, names are unique across every account the
// server holds, deletion names the alias, and it survives a restart.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccountAlias.html
func TestAccountAlias(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	aliases := func(c *awsiam.Client) []string {
		t.Helper()
		out := must[*awsiam.ListAccountAliasesOutput](t)(c.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{}))
		if out.IsTruncated {
			t.Fatal("IsTruncated with one alias")
		}
		return out.AccountAliases
	}
	if got := aliases(a); len(got) != 0 {
		t.Fatalf("new account has aliases %v", got)
	}
	must[*awsiam.CreateAccountAliasOutput](t)(a.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")}))
	if got := aliases(a); !slices.Equal(got, []string{"example-corp"}) {
		t.Fatalf("aliases = %v", got)
	}

	// A second account on the same server: aliases are globally unique.
	other, err := h.svc.Bootstrap(ctx, iam.Bootstrap{Account: "444455556666", RootPassword: "another horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	b := h.client(aws.Credentials{AccessKeyID: other.AccessKeyID, SecretAccessKey: other.SecretAccessKey})

	tests := []struct {
		name, code, msg string
		status          int
		call            func() error
	}{
		{"own alias again", "EntityAlreadyExists", "The account alias example-corp already exists.", 409, func() error {
			_, err := a.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")})
			return err
		}},
		{"another account's alias", "EntityAlreadyExists", "The account alias example-corp already exists.", 409, func() error {
			_, err := b.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")})
			return err
		}},
		{"delete an alias the account does not have", "NoSuchEntity", "The account alias other-name cannot be found.", 404, func() error {
			_, err := a.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("other-name")})
			return err
		}},
		{"double dash", "ValidationError", "", 400, func() error {
			_, err := a.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("bad--alias")})
			return err
		}},
		{"upper case", "ValidationError", "", 400, func() error {
			_, err := a.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("Example")})
			return err
		}},
		{"too short", "ValidationError", "", 400, func() error {
			_, err := a.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("ab")})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErrorStatus(t, tc.call(), tc.code, tc.status, tc.msg) })
	}

	// A new alias replaces the old one, which is free again.
	must[*awsiam.CreateAccountAliasOutput](t)(a.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp-2")}))
	if got := aliases(a); !slices.Equal(got, []string{"example-corp-2"}) {
		t.Fatalf("after replacement, aliases = %v", got)
	}
	must[*awsiam.CreateAccountAliasOutput](t)(b.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")}))
	if got := aliases(b); !slices.Equal(got, []string{"example-corp"}) {
		t.Fatalf("other account's aliases = %v", got)
	}

	h.restart()
	a, b = h.admin(), h.client(aws.Credentials{AccessKeyID: other.AccessKeyID, SecretAccessKey: other.SecretAccessKey})
	if got := aliases(a); !slices.Equal(got, []string{"example-corp-2"}) {
		t.Fatalf("after restart, aliases = %v", got)
	}
	_, err = b.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp-2")})
	wantErrorStatus(t, err, "EntityAlreadyExists", 409, "The account alias example-corp-2 already exists.")

	must[*awsiam.DeleteAccountAliasOutput](t)(a.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("example-corp-2")}))
	if got := aliases(a); len(got) != 0 {
		t.Fatalf("after delete, aliases = %v", got)
	}
	_, err = a.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("example-corp-2")})
	wantErrorStatus(t, err, "NoSuchEntity", 404, "The account alias example-corp-2 cannot be found.")

	t.Run("denied", func(t *testing.T) {
		dev, _ := h.newUserWithKey("dev")
		for action, call := range map[string]func() error{
			"CreateAccountAlias": func() error {
				_, err := dev.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("dev-alias")})
				return err
			},
			"DeleteAccountAlias": func() error {
				_, err := dev.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("nothing-here")})
				return err
			},
			"ListAccountAliases": func() error {
				_, err := dev.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
				return err
			},
		} {
			wantErrorStatus(t, call(), "AccessDenied", 403, deniedMessage("dev", action))
		}
	})
}

// TestAccountSummary checks every key of the SummaryMap, the quotas
// AWS documents, counts that follow the state, and the global endpoint
// token version set by SetSecurityTokenServicePreferences.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
func TestAccountSummary(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	summary := func() map[string]int32 {
		t.Helper()
		return must[*awsiam.GetAccountSummaryOutput](t)(a.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})).SummaryMap
	}
	// The bootstrap: the admin user in the Admins group, which has
	// AdministratorAccess attached; the root user has a password.
	want := map[string]int32{
		"Users": 1, "UsersQuota": 5000,
		"Groups": 1, "GroupsQuota": 300,
		"Roles": 0, "RolesQuota": 1000,
		"Policies": 0, "PoliciesQuota": 1500,
		"PolicySizeQuota":          6144,
		"PolicyVersionsInUse":      1,
		"PolicyVersionsInUseQuota": 10000,
		"VersionsPerPolicyQuota":   5,
		"ServerCertificates":       0, "ServerCertificatesQuota": 20,
		"InstanceProfiles": 0, "InstanceProfilesQuota": 1000,
		"Providers":  0,
		"MFADevices": 0, "MFADevicesInUse": 0,
		"AccountMFAEnabled":                 0,
		"AccountAccessKeysPresent":          0,
		"AccountPasswordPresent":            1,
		"AccountSigningCertificatesPresent": 0,
		"AccessKeysPerUserQuota":            2,
		"AttachedPoliciesPerGroupQuota":     10,
		"AttachedPoliciesPerRoleQuota":      10,
		"AttachedPoliciesPerUserQuota":      10,
		"GroupPolicySizeQuota":              5120,
		"UserPolicySizeQuota":               2048,
		"RolePolicySizeQuota":               10240,
		"AssumeRolePolicySizeQuota":         2048,
		"GroupsPerUserQuota":                10,
		"SigningCertificatesPerUserQuota":   2,
		"GlobalEndpointTokenVersion":        1,
	}
	check := func(want map[string]int32) {
		t.Helper()
		got := summary()
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s = %d (present %v), want %d", k, g, ok, v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected key %s", k)
			}
		}
	}
	check(want)
	// Every valid key of the model's summaryKeyType is returned.
	for _, k := range types.SummaryKeyType("").Values() {
		if _, ok := want[string(k)]; !ok {
			t.Errorf("model key %s not in the summary", k)
		}
	}

	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")}))
	must[*awsiam.CreateRoleOutput](t)(a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	p := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowGetUser)}))
	must[*awsiam.AttachUserPolicyOutput](t)(a.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: p.Policy.Arn}))
	must[*awsiam.AttachRolePolicyOutput](t)(a.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: p.Policy.Arn}))
	must[*awsiam.AttachRolePolicyOutput](t)(a.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	want["Users"], want["Roles"], want["Policies"], want["PolicyVersionsInUse"] = 2, 1, 1, 4
	check(want)

	// SetSecurityTokenServicePreferences: v2Token is reported as 2 and
	// survives a restart.
	must[*awsiam.SetSecurityTokenServicePreferencesOutput](t)(a.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token}))
	want["GlobalEndpointTokenVersion"] = 2
	check(want)
	h.restart()
	a = h.admin()
	check(want)
	must[*awsiam.SetSecurityTokenServicePreferencesOutput](t)(a.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV1Token}))
	want["GlobalEndpointTokenVersion"] = 1
	check(want)
	// The settings record keeps the alias when the token version changes.
	must[*awsiam.CreateAccountAliasOutput](t)(a.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("summary-test")}))
	must[*awsiam.SetSecurityTokenServicePreferencesOutput](t)(a.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token}))
	if got := must[*awsiam.ListAccountAliasesOutput](t)(a.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})).AccountAliases; !slices.Equal(got, []string{"summary-test"}) {
		t.Fatalf("aliases after SetSecurityTokenServicePreferences = %v", got)
	}

	_, err := a.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	wantErrorStatus(t, err, "ValidationError", 400, "")

	dev, _ := h.newUserWithKey("dev")
	_, err = dev.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	wantErrorStatus(t, err, "AccessDenied", 403, deniedMessage("dev", "GetAccountSummary"))
	_, err = dev.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token})
	wantErrorStatus(t, err, "AccessDenied", 403, deniedMessage("dev", "SetSecurityTokenServicePreferences"))
}

const (
	trustEC2     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	allowGetUser = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
)

// TestOutboundWebIdentityFederation: disabled by default, enabled once
// (FeatureEnabled 409 the second time), an issuer URL in AWS's form that
// stays the same across restarts and disable/enable, FeatureDisabled 404
// while off.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOutboundWebIdentityFederationInfo.html
func TestOutboundWebIdentityFederation(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	get := func() (*awsiam.GetOutboundWebIdentityFederationInfoOutput, error) {
		return a.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	}
	var disabled *types.FeatureDisabledException
	_, err := get()
	wantErrorStatus(t, err, "FeatureDisabled", 404, "")
	if !errors.As(err, &disabled) {
		t.Fatalf("SDK did not recognise FeatureDisabled: %T", err)
	}
	_, err = a.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{})
	wantErrorStatus(t, err, "FeatureDisabled", 404, "")

	en := must[*awsiam.EnableOutboundWebIdentityFederationOutput](t)(a.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{}))
	issuer := aws.ToString(en.IssuerIdentifier)
	if !regexp.MustCompile(`^https://[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.tokens\.sts\.global\.api\.aws$`).MatchString(issuer) {
		t.Fatalf("issuer = %q", issuer)
	}
	_, err = a.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	wantErrorStatus(t, err, "FeatureEnabled", 409, "")
	var enabled *types.FeatureEnabledException
	if !errors.As(err, &enabled) {
		t.Fatalf("SDK did not recognise FeatureEnabled: %T", err)
	}
	info := must[*awsiam.GetOutboundWebIdentityFederationInfoOutput](t)(get())
	if aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Fatalf("info = %q %v", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled)
	}

	h.restart()
	a = h.admin()
	info = must[*awsiam.GetOutboundWebIdentityFederationInfoOutput](t)(get())
	if aws.ToString(info.IssuerIdentifier) != issuer {
		t.Fatalf("after restart, issuer = %q, want %q", aws.ToString(info.IssuerIdentifier), issuer)
	}
	must[*awsiam.DisableOutboundWebIdentityFederationOutput](t)(a.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{}))
	_, err = get()
	wantErrorStatus(t, err, "FeatureDisabled", 404, "")
	en = must[*awsiam.EnableOutboundWebIdentityFederationOutput](t)(a.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{}))
	if aws.ToString(en.IssuerIdentifier) != issuer {
		t.Fatalf("re-enabled issuer = %q, want %q", aws.ToString(en.IssuerIdentifier), issuer)
	}

	dev, _ := h.newUserWithKey("dev")
	_, err = dev.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	wantErrorStatus(t, err, "AccessDenied", 403, deniedMessage("dev", "EnableOutboundWebIdentityFederation"))
	_, err = dev.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	wantErrorStatus(t, err, "AccessDenied", 403, deniedMessage("dev", "GetOutboundWebIdentityFederationInfo"))
}

// TestOrganizationsFeatures: Gatehouse has no AWS Organizations yet, so
// every account is outside an organization and each centralized root
// access operation answers OrganizationNotFoundException (400) with
// AWS's documented message, once the caller is authorized.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOrganizationsFeatures.html
func TestOrganizationsFeatures(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	admin := h.admin()
	dev, _ := h.newUserWithKey("dev")
	calls := map[string]func(c *awsiam.Client) error{
		"ListOrganizationsFeatures": func(c *awsiam.Client) error {
			_, err := c.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
			return err
		},
		"EnableOrganizationsRootCredentialsManagement": func(c *awsiam.Client) error {
			_, err := c.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{})
			return err
		},
		"DisableOrganizationsRootCredentialsManagement": func(c *awsiam.Client) error {
			_, err := c.DisableOrganizationsRootCredentialsManagement(ctx, &awsiam.DisableOrganizationsRootCredentialsManagementInput{})
			return err
		},
		"EnableOrganizationsRootSessions": func(c *awsiam.Client) error {
			_, err := c.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
			return err
		},
		"DisableOrganizationsRootSessions": func(c *awsiam.Client) error {
			_, err := c.DisableOrganizationsRootSessions(ctx, &awsiam.DisableOrganizationsRootSessionsInput{})
			return err
		},
	}
	for action, call := range calls {
		t.Run(action, func(t *testing.T) {
			err := call(admin)
			wantErrorStatus(t, err, "OrganizationNotFoundException", 400, "The request was rejected because no organization is associated with your account.")
			var nf *types.OrganizationNotFoundException
			if !errors.As(err, &nf) {
				t.Fatalf("SDK did not recognise OrganizationNotFoundException: %T", err)
			}
			wantErrorStatus(t, call(dev), "AccessDenied", 403, deniedMessage("dev", action))
		})
	}
}

// TestAccountAuthorizationDetails checks the snapshot against what was
// set up: users with groups, inline (URL-encoded), attached policies,
// tags and boundary; groups; roles with trust document and RoleLastUsed;
// customer policies with every version; AWS managed policies only when
// in use; the filter; and paging, by hand and with the SDK's paginator.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
func TestAccountAuthorizationDetails(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	const (
		inlineDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/a b+c&d=e?"}]}`
		sharedV2  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}`
	)
	shared := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("Shared"), Path: aws.String("/team/"), PolicyDocument: aws.String(allowGetUser), Description: aws.String("shared things")}))
	must[*awsiam.CreatePolicyVersionOutput](t)(a.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: shared.Policy.Arn, PolicyDocument: aws.String(sharedV2), SetAsDefault: true}))
	boundary := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("Boundary"), PolicyDocument: aws.String(allowGetUser)}))
	must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("Unused"), PolicyDocument: aws.String(allowGetUser)}))

	must[*awsiam.CreateGroupOutput](t)(a.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("Devs"), Path: aws.String("/eng/")}))
	must[*awsiam.PutGroupPolicyOutput](t)(a.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("Devs"), PolicyName: aws.String("devs-inline"), PolicyDocument: aws.String(allowGetUser)}))
	must[*awsiam.AttachGroupPolicyOutput](t)(a.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("Devs"), PolicyArn: shared.Policy.Arn}))

	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol"), Path: aws.String("/eng/"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}, PermissionsBoundary: boundary.Policy.Arn}))
	for _, g := range []string{"Devs", "Admins"} {
		must[*awsiam.AddUserToGroupOutput](t)(a.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String(g), UserName: aws.String("carol")}))
	}
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("carol-inline"), PolicyDocument: aws.String(inlineDoc)}))
	must[*awsiam.AttachUserPolicyOutput](t)(a.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))

	must[*awsiam.CreateRoleOutput](t)(a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustEC2), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}))
	must[*awsiam.PutRolePolicyOutput](t)(a.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("app-inline"), PolicyDocument: aws.String(inlineDoc)}))
	must[*awsiam.AttachRolePolicyOutput](t)(a.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}))
	must[*awsiam.AttachRolePolicyOutput](t)(a.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: shared.Policy.Arn}))

	decode := func(doc *string) string {
		t.Helper()
		s, err := url.QueryUnescape(aws.ToString(doc))
		if err != nil {
			t.Fatalf("document %q is not URL-encoded: %v", aws.ToString(doc), err)
		}
		return s
	}
	out := must[*awsiam.GetAccountAuthorizationDetailsOutput](t)(a.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{}))
	if out.IsTruncated || out.Marker != nil {
		t.Fatalf("one page expected: truncated %v marker %v", out.IsTruncated, out.Marker)
	}

	// Users, in name order.
	var names []string
	for _, u := range out.UserDetailList {
		names = append(names, aws.ToString(u.UserName))
	}
	if !slices.Equal(names, []string{"admin", "carol"}) {
		t.Fatalf("users = %v", names)
	}
	// A user without inline policies has no UserPolicyList at all, as
	// AWS answers (recorded:
	// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_account_authorization_details.snapshot.json).
	if admin := out.UserDetailList[0]; admin.UserPolicyList != nil || admin.GroupList == nil || admin.AttachedManagedPolicies == nil || admin.Tags == nil {
		t.Fatalf("admin = %+v", admin)
	}
	carol := out.UserDetailList[1]
	if aws.ToString(carol.Arn) != "arn:aws:iam::"+testAccount+":user/eng/carol" || aws.ToString(carol.Path) != "/eng/" || len(aws.ToString(carol.UserId)) != 21 || aws.ToString(carol.UserId)[:4] != "AIDA" || carol.CreateDate == nil {
		t.Fatalf("carol = %+v", carol)
	}
	if !slices.Equal(carol.GroupList, []string{"Devs", "Admins"}) {
		t.Fatalf("carol's groups = %v", carol.GroupList)
	}
	if len(carol.UserPolicyList) != 1 || aws.ToString(carol.UserPolicyList[0].PolicyName) != "carol-inline" || decode(carol.UserPolicyList[0].PolicyDocument) != inlineDoc {
		t.Fatalf("carol's inline policies = %+v", carol.UserPolicyList)
	}
	if len(carol.AttachedManagedPolicies) != 1 || aws.ToString(carol.AttachedManagedPolicies[0].PolicyName) != "ReadOnlyAccess" || aws.ToString(carol.AttachedManagedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Fatalf("carol's attached policies = %+v", carol.AttachedManagedPolicies)
	}
	if carol.PermissionsBoundary == nil || aws.ToString(carol.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(boundary.Policy.Arn) || carol.PermissionsBoundary.PermissionsBoundaryType != "Policy" { // AWS's answer, not the model's PermissionsBoundaryPolicy
		t.Fatalf("carol's boundary = %+v", carol.PermissionsBoundary)
	}
	if len(carol.Tags) != 1 || aws.ToString(carol.Tags[0].Key) != "team" || aws.ToString(carol.Tags[0].Value) != "blue" {
		t.Fatalf("carol's tags = %+v", carol.Tags)
	}

	// Groups.
	if len(out.GroupDetailList) != 2 || aws.ToString(out.GroupDetailList[0].GroupName) != "Admins" || aws.ToString(out.GroupDetailList[1].GroupName) != "Devs" {
		t.Fatalf("groups = %+v", out.GroupDetailList)
	}
	devs := out.GroupDetailList[1]
	if aws.ToString(devs.Arn) != "arn:aws:iam::"+testAccount+":group/eng/Devs" || aws.ToString(devs.GroupId)[:4] != "AGPA" ||
		len(devs.GroupPolicyList) != 1 || decode(devs.GroupPolicyList[0].PolicyDocument) != allowGetUser ||
		len(devs.AttachedManagedPolicies) != 1 || aws.ToString(devs.AttachedManagedPolicies[0].PolicyName) != "Shared" {
		t.Fatalf("Devs = %+v", devs)
	}

	// Roles.
	if len(out.RoleDetailList) != 1 {
		t.Fatalf("roles = %+v", out.RoleDetailList)
	}
	app := out.RoleDetailList[0]
	if aws.ToString(app.RoleName) != "app" || aws.ToString(app.RoleId)[:4] != "AROA" || decode(app.AssumeRolePolicyDocument) != trustEC2 ||
		len(app.RolePolicyList) != 1 || decode(app.RolePolicyList[0].PolicyDocument) != inlineDoc ||
		len(app.AttachedManagedPolicies) != 2 || app.InstanceProfileList == nil || len(app.InstanceProfileList) != 0 ||
		app.RoleLastUsed == nil || app.RoleLastUsed.LastUsedDate != nil ||
		app.PermissionsBoundary == nil || aws.ToString(app.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Fatalf("app = %+v", app)
	}

	// Policies: every customer managed policy, and of AWS's only those
	// attached or used as a boundary.
	type counts struct{ attached, boundary int32 }
	policies := map[string]types.ManagedPolicyDetail{}
	for _, p := range out.Policies {
		policies[aws.ToString(p.Arn)] = p
	}
	wantPolicies := map[string]counts{
		aws.ToString(shared.Policy.Arn):                  {2, 0},
		aws.ToString(boundary.Policy.Arn):                {0, 1},
		"arn:aws:iam::" + testAccount + ":policy/Unused": {0, 0},
		"arn:aws:iam::aws:policy/AdministratorAccess":    {1, 0},
		"arn:aws:iam::aws:policy/ReadOnlyAccess":         {1, 0},
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess": {1, 0},
		"arn:aws:iam::aws:policy/PowerUserAccess":        {0, 1},
	}
	if len(policies) != len(wantPolicies) {
		t.Fatalf("%d policies, want %d: %v", len(policies), len(wantPolicies), slices.Sorted(maps.Keys(policies)))
	}
	for arn, c := range wantPolicies {
		p, ok := policies[arn]
		if !ok {
			t.Fatalf("policy %s missing", arn)
		}
		if aws.ToInt32(p.AttachmentCount) != c.attached || aws.ToInt32(p.PermissionsBoundaryUsageCount) != c.boundary || !p.IsAttachable {
			t.Errorf("%s: attached %d boundary %d attachable %v, want %+v", arn, aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount), p.IsAttachable, c)
		}
		if aws.ToString(p.PolicyId)[:4] != "ANPA" || p.CreateDate == nil || p.UpdateDate == nil || len(p.PolicyVersionList) == 0 {
			t.Errorf("%s = %+v", arn, p)
		}
	}
	sp := policies[aws.ToString(shared.Policy.Arn)]
	if aws.ToString(sp.DefaultVersionId) != "v2" || aws.ToString(sp.Path) != "/team/" || aws.ToString(sp.Description) != "shared things" || len(sp.PolicyVersionList) != 2 {
		t.Fatalf("Shared = %+v", sp)
	}
	for _, v := range sp.PolicyVersionList {
		wantDoc, isDefault := allowGetUser, false
		if aws.ToString(v.VersionId) == "v2" {
			wantDoc, isDefault = sharedV2, true
		}
		if decode(v.Document) != wantDoc || v.IsDefaultVersion != isDefault {
			t.Errorf("Shared %s: default %v document %s", aws.ToString(v.VersionId), v.IsDefaultVersion, decode(v.Document))
		}
	}
	admin := policies["arn:aws:iam::aws:policy/AdministratorAccess"]
	if len(admin.PolicyVersionList) != 1 || !admin.PolicyVersionList[0].IsDefaultVersion || aws.ToString(admin.PolicyVersionList[0].VersionId) != aws.ToString(admin.DefaultVersionId) ||
		decode(admin.PolicyVersionList[0].Document) == "" || aws.ToString(admin.Path) != "/" {
		t.Fatalf("AdministratorAccess = %+v", admin)
	}

	t.Run("filter", func(t *testing.T) {
		for _, tc := range []struct {
			filter                         []types.EntityType
			users, groups, roles, policies int
		}{
			{[]types.EntityType{types.EntityTypeUser}, 2, 0, 0, 0},
			{[]types.EntityType{types.EntityTypeGroup, types.EntityTypeRole}, 0, 2, 1, 0},
			{[]types.EntityType{types.EntityTypeLocalManagedPolicy}, 0, 0, 0, 3},
			{[]types.EntityType{types.EntityTypeAWSManagedPolicy}, 0, 0, 0, 4},
		} {
			out := must[*awsiam.GetAccountAuthorizationDetailsOutput](t)(a.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: tc.filter}))
			if len(out.UserDetailList) != tc.users || len(out.GroupDetailList) != tc.groups || len(out.RoleDetailList) != tc.roles || len(out.Policies) != tc.policies {
				t.Errorf("%v: %d users %d groups %d roles %d policies", tc.filter, len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies))
			}
		}
	})

	t.Run("paging", func(t *testing.T) {
		total := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
		var got []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > total {
				t.Fatal("paging does not end")
			}
			page := must[*awsiam.GetAccountAuthorizationDetailsOutput](t)(a.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2), Marker: marker}))
			n := len(page.UserDetailList) + len(page.GroupDetailList) + len(page.RoleDetailList) + len(page.Policies)
			if n == 0 || n > 2 {
				t.Fatalf("page of %d items", n)
			}
			for _, u := range page.UserDetailList {
				got = append(got, *u.Arn)
			}
			for _, g := range page.GroupDetailList {
				got = append(got, *g.Arn)
			}
			for _, r := range page.RoleDetailList {
				got = append(got, *r.Arn)
			}
			for _, p := range page.Policies {
				got = append(got, *p.Arn)
			}
			if !page.IsTruncated {
				break
			}
			marker = page.Marker
		}
		var want []string
		for _, u := range out.UserDetailList {
			want = append(want, *u.Arn)
		}
		for _, g := range out.GroupDetailList {
			want = append(want, *g.Arn)
		}
		for _, r := range out.RoleDetailList {
			want = append(want, *r.Arn)
		}
		for _, p := range out.Policies {
			want = append(want, *p.Arn)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paged:\n%v\nwant\n%v", got, want)
		}

		p := awsiam.NewGetAccountAuthorizationDetailsPaginator(a, &awsiam.GetAccountAuthorizationDetailsInput{}, func(o *awsiam.GetAccountAuthorizationDetailsPaginatorOptions) { o.Limit = 3 })
		n := 0
		for p.HasMorePages() {
			page := must[*awsiam.GetAccountAuthorizationDetailsOutput](t)(p.NextPage(ctx))
			n += len(page.UserDetailList) + len(page.GroupDetailList) + len(page.RoleDetailList) + len(page.Policies)
		}
		if n != total {
			t.Fatalf("paginator saw %d items, want %d", n, total)
		}

		_, err := a.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Marker: aws.String("not base64!")})
		wantErrorStatus(t, err, "ValidationError", 400, "Invalid Marker.")
	})

	dev, _ := h.newUserWithKey("dev")
	_, err := dev.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{})
	wantErrorStatus(t, err, "AccessDenied", 403, deniedMessage("dev", "GetAccountAuthorizationDetails"))
}
