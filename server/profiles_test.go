package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func createRole(t *testing.T, a *awsiam.Client, name, path string) *types.Role {
	t.Helper()
	in := &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ec2Trust)}
	if path != "" {
		in.Path = aws.String(path)
	}
	return must[*awsiam.CreateRoleOutput](t)(a.CreateRole(context.Background(), in)).Role
}

// putUserPolicy gives a user one inline policy.
func putUserPolicy(t *testing.T, a *awsiam.Client, user, doc string) {
	t.Helper()
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(context.Background(), &awsiam.PutUserPolicyInput{
		UserName: aws.String(user), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc),
	}))
}

// TestInstanceProfiles walks an instance profile through its life: the
// values AWS returns, one role at most, the role shown in full, tags,
// listing, the delete conflicts on both sides, and persistence.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html
func TestInstanceProfiles(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	before := time.Now().Add(-time.Second)

	created := must[*awsiam.CreateInstanceProfileOutput](t)(a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{
		InstanceProfileName: aws.String("web"), Path: aws.String("/app/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})).InstanceProfile
	if !regexp.MustCompile(`^AIPA[A-Z2-7]{17}$`).MatchString(*created.InstanceProfileId) {
		t.Errorf("InstanceProfileId = %s", *created.InstanceProfileId)
	}
	if *created.Arn != "arn:aws:iam::"+testAccount+":instance-profile/app/web" || *created.Path != "/app/" || *created.InstanceProfileName != "web" {
		t.Errorf("created = %+v", created)
	}
	if created.CreateDate.Before(before) || len(created.Roles) != 0 || len(created.Tags) != 1 {
		t.Errorf("created = %+v", created)
	}
	plain := must[*awsiam.CreateInstanceProfileOutput](t)(a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("batch")})).InstanceProfile
	if *plain.Path != "/" || *plain.Arn != "arn:aws:iam::"+testAccount+":instance-profile/batch" {
		t.Errorf("default path: %+v", plain)
	}

	role := createRole(t, a, "WebRole", "/app/")
	other := createRole(t, a, "Other", "")
	must[*awsiam.AddRoleToInstanceProfileOutput](t)(a.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("webrole")}))

	got := must[*awsiam.GetInstanceProfileOutput](t)(a.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("WEB")})).InstanceProfile
	if len(got.Roles) != 1 || *got.Roles[0].RoleId != *role.RoleId || *got.Roles[0].Arn != "arn:aws:iam::"+testAccount+":role/app/WebRole" || *got.Roles[0].Path != "/app/" {
		t.Fatalf("roles = %+v", got.Roles)
	}
	if doc, err := url.QueryUnescape(*got.Roles[0].AssumeRolePolicyDocument); err != nil || doc != ec2Trust {
		t.Errorf("AssumeRolePolicyDocument = %q (%v), want it URL-encoded", *got.Roles[0].AssumeRolePolicyDocument, err)
	}
	if len(got.Tags) != 1 || *got.Tags[0].Key != "team" {
		t.Errorf("tags = %+v", got.Tags)
	}

	for _, tc := range []struct {
		name, code, msg string
		call            func() error
	}{
		{"second role", "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", func() error {
			_, err := a.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("Other")})
			return err
		}},
		{"same role again", "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", func() error {
			_, err := a.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("WebRole")})
			return err
		}},
		{"no such role to add", "NoSuchEntity", "The role with name ghost cannot be found.", func() error {
			_, err := a.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("batch"), RoleName: aws.String("ghost")})
			return err
		}},
		{"no such profile", "NoSuchEntity", "Instance Profile ghost cannot be found.", func() error {
			_, err := a.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("ghost")})
			return err
		}},
		{"exists, names ignore case", "EntityAlreadyExists", "Instance Profile Web already exists.", func() error {
			_, err := a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("Web")})
			return err
		}},
		{"delete profile with a role", "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", func() error {
			_, err := a.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
			return err
		}},
		{"delete role in a profile", "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", func() error {
			_, err := a.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("WebRole")})
			return err
		}},
		// AWS's recorded answers:
		// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_instance_profiles.snapshot.json
		{"remove a role the profile does not have", "NoSuchEntity", "Role Other in Instance Profile web cannot be found.", func() error {
			_, err := a.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("Other")})
			return err
		}},
		{"remove a role that does not exist", "NoSuchEntity", "The role with name nobody cannot be found.", func() error {
			_, err := a.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("nobody")})
			return err
		}},
		{"duplicate tag keys", "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", func() error {
			_, err := a.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []types.Tag{
				{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")},
			}})
			return err
		}},
		{"tag a missing profile", "NoSuchEntity", "Instance Profile ghost cannot be found.", func() error {
			_, err := a.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("ghost"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.call(), tc.code, tc.msg) })
	}

	t.Run("tags", func(t *testing.T) {
		var many []types.Tag
		for i := range 50 {
			many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		_, err := a.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: many})
		wantError(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
		must[*awsiam.TagInstanceProfileOutput](t)(a.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []types.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("red")}, {Key: aws.String("env"), Value: aws.String("prod")},
		}}))
		must[*awsiam.UntagInstanceProfileOutput](t)(a.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"env", "absent"}}))
		tags := must[*awsiam.ListInstanceProfileTagsOutput](t)(a.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")}))
		if len(tags.Tags) != 1 || *tags.Tags[0].Key != "TEAM" || *tags.Tags[0].Value != "red" || tags.IsTruncated {
			t.Fatalf("tags = %+v", tags.Tags)
		}
	})

	t.Run("list", func(t *testing.T) {
		must[*awsiam.CreateInstanceProfileOutput](t)(a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("api"), Path: aws.String("/app/")}))
		var names []string
		p := awsiam.NewListInstanceProfilesPaginator(a, &awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("/app/"), MaxItems: aws.Int32(1)})
		for p.HasMorePages() {
			page := must[*awsiam.ListInstanceProfilesOutput](t)(p.NextPage(ctx))
			for _, ip := range page.InstanceProfiles {
				names = append(names, *ip.InstanceProfileName)
				if len(ip.Tags) != 0 {
					t.Errorf("ListInstanceProfiles returns tags: %+v", ip.Tags)
				}
				if *ip.InstanceProfileName == "web" && (len(ip.Roles) != 1 || *ip.Roles[0].RoleName != "WebRole") {
					t.Errorf("web roles = %+v", ip.Roles)
				}
			}
		}
		if strings.Join(names, ",") != "api,web" {
			t.Fatalf("profiles under /app/ = %v", names)
		}
		all := must[*awsiam.ListInstanceProfilesOutput](t)(a.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{}))
		if len(all.InstanceProfiles) != 3 {
			t.Fatalf("all profiles = %d", len(all.InstanceProfiles))
		}
		forRole := must[*awsiam.ListInstanceProfilesForRoleOutput](t)(a.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("WebRole")}))
		if len(forRole.InstanceProfiles) != 1 || *forRole.InstanceProfiles[0].InstanceProfileName != "web" {
			t.Fatalf("profiles for WebRole = %+v", forRole.InstanceProfiles)
		}
		none := must[*awsiam.ListInstanceProfilesForRoleOutput](t)(a.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("Other")}))
		if len(none.InstanceProfiles) != 0 {
			t.Fatalf("profiles for Other = %+v", none.InstanceProfiles)
		}
		_, err := a.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ghost")})
		wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
	})

	// Everything survives a restart.
	h.restart()
	a = h.admin()
	got = must[*awsiam.GetInstanceProfileOutput](t)(a.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})).InstanceProfile
	if *got.InstanceProfileId != *created.InstanceProfileId || len(got.Roles) != 1 || *got.Roles[0].RoleName != "WebRole" || len(got.Tags) != 1 {
		t.Fatalf("after restart = %+v", got)
	}

	// Take the role out: now both can be deleted, in either order.
	must[*awsiam.RemoveRoleFromInstanceProfileOutput](t)(a.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("WebRole")}))
	_, err := a.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("WebRole")})
	wantCode(t, err, "NoSuchEntity")
	must[*awsiam.AddRoleToInstanceProfileOutput](t)(a.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("Other")}))
	must[*awsiam.DeleteRoleOutput](t)(a.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("WebRole")}))
	must[*awsiam.RemoveRoleFromInstanceProfileOutput](t)(a.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("Other")}))
	must[*awsiam.DeleteInstanceProfileOutput](t)(a.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	_, err = a.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantError(t, err, "NoSuchEntity", "Instance Profile web cannot be found.")
	_, err = a.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantError(t, err, "NoSuchEntity", "Instance Profile web cannot be found.")
	_ = other
}

// TestInstanceProfileAuthorization checks that each operation asks for
// its own action on the instance-profile ARN, before it says whether the
// profile exists, and that adding a role also needs iam:PassRole on it.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
func TestInstanceProfileAuthorization(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateInstanceProfileOutput](t)(a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web"), Path: aws.String("/app/")}))
	createRole(t, a, "WebRole", "/svc/")
	dev, _ := h.newUserWithKey("dev")
	denied := func(action, resource string) string {
		return "User: arn:aws:iam::" + testAccount + ":user/dev is not authorized to perform: iam:" + action + " on resource: " + resource + " because no identity-based policy allows the iam:" + action + " action"
	}
	profileARN := "arn:aws:iam::" + testAccount + ":instance-profile/app/web"

	_, err := dev.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantError(t, err, "AccessDenied", denied("GetInstanceProfile", profileARN))
	_, err = dev.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("ghost")})
	wantError(t, err, "AccessDenied", denied("GetInstanceProfile", "arn:aws:iam::"+testAccount+":instance-profile/ghost"))
	_, err = dev.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("x"), Path: aws.String("/p/")})
	wantError(t, err, "AccessDenied", denied("CreateInstanceProfile", "arn:aws:iam::"+testAccount+":instance-profile/p/x"))
	_, err = dev.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{})
	wantError(t, err, "AccessDenied", denied("ListInstanceProfiles", "arn:aws:iam::"+testAccount+":instance-profile/"))

	// Allowed to add roles to profiles, but not to pass this role.
	putUserPolicy(t, a, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:AddRoleToInstanceProfile","iam:GetInstanceProfile"],"Resource":"arn:aws:iam::*:instance-profile/app/*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringLike":{"iam:AssociatedResourceArn":"arn:aws:ec2:*:*:instance/*"}}},
		{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/svc/Secret"}]}`)
	createRole(t, a, "Secret", "/svc/")
	_, err = dev.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("Secret")})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/dev is not authorized to perform: iam:PassRole on resource: arn:aws:iam::"+testAccount+":role/svc/Secret with an explicit deny in an identity-based policy")
	must[*awsiam.AddRoleToInstanceProfileOutput](t)(dev.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("WebRole")}))
	got := must[*awsiam.GetInstanceProfileOutput](t)(dev.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	if len(got.InstanceProfile.Roles) != 1 {
		t.Fatalf("roles = %+v", got.InstanceProfile.Roles)
	}
	// Tags are resource tags in later decisions.
	must[*awsiam.TagInstanceProfileOutput](t)(a.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []types.Tag{{Key: aws.String("locked"), Value: aws.String("yes")}}}))
	putUserPolicy(t, a, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetInstanceProfile","Resource":"*"},
		{"Effect":"Deny","Action":"iam:GetInstanceProfile","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/locked":"yes"}}}]}`)
	_, err = dev.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantCode(t, err, "AccessDenied")
}

// TestServiceLinkedRoles creates, protects and deletes service-linked
// roles as IAM does.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
func TestServiceLinkedRoles(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()

	out := must[*awsiam.CreateServiceLinkedRoleOutput](t)(a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{
		AWSServiceName: aws.String("autoscaling.amazonaws.com"), Description: aws.String("Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling"),
	})).Role
	if *out.RoleName != "AWSServiceRoleForAutoScaling" || *out.Path != "/aws-service-role/autoscaling.amazonaws.com/" ||
		*out.Arn != "arn:aws:iam::"+testAccount+":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" ||
		!strings.HasPrefix(*out.RoleId, "AROA") || *out.MaxSessionDuration != 3600 || !strings.HasPrefix(*out.Description, "Default Service-Linked Role") {
		t.Fatalf("role = %+v", out)
	}
	// The path is reserved for service-linked roles.
	// https://github.com/tilfin/aws-iam-policy-tool/pull/9 (AWS's answer)
	_, err := a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Impostor"), Path: aws.String("/aws-service-role/autoscaling.amazonaws.com/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"autoscaling.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	wantError(t, err, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles")
	doc, _ := url.QueryUnescape(*out.AssumeRolePolicyDocument)
	if doc != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"autoscaling.amazonaws.com"},"Action":"sts:AssumeRole"}]}` {
		t.Errorf("trust = %s", doc)
	}
	attached := must[*awsiam.ListAttachedRolePoliciesOutput](t)(a.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: out.RoleName}))
	if len(attached.AttachedPolicies) != 1 || *attached.AttachedPolicies[0].PolicyArn != "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy" {
		t.Errorf("attached = %+v", attached.AttachedPolicies)
	}
	suffixed := must[*awsiam.CreateServiceLinkedRoleOutput](t)(a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{
		AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("mysuffix"),
	})).Role
	if *suffixed.RoleName != "AWSServiceRoleForAutoScaling_mysuffix" {
		t.Errorf("suffixed name = %s", *suffixed.RoleName)
	}
	ecs := must[*awsiam.CreateServiceLinkedRoleOutput](t)(a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})).Role
	if *ecs.RoleName != "AWSServiceRoleForECS" {
		t.Errorf("ecs role = %s", *ecs.RoleName)
	}
	createRole(t, a, "Plain", "")

	const protected = "Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling' - this role is only modifiable by AWS"
	slr := aws.String("AWSServiceRoleForAutoScaling")
	must[*awsiam.CreateInstanceProfileOutput](t)(a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
	for _, tc := range []struct {
		name, code, msg string
		call            func() error
	}{
		{"taken", "InvalidInput", "Service role name AWSServiceRoleForAutoScaling has been taken in this account, please try a different suffix.", func() error {
			_, err := a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")})
			return err
		}},
		{"suffix not allowed", "InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com", func() error {
			_, err := a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com"), CustomSuffix: aws.String("two")})
			return err
		}},
		{"suffix makes the name too long", "ValidationError", "1 validation error detected: Value 'AWSServiceRoleForAutoScaling_" + strings.Repeat("x", 40) + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64", func() error {
			_, err := a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String(strings.Repeat("x", 40))})
			return err
		}},
		{"unknown service", "InvalidInput", "", func() error {
			_, err := a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("nothing.amazonaws.com")})
			return err
		}},
		{"service principals are case-sensitive", "InvalidInput", "", func() error {
			_, err := a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("AutoScaling.amazonaws.com")})
			return err
		}},
		{"update trust", "UnmodifiableEntity", protected, func() error {
			_, err := a.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: slr, PolicyDocument: aws.String(ec2Trust)})
			return err
		}},
		{"put inline", "UnmodifiableEntity", protected, func() error {
			_, err := a.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: slr, PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
			return err
		}},
		{"delete inline", "UnmodifiableEntity", protected, func() error {
			_, err := a.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: slr, PolicyName: aws.String("p")})
			return err
		}},
		{"attach", "UnmodifiableEntity", protected, func() error {
			_, err := a.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: slr, PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		}},
		{"detach", "UnmodifiableEntity", protected, func() error {
			_, err := a.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: slr, PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy")})
			return err
		}},
		{"delete role", "UnmodifiableEntity", protected, func() error {
			_, err := a.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: slr})
			return err
		}},
		{"add to instance profile", "UnmodifiableEntity", protected, func() error {
			_, err := a.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: slr})
			return err
		}},
		{"delete a role that is not service-linked", "NoSuchEntity", "", func() error {
			_, err := a.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("Plain")})
			return err
		}},
		{"delete a missing role", "NoSuchEntity", "The role with name ghost cannot be found.", func() error {
			_, err := a.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("ghost")})
			return err
		}},
		{"unknown task", "NoSuchEntity", "", func() error {
			_, err := a.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/00000000-0000-4000-8000-000000000000")})
			return err
		}},
		{"malformed task", "InvalidInput", "", func() error {
			_, err := a.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("nonsense")})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.call(), tc.code, tc.msg) })
	}
	// The description and tags remain the caller's.
	must[*awsiam.UpdateRoleDescriptionOutput](t)(a.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: slr, Description: aws.String("mine")}))
	must[*awsiam.TagRoleOutput](t)(a.TagRole(ctx, &awsiam.TagRoleInput{RoleName: slr, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))

	// Deletion: a task ID in AWS's form, the role gone, the task kept.
	del := must[*awsiam.DeleteServiceLinkedRoleOutput](t)(a.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: slr}))
	if !regexp.MustCompile(`^task/aws-service-role/autoscaling\.amazonaws\.com/AWSServiceRoleForAutoScaling/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(*del.DeletionTaskId) {
		t.Fatalf("DeletionTaskId = %s", *del.DeletionTaskId)
	}
	_, err = a.GetRole(ctx, &awsiam.GetRoleInput{RoleName: slr})
	wantCode(t, err, "NoSuchEntity")
	status := must[*awsiam.GetServiceLinkedRoleDeletionStatusOutput](t)(a.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId}))
	if status.Status != types.DeletionTaskStatusTypeSucceeded || status.Reason != nil {
		t.Fatalf("status = %+v", status)
	}
	// The service-linked roles, ordinary roles among them, persist, and so does the task.
	h.restart()
	a = h.admin()
	status = must[*awsiam.GetServiceLinkedRoleDeletionStatusOutput](t)(a.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId}))
	if status.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("status after restart = %+v", status)
	}
	_, err = a.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantCode(t, err, "UnmodifiableEntity")
	// The same name can be created again once deleted.
	must[*awsiam.CreateServiceLinkedRoleOutput](t)(a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}))
}

// TestServiceLinkedRoleAuthorization checks iam:CreateServiceLinkedRole
// on the role ARN with the iam:AWSServiceName key, as the IAM User
// Guide's example policy uses it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html#service-linked-role-permissions
func TestServiceLinkedRoleAuthorization(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	dev, _ := h.newUserWithKey("dev")
	putUserPolicy(t, a, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/*","Condition":{"StringLike":{"iam:AWSServiceName":"autoscaling.amazonaws.com"}}},
		{"Effect":"Allow","Action":["iam:DeleteServiceLinkedRole","iam:GetServiceLinkedRoleDeletionStatus"],"Resource":"arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/*"}]}`)
	must[*awsiam.CreateServiceLinkedRoleOutput](t)(dev.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}))
	_, err := dev.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/dev is not authorized to perform: iam:CreateServiceLinkedRole on resource: arn:aws:iam::"+testAccount+":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS because no identity-based policy allows the iam:CreateServiceLinkedRole action")
	del := must[*awsiam.DeleteServiceLinkedRoleOutput](t)(dev.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForAutoScaling")}))
	must[*awsiam.GetServiceLinkedRoleDeletionStatusOutput](t)(dev.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId}))
	must[*awsiam.CreateServiceLinkedRoleOutput](t)(a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))
	_, err = dev.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/dev is not authorized to perform: iam:DeleteServiceLinkedRole on resource: arn:aws:iam::"+testAccount+":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS because no identity-based policy allows the iam:DeleteServiceLinkedRole action")
}

// TestPolicyTags tags customer managed policies; AWS managed policies
// cannot be tagged. Unlike users' and roles', a policy's tag keys are
// case sensitive ("a" and "A" are two tags; untagging "a" leaves "A"),
// and ListPolicyTags lists them sorted by key, as AWS's recorded answers
// show (test_policy_tag_lifecycle, test_policy_tag_operations:
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_policies.snapshot.json).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags_customer-managed-policies.html
func TestPolicyTags(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	p := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String("ReadLogs"), Path: aws.String("/ops/"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Get*","Resource":"*"}]}`),
		Tags:           []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})).Policy
	must[*awsiam.TagPolicyOutput](t)(a.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{
		{Key: aws.String("Team"), Value: aws.String("red")}, {Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("tmp"), Value: aws.String("x")},
	}}))
	must[*awsiam.UntagPolicyOutput](t)(a.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: p.Arn, TagKeys: []string{"TMP"}}))
	must[*awsiam.UntagPolicyOutput](t)(a.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: p.Arn, TagKeys: []string{"tmp"}}))
	_, err := a.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}})
	wantError(t, err, "InvalidInput", "Duplicate tag keys found.")
	page := must[*awsiam.ListPolicyTagsOutput](t)(a.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: p.Arn, MaxItems: aws.Int32(1)}))
	if len(page.Tags) != 1 || *page.Tags[0].Key != "Team" || *page.Tags[0].Value != "red" || !page.IsTruncated {
		t.Fatalf("first page = %+v", page)
	}
	page = must[*awsiam.ListPolicyTagsOutput](t)(a.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: p.Arn, Marker: page.Marker}))
	if len(page.Tags) != 2 || *page.Tags[0].Key != "env" || *page.Tags[1].Key != "team" || *page.Tags[1].Value != "blue" || page.IsTruncated {
		t.Fatalf("second page = %+v", page)
	}
	got := must[*awsiam.GetPolicyOutput](t)(a.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: p.Arn})).Policy
	if len(got.Tags) != 3 {
		t.Errorf("GetPolicy tags = %+v", got.Tags)
	}

	admin := aws.String("arn:aws:iam::aws:policy/AdministratorAccess")
	var many []types.Tag
	for i := range 49 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	for _, tc := range []struct {
		name, code, msg string
		call            func() error
	}{
		{"tag an AWS managed policy", "InvalidInput", "Tags not supported for policies in this domain", func() error {
			_, err := a.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: admin, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
			return err
		}},
		{"untag an AWS managed policy", "InvalidInput", "Tags not supported for policies in this domain", func() error {
			_, err := a.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: admin, TagKeys: []string{"a"}})
			return err
		}},
		{"list tags of an AWS managed policy", "InvalidInput", "Tags not supported for policies in this domain", func() error {
			_, err := a.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: admin})
			return err
		}},
		{"no such policy", "NoSuchEntity", "Policy arn:aws:iam::" + testAccount + ":policy/ghost was not found.", func() error {
			_, err := a.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/ghost"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
			return err
		}},
		{"more than 50 tags", "LimitExceeded", "The number of tags has reached the maximum limit.", func() error {
			_, err := a.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: p.Arn, Tags: many})
			return err
		}},
		{"duplicate keys", "InvalidInput", "Duplicate tag keys found.", func() error {
			_, err := a.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{{Key: aws.String("x"), Value: aws.String("1")}, {Key: aws.String("x"), Value: aws.String("2")}}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.call(), tc.code, tc.msg) })
	}

	// Tag conditions: aws:RequestTag and aws:ResourceTag.
	dev, _ := h.newUserWithKey("dev")
	_, err = dev.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: p.Arn})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/dev is not authorized to perform: iam:ListPolicyTags on resource: "+*p.Arn+" because no identity-based policy allows the iam:ListPolicyTags action")
	putUserPolicy(t, a, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:TagPolicy","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/owner":"dev","aws:ResourceTag/env":"prod"}}}]}`)
	must[*awsiam.TagPolicyOutput](t)(dev.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("dev")}}}))
	_, err = dev.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("ops")}}})
	wantCode(t, err, "AccessDenied")

	h.restart()
	a = h.admin()
	all := must[*awsiam.ListPolicyTagsOutput](t)(a.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: p.Arn}))
	if len(all.Tags) != 4 {
		t.Fatalf("tags after restart = %+v", all.Tags)
	}
}

// TestListEntitiesForPolicy lists who uses a managed policy, with each
// filter, across pages, for customer and AWS managed policies.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html
func TestListEntitiesForPolicy(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	p := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName:     aws.String("Shared"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`),
	})).Policy
	must[*awsiam.CreateGroupOutput](t)(a.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/eng/")}))
	must[*awsiam.AttachGroupPolicyOutput](t)(a.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: p.Arn}))
	for _, u := range []struct{ name, path string }{{"alice", "/eng/"}, {"bob", "/"}} {
		must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(u.name), Path: aws.String(u.path)}))
	}
	must[*awsiam.AttachUserPolicyOutput](t)(a.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: p.Arn}))
	must[*awsiam.PutUserPermissionsBoundaryOutput](t)(a.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: p.Arn}))
	role := createRole(t, a, "app", "/eng/")
	must[*awsiam.AttachRolePolicyOutput](t)(a.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: p.Arn}))
	createRole(t, a, "unrelated", "")

	names := func(out *awsiam.ListEntitiesForPolicyOutput) string {
		var s []string
		for _, g := range out.PolicyGroups {
			s = append(s, "group:"+*g.GroupName)
		}
		for _, u := range out.PolicyUsers {
			s = append(s, "user:"+*u.UserName)
		}
		for _, r := range out.PolicyRoles {
			s = append(s, "role:"+*r.RoleName)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		name string
		in   awsiam.ListEntitiesForPolicyInput
		want string
	}{
		{"all", awsiam.ListEntitiesForPolicyInput{}, "group:devs,user:alice,user:bob,role:app"},
		{"roles", awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeRole}, "role:app"},
		{"users", awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeUser}, "user:alice,user:bob"},
		{"groups", awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeGroup}, "group:devs"},
		{"local managed policy names no identity", awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeLocalManagedPolicy}, ""},
		{"permissions policy", awsiam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}, "group:devs,user:alice,role:app"},
		{"permissions boundary", awsiam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}, "user:bob"},
		{"path prefix", awsiam.ListEntitiesForPolicyInput{PathPrefix: aws.String("/eng/")}, "group:devs,user:alice,role:app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.PolicyArn = p.Arn
			out := must[*awsiam.ListEntitiesForPolicyOutput](t)(a.ListEntitiesForPolicy(ctx, &in))
			if got := names(out); got != tc.want || out.IsTruncated {
				t.Fatalf("entities = %q (truncated %v), want %q", got, out.IsTruncated, tc.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		var all []string
		pg := awsiam.NewListEntitiesForPolicyPaginator(a, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Arn, MaxItems: aws.Int32(1)})
		for pg.HasMorePages() {
			out := must[*awsiam.ListEntitiesForPolicyOutput](t)(pg.NextPage(ctx))
			all = append(all, names(out))
		}
		if strings.Join(all, ",") != "group:devs,user:alice,user:bob,role:app" {
			t.Fatalf("pages = %v", all)
		}
	})
	t.Run("ids", func(t *testing.T) {
		out := must[*awsiam.ListEntitiesForPolicyOutput](t)(a.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Arn, EntityFilter: types.EntityTypeRole}))
		if *out.PolicyRoles[0].RoleId != *role.RoleId {
			t.Fatalf("role id = %s, want %s", *out.PolicyRoles[0].RoleId, *role.RoleId)
		}
	})
	t.Run("AWS managed policy", func(t *testing.T) {
		out := must[*awsiam.ListEntitiesForPolicyOutput](t)(a.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
		if names(out) != "group:Admins" {
			t.Fatalf("AdministratorAccess entities = %q", names(out))
		}
		must[*awsiam.CreateServiceLinkedRoleOutput](t)(a.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}))
		out = must[*awsiam.ListEntitiesForPolicyOutput](t)(a.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy")}))
		if names(out) != "role:AWSServiceRoleForAutoScaling" {
			t.Fatalf("AutoScalingServiceRolePolicy entities = %q", names(out))
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := a.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/ghost")})
		wantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::"+testAccount+":policy/ghost was not found.")
		dev, _ := h.newUserWithKey("dev")
		_, err = dev.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Arn})
		wantError(t, err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/dev is not authorized to perform: iam:ListEntitiesForPolicy on resource: "+*p.Arn+" because no identity-based policy allows the iam:ListEntitiesForPolicy action")
	})
}
