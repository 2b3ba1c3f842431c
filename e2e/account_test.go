package e2e_test

import (
	"strings"
	"testing"
)

// TestAccountCLI drives the account operations with the aws CLI against
// the real binary: the alias, the summary, and the authorization details
// with documents the CLI decodes itself.
func TestAccountCLI(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	cli := awsCLI(t, dir)
	run := func(args ...string) (string, error) {
		out, err := cli(args...)
		return strings.TrimSpace(out), err
	}
	if out, err := run("list-account-aliases", "--output", "json"); err != nil || !strings.Contains(out, `"AccountAliases": []`) {
		t.Fatalf("list-account-aliases (none): %v\n%s", err, out)
	}
	if out, err := run("create-account-alias", "--account-alias", "gatehouse-e2e"); err != nil {
		t.Fatalf("create-account-alias: %v\n%s", err, out)
	}
	if out, err := run("list-account-aliases", "--query", "AccountAliases[0]", "--output", "text"); err != nil || out != "gatehouse-e2e" {
		t.Fatalf("list-account-aliases: %v\n%s", err, out)
	}
	out, err := run("delete-account-alias", "--account-alias", "someone-else")
	if err == nil || !strings.Contains(out, "NoSuchEntity") || !strings.Contains(out, "The account alias someone-else cannot be found.") {
		t.Fatalf("delete-account-alias of another name: %v\n%s", err, out)
	}

	if out, err := run("create-role", "--role-name", "app", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`); err != nil {
		t.Fatalf("create-role: %v\n%s", err, out)
	}
	out, err = run("get-account-summary", "--query", "SummaryMap.[UsersQuota, Users, Roles, AccountPasswordPresent, GlobalEndpointTokenVersion]", "--output", "text")
	if err != nil || strings.Join(strings.Fields(out), " ") != "5000 1 1 1 1" {
		t.Fatalf("get-account-summary: %v\n%s", err, out)
	}
	// The CLI decodes the URL-encoded trust policy into JSON.
	out, err = run("get-account-authorization-details", "--filter", "Role", "--query", "RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Principal.Service", "--output", "text")
	if err != nil || out != "ec2.amazonaws.com" {
		t.Fatalf("get-account-authorization-details --filter Role: %v\n%s", err, out)
	}
	out, err = run("get-account-authorization-details", "--query", "[UserDetailList[].UserName, GroupDetailList[].GroupName, Policies[].PolicyName]", "--output", "text")
	if err != nil || !strings.Contains(out, "admin") || !strings.Contains(out, "Admins") || !strings.Contains(out, "AdministratorAccess") {
		t.Fatalf("get-account-authorization-details: %v\n%s", err, out)
	}
	// The CLI pages by itself: --page-size 1 fetches one entity a call.
	out, err = run("get-account-authorization-details", "--page-size", "1", "--query", "[length(UserDetailList), length(GroupDetailList), length(RoleDetailList), length(Policies)]", "--output", "json")
	if err != nil || strings.Join(strings.Fields(out), "") != "[1,1,1,1]" {
		t.Fatalf("get-account-authorization-details --page-size 1: %v\n%s", err, out)
	}
}

// TestAccountBoto3 drives the account operations with boto3: paging the
// authorization details with the paginator, the Organizations features
// answering OrganizationNotFoundException as a modeled exception, and
// outbound web identity federation.
func TestAccountBoto3(t *testing.T) {
	needBoto3(t)
	dir := t.TempDir()
	p := serve(t, dir)
	script := `
import json, re
doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a b+c"}]}
pol = iam.create_policy(PolicyName="shared", PolicyDocument=json.dumps(doc))["Policy"]
iam.create_group(GroupName="devs")
iam.attach_group_policy(GroupName="devs", PolicyArn=pol["Arn"])
for i in range(12):
    iam.create_user(UserName="user%02d" % i, Tags=[{"Key": "n", "Value": str(i)}])
    iam.add_user_to_group(GroupName="devs", UserName="user%02d" % i)
iam.put_user_policy(UserName="user00", PolicyName="inline", PolicyDocument=json.dumps(doc))

pages = list(iam.get_paginator("get_account_authorization_details").paginate(PaginationConfig={"PageSize": 5}))
assert len(pages) > 3, len(pages)
users = [u for pg in pages for u in pg["UserDetailList"]]
groups = [g for pg in pages for g in pg["GroupDetailList"]]
policies = [p for pg in pages for p in pg["Policies"]]
for pg in pages:
    n = len(pg["UserDetailList"]) + len(pg["GroupDetailList"]) + len(pg["RoleDetailList"]) + len(pg["Policies"])
    assert 0 < n <= 5, n
    for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        assert k in pg, (k, pg.keys())
names = [u["UserName"] for u in users]
assert names == ["admin"] + ["user%02d" % i for i in range(12)], names
u0 = users[1]
assert u0["GroupList"] == ["devs"], u0
assert u0["Tags"] == [{"Key": "n", "Value": "0"}], u0
# botocore decodes the URL-encoded documents.
assert u0["UserPolicyList"][0]["PolicyDocument"] == doc, u0["UserPolicyList"]
assert sorted(g["GroupName"] for g in groups) == ["Admins", "devs"]
byname = {p["PolicyName"]: p for p in policies}
assert set(byname) == {"shared", "AdministratorAccess"}, set(byname)
assert byname["shared"]["AttachmentCount"] == 1
assert byname["shared"]["PolicyVersionList"][0]["IsDefaultVersion"] is True

only = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])
assert [p["PolicyName"] for p in only["Policies"]] == ["shared"], only["Policies"]
assert only["UserDetailList"] == [] and only["GroupDetailList"] == [] and only["RoleDetailList"] == []

try:
    iam.list_organizations_features()
    raise SystemExit("ListOrganizationsFeatures succeeded")
except iam.exceptions.OrganizationNotFoundException as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e.response["Error"]["Message"] == "The request was rejected because no organization is associated with your account.", e.response

try:
    iam.get_outbound_web_identity_federation_info()
    raise SystemExit("federation info while disabled")
except iam.exceptions.FeatureDisabledException as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
assert re.fullmatch(r"https://[0-9a-f-]{36}\.tokens\.sts\.global\.api\.aws", issuer), issuer
info = iam.get_outbound_web_identity_federation_info()
assert info["IssuerIdentifier"] == issuer and info["JwtVendingEnabled"] is True, info

iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
print("ok")
`
	boto3(t, p, script)
}
