package iam

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
)

// TestServiceLinkedRoleEveryService creates the service-linked role of
// every service of the table and checks what AWS answers for it: the
// role name and its path /aws-service-role/<service>/, a trust policy
// that lets only the service assume the role, the managed policies
// attached, no description unless the caller gives one (AWS's recorded
// answers have none), and the custom suffix: <roleName>_<suffix> where
// the service takes one, InvalidInput "Custom suffix is not allowed for
// <service>" where it does not. Deleting the role succeeds at once.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
func TestServiceLinkedRoleEveryService(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	principals := linkedServicePrincipals()
	if len(principals) < 200 || !slices.IsSorted(principals) {
		t.Fatalf("%d principals, sorted %v", len(principals), slices.IsSorted(principals))
	}
	for _, p := range principals {
		t.Run(p, func(t *testing.T) {
			ls, ok := lookupLinkedService(p)
			if !ok || ls.Service != p {
				t.Fatalf("lookup(%q) = %+v, %v", p, ls, ok)
			}
			out, err := svc.CreateServiceLinkedRole(ctx, r, &iamapi.CreateServiceLinkedRoleInput{AWSServiceName: p})
			if err != nil {
				t.Fatal(err)
			}
			role := out.Role
			wantPath := "/aws-service-role/" + p + "/"
			if role.RoleName != ls.RoleName || role.Path != wantPath || role.Arn != "arn:aws:iam::"+internalAccount+":role"+wantPath+ls.RoleName || role.Description != "" {
				t.Errorf("role = %s %s %s %q", role.RoleName, role.Path, role.Arn, role.Description)
			}
			trust, err := url.QueryUnescape(role.AssumeRolePolicyDocument)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Statement []struct {
					Effect    string
					Principal struct{ Service string }
					Action    string
				}
			}
			if err := json.Unmarshal([]byte(trust), &doc); err != nil || len(doc.Statement) != 1 ||
				doc.Statement[0].Effect != "Allow" || doc.Statement[0].Principal.Service != p || doc.Statement[0].Action != "sts:AssumeRole" {
				t.Errorf("trust policy %s (%v)", trust, err)
			}
			if err := checkDocument(trust, policy.Trust, ls.RoleName); err != nil {
				t.Errorf("trust policy: %v", err)
			}
			att, err := svc.ListAttachedRolePolicies(ctx, r, &iamapi.ListAttachedRolePoliciesInput{RoleName: ls.RoleName})
			if err != nil {
				t.Fatal(err)
			}
			var arns []string
			for _, a := range att.AttachedPolicies {
				arns = append(arns, a.PolicyArn)
			}
			if !slices.Equal(arns, ls.Policies) {
				t.Errorf("attached %v, want %v", arns, ls.Policies)
			}

			_, err = svc.CreateServiceLinkedRole(ctx, r, &iamapi.CreateServiceLinkedRoleInput{AWSServiceName: p})
			wantAPIError(t, err, "InvalidInput", "Service role name "+ls.RoleName+" has been taken in this account, please try a different suffix.")

			suffixed, err := svc.CreateServiceLinkedRole(ctx, r, &iamapi.CreateServiceLinkedRoleInput{AWSServiceName: p, CustomSuffix: "t1", Description: "mine"})
			if ls.CustomSuffix {
				if err != nil {
					t.Fatal(err)
				}
				if suffixed.Role.RoleName != ls.RoleName+"_t1" || suffixed.Role.Path != wantPath || suffixed.Role.Description != "mine" {
					t.Errorf("suffixed role = %s %s %q", suffixed.Role.RoleName, suffixed.Role.Path, suffixed.Role.Description)
				}
			} else {
				wantAPIError(t, err, "InvalidInput", "Custom suffix is not allowed for "+p)
			}

			del, err := svc.DeleteServiceLinkedRole(ctx, r, &iamapi.DeleteServiceLinkedRoleInput{RoleName: ls.RoleName})
			if err != nil {
				t.Fatal(err)
			}
			st, err := svc.GetServiceLinkedRoleDeletionStatus(ctx, r, &iamapi.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
			if err != nil || st.Status != deletionSucceeded {
				t.Fatalf("deletion status %v, %v", st, err)
			}
			if ls.CustomSuffix {
				if _, err := svc.DeleteServiceLinkedRole(ctx, r, &iamapi.DeleteServiceLinkedRoleInput{RoleName: ls.RoleName + "_t1"}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestServiceLinkedRoleUnknownService checks that principals outside the
// table, and near misses of principals in it (principals are case
// sensitive), are refused before anything is written.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html
func TestServiceLinkedRoleUnknownService(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	for _, p := range []string{"nothing.amazonaws.com", "AutoScaling.amazonaws.com", "autoscaling.amazonaws.com.cn", "autoscaling", "ecs.amazonaws.com ", "lex.amazonaws.com"} {
		t.Run(p, func(t *testing.T) {
			_, err := svc.CreateServiceLinkedRole(ctx, r, &iamapi.CreateServiceLinkedRoleInput{AWSServiceName: p, CustomSuffix: "x"})
			wantAPIError(t, err, "InvalidInput", "Unrecognized service principal: "+p)
		})
	}
	roles, err := svc.ListRoles(ctx, r, &iamapi.ListRolesInput{})
	if err != nil || len(roles.Roles) != 0 {
		t.Fatalf("roles after refused creations: %v, %v", roles, err)
	}
}

// TestServiceLinkedRoleKnownAnswers pins entries whose answers AWS
// recorded or whose pages say so, against a change of the data: the
// role names with their principals, the services that take a suffix.
func TestServiceLinkedRoleKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		service, role, policy string
		suffix                bool
	}{
		{"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy", true},
		{"connect.amazonaws.com", "AWSServiceRoleForAmazonConnect", "arn:aws:iam::aws:policy/aws-service-role/AmazonConnectServiceLinkedRolePolicy", true},
		{"lexv2.amazonaws.com", "AWSServiceRoleForLexV2Bots", "arn:aws:iam::aws:policy/aws-service-role/AmazonLexV2BotPolicy", true},
		{"ecs.amazonaws.com", "AWSServiceRoleForECS", "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy", false},
		{"batch.amazonaws.com", "AWSServiceRoleForBatch", "arn:aws:iam::aws:policy/aws-service-role/BatchServiceRolePolicy", false},
		{"dms.amazonaws.com", "AWSServiceRoleForDMSServerless", "arn:aws:iam::aws:policy/aws-service-role/AWSDMSServerlessServiceRolePolicy", false},
		{"ecr.amazonaws.com", "AWSServiceRoleForECRTemplate", "arn:aws:iam::aws:policy/aws-service-role/ECRTemplateServiceRolePolicy", false},
		{"controltower.amazonaws.com", "AWSServiceRoleForAWSControlTower", "arn:aws:iam::aws:policy/aws-service-role/AWSControlTowerAccountServiceRolePolicy", false},
		{"lightsail.amazonaws.com", "AWSServiceRoleForLightsail", "arn:aws:iam::aws:policy/aws-service-role/LightsailExportAccess", false},
		{"sso.amazonaws.com", "AWSServiceRoleForSSO", "arn:aws:iam::aws:policy/aws-service-role/AWSSSOServiceRolePolicy", false},
		// The role is AWSServiceRoleForChimeSDKMessaging, without "Amazon":
		// https://docs.aws.amazon.com/chime-sdk/latest/dg/stream-service-linked.html
		{"messaging.chime.amazonaws.com", "AWSServiceRoleForChimeSDKMessaging", "arn:aws:iam::aws:policy/aws-service-role/AmazonChimeSDKMessagingServiceRolePolicy", false},
		// https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions-malware-protection.html
		{"malware-protection.guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDutyMalwareProtection", "arn:aws:iam::aws:policy/aws-service-role/AmazonGuardDutyMalwareProtectionServiceRolePolicy", false},
		// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
		{"kafka.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_KafkaCluster", "arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoscalingKafkaClusterPolicy", false},
		// An AWS account's ListRoles answer (servicelinkedroles.json, "listed").
		{"mgn.amazonaws.com", "AWSServiceRoleForApplicationMigrationService", "arn:aws:iam::aws:policy/aws-service-role/AWSApplicationMigrationServiceRolePolicy", false},
	} {
		t.Run(tc.service, func(t *testing.T) {
			ls, ok := lookupLinkedService(tc.service)
			if !ok || ls.RoleName != tc.role || !slices.Equal(ls.Policies, []string{tc.policy}) || ls.CustomSuffix != tc.suffix {
				t.Fatalf("%+v, %v", ls, ok)
			}
		})
	}
}

func TestNewUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := newUUID(), newUUID()
	if !re.MatchString(a) || a == b {
		t.Fatalf("newUUID = %q, %q", a, b)
	}
}
