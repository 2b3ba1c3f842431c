package e2e_test

import (
	"strings"
	"testing"
)

// TestProfilesCLI drives instance profiles, a service-linked role and
// ListEntitiesForPolicy with the aws CLI against the real binary.
func TestProfilesCLI(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	run := jsonCLI(t, awsCLI(t, dir))
	must := mustJSON(t, run)
	field := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v
	}

	must("create-role", "--role-name", "web", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	created := must("create-instance-profile", "--instance-profile-name", "web-profile", "--path", "/app/")
	if id := field(created, "InstanceProfile", "InstanceProfileId").(string); !strings.HasPrefix(id, "AIPA") {
		t.Errorf("InstanceProfileId = %s", id)
	}
	must("add-role-to-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "web")
	got := must("get-instance-profile", "--instance-profile-name", "web-profile")
	if name := field(got, "InstanceProfile", "Roles", 0, "RoleName"); name != "web" {
		t.Fatalf("role = %v", name)
	}
	if arn := field(got, "InstanceProfile", "Arn").(string); !strings.HasSuffix(arn, ":instance-profile/app/web-profile") {
		t.Errorf("Arn = %s", arn)
	}
	if _, out, err := run("delete-role", "--role-name", "web"); err == nil || !strings.Contains(out, "DeleteConflict") ||
		!strings.Contains(out, "Cannot delete entity, must remove roles from instance profile first.") {
		t.Fatalf("delete-role in a profile: %v\n%s", err, out)
	}

	slr := must("create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com")
	if p := field(slr, "Role", "Path"); p != "/aws-service-role/autoscaling.amazonaws.com/" {
		t.Fatalf("service-linked role path = %v", p)
	}
	ents := must("list-entities-for-policy", "--policy-arn", "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy")
	if name := field(ents, "PolicyRoles", 0, "RoleName"); name != "AWSServiceRoleForAutoScaling" {
		t.Fatalf("entities = %v", ents)
	}
	if _, out, err := run("put-role-policy", "--role-name", "AWSServiceRoleForAutoScaling", "--policy-name", "p", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`); err == nil || !strings.Contains(out, "UnmodifiableEntity") {
		t.Fatalf("put-role-policy on a service-linked role: %v\n%s", err, out)
	}
	task := field(must("delete-service-linked-role", "--role-name", "AWSServiceRoleForAutoScaling"), "DeletionTaskId").(string)
	if st := field(must("get-service-linked-role-deletion-status", "--deletion-task-id", task), "Status"); st != "SUCCEEDED" {
		t.Fatalf("deletion status = %v", st)
	}
}

// TestProfilesBoto3 drives policy tags, paginated instance profiles and
// the errors of this family with boto3.
func TestProfilesBoto3(t *testing.T) {
	needBoto3(t)
	dir := t.TempDir()
	p := serve(t, dir)
	script := `
import json
arn = iam.create_policy(PolicyName="logs", PolicyDocument=json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Get*","Resource":"*"}]}))["Policy"]["Arn"]
iam.tag_policy(PolicyArn=arn, Tags=[{"Key":"team","Value":"blue"}])
assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key":"team","Value":"blue"}]
try:
    iam.tag_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess", Tags=[{"Key":"a","Value":"b"}])
    raise SystemExit("AWS managed policy tagged")
except iam.exceptions.InvalidInputException:
    pass
for i in range(5):
    iam.create_instance_profile(InstanceProfileName="ip%d" % i, Path="/batch/")
names = [ip["InstanceProfileName"] for page in iam.get_paginator("list_instance_profiles").paginate(PathPrefix="/batch/", PaginationConfig={"PageSize": 2}) for ip in page["InstanceProfiles"]]
assert names == ["ip0", "ip1", "ip2", "ip3", "ip4"], names
iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}))
iam.add_role_to_instance_profile(InstanceProfileName="ip0", RoleName="r")
role = iam.get_instance_profile(InstanceProfileName="ip0")["InstanceProfile"]["Roles"][0]
assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"] == "ec2.amazonaws.com", role
try:
    iam.add_role_to_instance_profile(InstanceProfileName="ip0", RoleName="r")
    raise SystemExit("second role accepted")
except iam.exceptions.LimitExceededException:
    pass
try:
    iam.delete_instance_profile(InstanceProfileName="ip0")
    raise SystemExit("profile with a role deleted")
except iam.exceptions.DeleteConflictException as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 409
try:
    iam.get_instance_profile(InstanceProfileName="nope")
    raise SystemExit("missing profile found")
except iam.exceptions.NoSuchEntityException as e:
    assert e.response["Error"]["Message"] == "Instance Profile nope cannot be found.", e.response
ents = iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
assert [g["GroupName"] for g in ents["PolicyGroups"]] == ["Admins"], ents
print("ok")
`
	boto3(t, p, script)
}

// TestServiceLinkedRolesBoto3 creates service-linked roles of a few
// services of the generated table with boto3: a service that takes a
// custom suffix (Amazon Connect), services that refuse one (AWS Elastic
// Beanstalk, Amazon EKS node groups) with AWS's InvalidInput text, the
// role name, path and attached policy AWS gives each, and an unknown
// principal.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html
func TestServiceLinkedRolesBoto3(t *testing.T) {
	needBoto3(t)
	dir := t.TempDir()
	p := serve(t, dir)
	script := `
def refused(code, msg, **kw):
    try:
        iam.create_service_linked_role(**kw)
    except iam.exceptions.ClientError as e:
        err = e.response["Error"]
        assert (err["Code"], err["Message"]) == (code, msg), e.response
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
        return
    raise SystemExit("accepted: %r" % kw)
for svc, name, pol in [
    ("connect.amazonaws.com", "AWSServiceRoleForAmazonConnect", "arn:aws:iam::aws:policy/aws-service-role/AmazonConnectServiceLinkedRolePolicy"),
    ("elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk", "arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy"),
    ("eks-nodegroup.amazonaws.com", "AWSServiceRoleForAmazonEKSNodegroup", "arn:aws:iam::aws:policy/aws-service-role/AWSServiceRoleForAmazonEKSNodegroup"),
]:
    role = iam.create_service_linked_role(AWSServiceName=svc)["Role"]
    assert (role["RoleName"], role["Path"]) == (name, "/aws-service-role/%s/" % svc), role
    assert "Description" not in role, role
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"] == svc, role
    att = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [a["PolicyArn"] for a in att] == [pol], att
    refused("InvalidInput", "Service role name %s has been taken in this account, please try a different suffix." % name, AWSServiceName=svc)
role = iam.create_service_linked_role(AWSServiceName="connect.amazonaws.com", CustomSuffix="inst1", Description="mine")["Role"]
assert (role["RoleName"], role["Description"]) == ("AWSServiceRoleForAmazonConnect_inst1", "mine"), role
refused("InvalidInput", "Custom suffix is not allowed for elasticbeanstalk.amazonaws.com", AWSServiceName="elasticbeanstalk.amazonaws.com", CustomSuffix="x")
refused("InvalidInput", "Unrecognized service principal: nothing.amazonaws.com", AWSServiceName="nothing.amazonaws.com")
task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAmazonEKSNodegroup")["DeletionTaskId"]
assert task.startswith("task/aws-service-role/eks-nodegroup.amazonaws.com/AWSServiceRoleForAmazonEKSNodegroup/"), task
assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
print("ok")
`
	boto3(t, p, script)
}
