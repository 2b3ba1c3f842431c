package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFidelityCLI: the answers of issue 10 as the aws CLI sees them:
// pages through users with its own markers, an empty tag value, the
// boundary type, a trust policy naming a user that does not exist, a
// reserved tag key and a marker IAM did not hand out.
func TestFidelityCLI(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	run := awsCLI(t, dir)
	must := mustJSON(t, jsonCLI(t, run))
	for _, n := range []string{"u1", "u2", "u3"} {
		must("create-user", "--user-name", n)
	}
	// The CLI pages by itself (--page-size), passing back our markers.
	if out, err := run("list-users", "--page-size", "1", "--query", "Users[].UserName", "--output", "text"); err != nil || strings.Fields(out)[0] != "admin" || len(strings.Fields(out)) != 4 {
		t.Fatalf("list-users by pages: %v\n%s", err, out)
	}
	if out, err := run("list-users", "--starting-token", "garbage"); err == nil || !strings.Contains(out, "ValidationError") || !strings.Contains(out, "Invalid Marker.") {
		t.Fatalf("garbage marker: %v\n%s", err, out)
	}
	must("tag-user", "--user-name", "u1", "--tags", "Key=empty,Value=")
	tags := must("list-user-tags", "--user-name", "u1")["Tags"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["Value"] != "" {
		t.Fatalf("tags = %v", tags)
	}
	if out, err := run("tag-user", "--user-name", "u1", "--tags", "Key=aws:x,Value=y"); err == nil || !strings.Contains(out, "InvalidInput") {
		t.Fatalf("reserved tag key: %v\n%s", err, out)
	}
	p := must("create-policy", "--policy-name", "boundary", "--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	arn := p["Policy"].(map[string]any)["Arn"].(string)
	must("put-user-permissions-boundary", "--user-name", "u1", "--permissions-boundary", arn)
	b := must("get-user", "--user-name", "u1")["User"].(map[string]any)["PermissionsBoundary"].(map[string]any)
	if b["PermissionsBoundaryType"] != "Policy" || b["PermissionsBoundaryArn"] != arn {
		t.Fatalf("boundary = %v", b)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountOf(t, dir) + `:user/nobody"},"Action":"sts:AssumeRole"}]}`
	if out, err := run("create-role", "--role-name", "r", "--assume-role-policy-document", doc); err == nil || !strings.Contains(out, "MalformedPolicyDocument") || !strings.Contains(out, `Invalid principal in policy: "AWS":"arn:aws:iam::`) {
		t.Fatalf("trust naming a missing user: %v\n%s", err, out)
	}
}

// TestFidelityBoto3 is TestFidelityCLI's counterpart for boto3, with
// the trust policy that shows a deleted principal's unique ID.
func TestFidelityBoto3(t *testing.T) {
	needBoto3(t)
	dir := t.TempDir()
	p := serve(t, dir)
	script := `
import json
from botocore.exceptions import ClientError
acct = sys.argv[1]
for n in ["u1", "u2", "u3"]:
    iam.create_user(UserName=n, Tags=[{"Key": "team", "Value": ""}])
names = [u["UserName"] for page in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2}) for u in page["Users"]]
assert names == ["admin", "u1", "u2", "u3"], names
for u in iam.list_users()["Users"]:
    assert "Tags" not in u and "PermissionsBoundary" not in u, u
assert iam.list_user_tags(UserName="u1")["Tags"] == [{"Key": "team", "Value": ""}]
try:
    iam.list_users(Marker="garbage")
    raise SystemExit("garbage marker accepted")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ValidationError" and e.response["Error"]["Message"] == "Invalid Marker.", e.response
try:
    iam.tag_user(UserName="u1", Tags=[{"Key": "AWS:x", "Value": "y"}])
    raise SystemExit("reserved tag key accepted")
except iam.exceptions.InvalidInputException:
    pass
uid = iam.get_user(UserName="u2")["User"]["UserId"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:user/u2" % acct}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(trust), Description="d")["Role"]
assert "MaxSessionDuration" not in role and "RoleLastUsed" not in role and "Description" not in role, role
role = iam.get_role(RoleName="r")["Role"]
assert role["MaxSessionDuration"] == 3600 and role["RoleLastUsed"] == {} and role["Description"] == "d", role
iam.delete_user(UserName="u2")
shown = iam.get_role(RoleName="r")["Role"]["AssumeRolePolicyDocument"]
assert shown["Statement"][0]["Principal"]["AWS"] == uid, shown
try:
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps(trust))
    raise SystemExit("missing principal accepted")
except iam.exceptions.MalformedPolicyDocumentException as e:
    assert e.response["Error"]["Message"] == 'Invalid principal in policy: "AWS":"arn:aws:iam::%s:user/u2"' % acct, e.response
try:
    iam.attach_role_policy(RoleName="r", PolicyArn="longpolicynamebutnoarn")
    raise SystemExit("non-ARN accepted")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ValidationError" and e.response["Error"]["Message"] == "ARN longpolicynamebutnoarn is not valid.", e.response
print("ok")
`
	boto3(t, p, script, accountOf(t, dir))
}

// accountOf returns the account ID the server in dataDir bootstrapped.
func accountOf(t *testing.T, dataDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "account"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
