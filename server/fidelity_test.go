package server_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/iam"
)

// TestInvalidMarker: every list operation of users, groups, access keys,
// roles, policies, policy versions, tags and identity policies refuses a
// Marker it did not hand out with ValidationError "Invalid Marker." (400),
// never an empty page; the marker it did hand out works (the golden
// files page through each).
// AWS's answer: https://github.com/faiscadev/fakecloud/pull/1615
// ("Invalid Marker." ValidationError on IAM list operations) and
// https://github.com/trek10inc/awsets/pull/21 (a marker of another list
// is an "Invalid Marker" error).
func TestInvalidMarker(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))
	must[*awsiam.CreateGroupOutput](t)(a.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}))
	createRole(t, a, "app", "/")
	p := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})).Policy
	oidc := must[*awsiam.CreateOpenIDConnectProviderOutput](t)(a.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.example.com"), ThumbprintList: []string{"990f4193972f2becf12ddeda5237f9c952f20d9e"}})).OpenIDConnectProviderArn

	// Garbage, a value of the right alphabet that IAM never made, and
	// one that is not base64 at all.
	for _, m := range []string{"garbage", "AAAA", "not base64!"} {
		marker := aws.String(m)
		for _, tc := range []struct {
			op   string
			call func() error
		}{
			{"ListUsers", func() error { _, err := a.ListUsers(ctx, &awsiam.ListUsersInput{Marker: marker}); return err }},
			{"ListUserTags", func() error {
				_, err := a.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("alice"), Marker: marker})
				return err
			}},
			{"ListGroups", func() error { _, err := a.ListGroups(ctx, &awsiam.ListGroupsInput{Marker: marker}); return err }},
			{"GetGroup", func() error {
				_, err := a.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("devs"), Marker: marker})
				return err
			}},
			{"ListGroupsForUser", func() error {
				_, err := a.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("alice"), Marker: marker})
				return err
			}},
			{"ListAccessKeys", func() error {
				_, err := a.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("alice"), Marker: marker})
				return err
			}},
			{"ListRoles", func() error { _, err := a.ListRoles(ctx, &awsiam.ListRolesInput{Marker: marker}); return err }},
			{"ListRoleTags", func() error {
				_, err := a.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("app"), Marker: marker})
				return err
			}},
			{"ListPolicies", func() error { _, err := a.ListPolicies(ctx, &awsiam.ListPoliciesInput{Marker: marker}); return err }},
			{"ListPolicyVersions", func() error {
				_, err := a.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: p.Arn, Marker: marker})
				return err
			}},
			{"ListPolicyTags", func() error {
				_, err := a.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: p.Arn, Marker: marker})
				return err
			}},
			{"ListEntitiesForPolicy", func() error {
				_, err := a.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Arn, Marker: marker})
				return err
			}},
			{"ListAttachedUserPolicies", func() error {
				_, err := a.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("alice"), Marker: marker})
				return err
			}},
			{"ListAttachedGroupPolicies", func() error {
				_, err := a.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs"), Marker: marker})
				return err
			}},
			{"ListAttachedRolePolicies", func() error {
				_, err := a.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("app"), Marker: marker})
				return err
			}},
			{"ListUserPolicies", func() error {
				_, err := a.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: aws.String("alice"), Marker: marker})
				return err
			}},
			{"ListGroupPolicies", func() error {
				_, err := a.ListGroupPolicies(ctx, &awsiam.ListGroupPoliciesInput{GroupName: aws.String("devs"), Marker: marker})
				return err
			}},
			{"ListRolePolicies", func() error {
				_, err := a.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("app"), Marker: marker})
				return err
			}},
			{"ListOpenIDConnectProviderTags", func() error {
				_, err := a.ListOpenIDConnectProviderTags(ctx, &awsiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: oidc, Marker: marker})
				return err
			}},
		} {
			t.Run(tc.op+"/"+m, func(t *testing.T) {
				err := tc.call()
				wantErrorStatus(t, err, "ValidationError", 400, "Invalid Marker.")
			})
		}
	}
}

// TestReservedTagKeys: tag keys that begin with "aws:", in any case, are
// AWS's own; no taggable kind accepts them on create, tag or untag, and
// nothing is changed. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
// ("aws:" is reserved for AWS use); the answer is InvalidInput (400).
func TestReservedTagKeys(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	metadata, _ := newMetadata(t, "https://idp.example.com/saml")
	certKey := rsaKey(t, 0)
	certPEM, _ := makeCert(t, certKey, certSpec{cn: "www.example.com"})

	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))
	createRole(t, a, "app", "/")
	p := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})).Policy
	must[*awsiam.CreateInstanceProfileOutput](t)(a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	mfa := must[*awsiam.CreateVirtualMFADeviceOutput](t)(a.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})).VirtualMFADevice.SerialNumber
	saml := must[*awsiam.CreateSAMLProviderOutput](t)(a.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(metadata)})).SAMLProviderArn
	oidc := must[*awsiam.CreateOpenIDConnectProviderOutput](t)(a.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.example.com"), ThumbprintList: []string{"990f4193972f2becf12ddeda5237f9c952f20d9e"}})).OpenIDConnectProviderArn
	must[*awsiam.UploadServerCertificateOutput](t)(a.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("www"), CertificateBody: aws.String(certPEM), PrivateKey: aws.String(pemPrivate(t, certKey))}))

	for _, key := range []string{"aws:team", "AWS:team", "Aws:"} {
		tags := []types.Tag{{Key: aws.String("ok"), Value: aws.String("1")}, {Key: aws.String(key), Value: aws.String("x")}}
		keys := []string{key}
		for _, tc := range []struct {
			name string
			call func() error
		}{
			{"CreateUser", func() error {
				_, err := a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob"), Tags: tags})
				return err
			}},
			{"TagUser", func() error {
				_, err := a.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("alice"), Tags: tags})
				return err
			}},
			{"UntagUser", func() error {
				_, err := a.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("alice"), TagKeys: keys})
				return err
			}},
			{"CreateRole", func() error {
				_, err := a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(trust), Tags: tags})
				return err
			}},
			{"TagRole", func() error {
				_, err := a.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("app"), Tags: tags})
				return err
			}},
			{"UntagRole", func() error {
				_, err := a.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: keys})
				return err
			}},
			{"CreatePolicy", func() error {
				_, err := a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("other"), PolicyDocument: aws.String(doc), Tags: tags})
				return err
			}},
			{"TagPolicy", func() error {
				_, err := a.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: p.Arn, Tags: tags})
				return err
			}},
			{"UntagPolicy", func() error {
				_, err := a.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: p.Arn, TagKeys: keys})
				return err
			}},
			{"CreateInstanceProfile", func() error {
				_, err := a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("other"), Tags: tags})
				return err
			}},
			{"TagInstanceProfile", func() error {
				_, err := a.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: tags})
				return err
			}},
			{"CreateVirtualMFADevice", func() error {
				_, err := a.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("other"), Tags: tags})
				return err
			}},
			{"TagMFADevice", func() error {
				_, err := a.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: mfa, Tags: tags})
				return err
			}},
			{"CreateSAMLProvider", func() error {
				_, err := a.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Other"), SAMLMetadataDocument: aws.String(metadata), Tags: tags})
				return err
			}},
			{"TagSAMLProvider", func() error {
				_, err := a.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: saml, Tags: tags})
				return err
			}},
			{"CreateOpenIDConnectProvider", func() error {
				_, err := a.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://other.example.com"), Tags: tags})
				return err
			}},
			{"TagOpenIDConnectProvider", func() error {
				_, err := a.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, Tags: tags})
				return err
			}},
			{"UploadServerCertificate", func() error {
				_, err := a.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String("other"),
					CertificateBody: aws.String(certPEM), PrivateKey: aws.String(pemPrivate(t, certKey)), Tags: tags})
				return err
			}},
			{"TagServerCertificate", func() error {
				_, err := a.TagServerCertificate(ctx, &awsiam.TagServerCertificateInput{ServerCertificateName: aws.String("www"), Tags: tags})
				return err
			}},
		} {
			t.Run(fmt.Sprintf("%s/%s", tc.name, key), func(t *testing.T) {
				wantErrorStatus(t, tc.call(), "InvalidInput", 400, "Tag keys starting with 'aws:' are reserved for internal use")
			})
		}
	}
	// Nothing was created or tagged.
	if _, err := a.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("bob was created: %v", err)
	}
	for _, n := range []int{
		len(must[*awsiam.ListUserTagsOutput](t)(a.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("alice")})).Tags),
		len(must[*awsiam.ListRoleTagsOutput](t)(a.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("app")})).Tags),
		len(must[*awsiam.ListPolicyTagsOutput](t)(a.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: p.Arn})).Tags),
	} {
		if n != 0 {
			t.Fatalf("a refused request left %d tags", n)
		}
	}
	// "aws:" inside a key, or in a value, is no prefix.
	must[*awsiam.TagUserOutput](t)(a.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{
		{Key: aws.String("team:aws:x"), Value: aws.String("aws:y")}}}))
}

// TestShapesAsAWSAnswers: which members IAM puts in each answer, where
// AWS's recorded responses differ from what the model would allow
// (https://github.com/localstack/localstack/tree/main/tests/aws/services/iam,
// *.snapshot.json, recorded against AWS in 2026). The golden files hold
// the whole XML; this test pins the differences down.
func TestShapesAsAWSAnswers(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	boundary := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("boundary"), Description: aws.String("Caps"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})).Policy
	// CreatePolicy does not echo the description nor empty tags;
	// GetPolicy has both (test_policy_lifecycle, test_policy_tag_lifecycle).
	if boundary.Description != nil || boundary.Tags != nil {
		t.Errorf("CreatePolicy = description %v, tags %v", boundary.Description, boundary.Tags)
	}
	got := must[*awsiam.GetPolicyOutput](t)(a.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: boundary.Arn})).Policy
	if aws.ToString(got.Description) != "Caps" || got.Tags == nil {
		t.Errorf("GetPolicy = description %v, tags %v", got.Description, got.Tags)
	}
	managed := must[*awsiam.GetPolicyOutput](t)(a.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).Policy
	if managed.Tags == nil || len(managed.Tags) != 0 {
		t.Errorf("GetPolicy of an AWS managed policy: tags %v, want empty", managed.Tags)
	}

	// CreateRole: no Description, MaxSessionDuration or RoleLastUsed;
	// the boundary's type is "Policy" (test_create_role_defaults,
	// test_role_permissions_boundary_lifecycle, test_list_roles_pagination).
	created := must[*awsiam.CreateRoleOutput](t)(a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("Application"), PermissionsBoundary: boundary.Arn, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("")}}})).Role
	if created.Description != nil || created.MaxSessionDuration != nil || created.RoleLastUsed != nil {
		t.Errorf("CreateRole = description %v, max session %v, last used %v", created.Description, created.MaxSessionDuration, created.RoleLastUsed)
	}
	if created.PermissionsBoundary == nil || created.PermissionsBoundary.PermissionsBoundaryType != "Policy" {
		t.Errorf("CreateRole boundary = %+v", created.PermissionsBoundary)
	}
	// An empty tag value comes back as an empty Value (create-role-empty-tag-value).
	if len(created.Tags) != 1 || created.Tags[0].Value == nil || *created.Tags[0].Value != "" {
		t.Errorf("CreateRole tags = %+v", created.Tags)
	}
	// GetRole: all of them; RoleLastUsed empty before any use.
	role := must[*awsiam.GetRoleOutput](t)(a.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app")})).Role
	if aws.ToString(role.Description) != "Application" || aws.ToInt32(role.MaxSessionDuration) != 3600 || role.RoleLastUsed == nil || role.RoleLastUsed.LastUsedDate != nil ||
		role.PermissionsBoundary == nil || role.PermissionsBoundary.PermissionsBoundaryType != "Policy" || len(role.Tags) != 1 {
		t.Errorf("GetRole = %+v", role)
	}
	// ListRoles: description and maximum session, no tags, boundary or
	// RoleLastUsed.
	listed := must[*awsiam.ListRolesOutput](t)(a.ListRoles(ctx, &awsiam.ListRolesInput{})).Roles
	if len(listed) != 1 || aws.ToString(listed[0].Description) != "Application" || aws.ToInt32(listed[0].MaxSessionDuration) != 3600 ||
		listed[0].Tags != nil || listed[0].PermissionsBoundary != nil || listed[0].RoleLastUsed != nil {
		t.Errorf("ListRoles = %+v", listed)
	}
	// UpdateRoleDescription: the role without MaxSessionDuration and
	// RoleLastUsed (test_update_role).
	updated := must[*awsiam.UpdateRoleDescriptionOutput](t)(a.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("app"), Description: aws.String("Again")})).Role
	if aws.ToString(updated.Description) != "Again" || updated.MaxSessionDuration != nil || updated.RoleLastUsed != nil {
		t.Errorf("UpdateRoleDescription = %+v", updated)
	}

	// ListUsers and GetGroup leave the boundary and tags out; GetUser
	// has them.
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"), PermissionsBoundary: boundary.Arn,
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	must[*awsiam.CreateGroupOutput](t)(a.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}))
	must[*awsiam.AddUserToGroupOutput](t)(a.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	user := must[*awsiam.GetUserOutput](t)(a.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")})).User
	if user.PermissionsBoundary == nil || user.PermissionsBoundary.PermissionsBoundaryType != "Policy" || len(user.Tags) != 1 {
		t.Errorf("GetUser = %+v", user)
	}
	for _, u := range must[*awsiam.ListUsersOutput](t)(a.ListUsers(ctx, &awsiam.ListUsersInput{})).Users {
		if u.PermissionsBoundary != nil || u.Tags != nil {
			t.Errorf("ListUsers member = %+v", u)
		}
	}
	for _, u := range must[*awsiam.GetGroupOutput](t)(a.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("devs")})).Users {
		if u.PermissionsBoundary != nil || u.Tags != nil {
			t.Errorf("GetGroup member = %+v", u)
		}
	}
	// Removing a user that is not in the group succeeds
	// (remove-nonmember-user-from-group); the user is looked for first.
	must[*awsiam.RemoveUserFromGroupOutput](t)(a.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	must[*awsiam.RemoveUserFromGroupOutput](t)(a.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	_, err := a.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("non-existent-group"), UserName: aws.String("any-user")})
	wantErrorStatus(t, err, "NoSuchEntity", 404, "The user with name any-user cannot be found.")
	_, err = a.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("non-existent-group"), UserName: aws.String("alice")})
	wantErrorStatus(t, err, "NoSuchEntity", 404, "The group with name non-existent-group cannot be found.")

	// A PolicyArn that is no ARN (test_role_managed_policy_errors), and a
	// boundary that is no policy ARN (test_role_permissions_boundary_errors).
	_, err = a.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("longpolicynamebutnoarn")})
	wantErrorStatus(t, err, "ValidationError", 400, "ARN longpolicynamebutnoarn is not valid.")
	bad := "arn:aws:iam::" + testAccount + ":not_a_policy/invalid"
	_, err = a.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: aws.String(bad)})
	wantErrorStatus(t, err, "InvalidInput", 400, "ARN "+bad+" is not valid.")
	_, err = a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(trust), PermissionsBoundary: aws.String(bad)})
	wantErrorStatus(t, err, "InvalidInput", 400, "ARN "+bad+" is not valid.")
	nothing := "arn:aws:iam::" + testAccount + ":policy/nonexistent-policy"
	_, err = a.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: aws.String(nothing)})
	wantErrorStatus(t, err, "NoSuchEntity", 404, "Scope ARN: "+nothing+" does not exist or is not attachable.")

	// A version of a policy that does not exist (test_policy_version_errors).
	ghost := "arn:aws:iam::" + testAccount + ":policy/TestNonExistingPolicy"
	_, err = a.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(ghost), VersionId: aws.String("v1")})
	wantErrorStatus(t, err, "NoSuchEntity", 404, "Policy "+ghost+" version v1 does not exist or is not attachable.")
	_, err = a.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(ghost), VersionId: aws.String("v1")})
	wantErrorStatus(t, err, "NoSuchEntity", 404, "Policy "+ghost+" version v1 does not exist or is not attachable.")

	// GetAccessKeyLastUsed of a key that is not the account's: AccessDenied
	// naming the key (test_access_key_errors).
	_, err = a.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	wantErrorStatus(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/admin is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE")
}

// TestTrustPrincipals: a trust policy may name only IAM users and roles
// that exist; IAM binds them to their unique IDs, and once one is
// deleted the policy shows the ID instead of the ARN, also after the
// name is used again.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_policy-examples.html#example-delegate-xaccount-rolesapi
// Recorded: MalformedPolicyDocument "Invalid principal in policy:
// "AWS":"arn:aws:iam::959325414060:role/bk-1588-092-a-eks-nodes""
// (https://github.com/opstrace/opstrace/issues/88).
func TestTrustPrincipals(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	const other = "444455556666"
	otherAdmin, err := h.svc.Bootstrap(ctx, iam.Bootstrap{Account: other, RootPassword: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	b := h.client(aws.Credentials{AccessKeyID: otherAdmin.AccessKeyID, SecretAccessKey: otherAdmin.SecretAccessKey})
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/team/")}))
	createRole(t, a, "ci", "/")
	createRole(t, b, "deployer", "/")

	trust := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
	}
	acct := "arn:aws:iam::" + testAccount + ":"
	notPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"` + acct + `role/gone"},"Action":"sts:AssumeRole"}]}`
	for _, tc := range []struct {
		name, doc, invalid string // invalid: the value IAM names, "" if accepted
	}{
		{"this account's user", trust(`{"AWS":"` + acct + `user/team/alice"}`), ""},
		{"this account's role", trust(`{"AWS":["` + acct + `role/ci"]}`), ""},
		{"a user that does not exist", trust(`{"AWS":"` + acct + `user/nobody"}`), acct + "user/nobody"},
		{"a role that does not exist", trust(`{"AWS":"` + acct + `role/nobody"}`), acct + "role/nobody"},
		{"a user under another path", trust(`{"AWS":"` + acct + `user/alice"}`), acct + "user/alice"},
		{"one of several", trust(`{"AWS":["` + acct + `role/ci","` + acct + `role/gone"]}`), acct + "role/gone"},
		{"NotPrincipal too", notPrincipal, acct + "role/gone"},
		{"another account on this server", trust(`{"AWS":"arn:aws:iam::` + other + `:role/deployer"}`), ""},
		{"another account's missing role", trust(`{"AWS":"arn:aws:iam::` + other + `:role/nobody"}`), "arn:aws:iam::" + other + ":role/nobody"},
		{"an account this server does not hold", trust(`{"AWS":"arn:aws:iam::999988887777:role/anything"}`), ""},
		{"an account ID", trust(`{"AWS":"999988887777"}`), ""},
		{"a root", trust(`{"AWS":"` + acct + `root"}`), ""},
		{"a role session", trust(`{"AWS":"arn:aws:sts::` + testAccount + `:assumed-role/nobody/s"}`), ""},
		{"a service", trust(`{"Service":"ec2.amazonaws.com"}`), ""},
		{"everyone", trust(`{"AWS":"*"}`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(tc.doc)})
			_, uerr := a.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ci"), PolicyDocument: aws.String(tc.doc)})
			if tc.invalid == "" {
				if err != nil || uerr != nil {
					t.Fatalf("CreateRole: %v; UpdateAssumeRolePolicy: %v", err, uerr)
				}
				must[*awsiam.DeleteRoleOutput](t)(a.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r")}))
				return
			}
			msg := `Invalid principal in policy: "AWS":"` + tc.invalid + `"`
			wantErrorStatus(t, err, "MalformedPolicyDocument", 400, msg)
			wantErrorStatus(t, uerr, "MalformedPolicyDocument", 400, msg)
			if _, err := a.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")}); apiCode(err) != "NoSuchEntity" {
				t.Fatalf("refused role was created: %v", err)
			}
		})
	}

	// Bound principals show as their unique IDs once deleted, and stay
	// so when the name is used again.
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}))
	bobID := aws.ToString(must[*awsiam.GetUserOutput](t)(a.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})).User.UserId)
	deployerID := aws.ToString(must[*awsiam.GetRoleOutput](t)(b.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("deployer")})).Role.RoleId)
	doc := trust(`{"AWS":["` + acct + `user/bob","arn:aws:iam::` + other + `:role/deployer","` + acct + `role/ci"]}`)
	must[*awsiam.CreateRoleOutput](t)(a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(doc)}))
	shown := func() string {
		t.Helper()
		out := must[*awsiam.GetRoleOutput](t)(a.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app")}))
		d, err := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if got := shown(); got != doc {
		t.Fatalf("trust while all exist = %s", got)
	}
	must[*awsiam.DeleteUserOutput](t)(a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("bob")}))
	must[*awsiam.DeleteRoleOutput](t)(b.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("deployer")}))
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}))
	want := trust(`{"AWS":["` + bobID + `","` + deployerID + `","` + acct + `role/ci"]}`)
	if got := shown(); got != want {
		t.Fatalf("trust after deletion = %s\nwant %s", got, want)
	}
	h.restart()
	a = h.admin()
	if got := shown(); got != want {
		t.Fatalf("trust after restart = %s\nwant %s", got, want)
	}
	// Saving the policy again binds the new bob.
	must[*awsiam.UpdateAssumeRolePolicyOutput](t)(a.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"),
		PolicyDocument: aws.String(trust(`{"AWS":"` + acct + `user/bob"}`))}))
	if got := shown(); got != trust(`{"AWS":"`+acct+`user/bob"}`) {
		t.Fatalf("trust saved again = %s", got)
	}
}
