package main

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
)

func iamModel(ops ...string) *gen {
	m := &model{Operations: map[string]operation{}}
	m.Metadata.ServiceID, m.Metadata.EndpointPrefix, m.Metadata.APIVersion = "IAM", "iam", "2010-05-08"
	for _, op := range ops {
		m.Operations[op] = operation{Name: op}
	}
	return &gen{m: m, pkg: "iamapi", actions: map[string]bool{}}
}

// TestAuthorizationChecks: an operation whose action the Service
// Authorization Reference does not list with the operation's spelling,
// a stale exception and a misspelt extra action all fail generation.
func TestAuthorizationChecks(t *testing.T) {
	c := catalog.Default()
	for _, tc := range []struct {
		name  string
		ops   []string
		setup func() (undo func())
		fails string // "" if generation succeeds; else a word of the error
	}{
		{"served spelling", []string{"CreateUser", "UpdateDelegationRequest"}, nil, ""},
		{"misspelt", []string{"CreateUsr", "UpdateDelegationRequest"}, nil, "CreateUsr"},
		{"other case", []string{"CreateUSER", "UpdateDelegationRequest"}, nil, "iam:CreateUser"},
		{"missing exception op", []string{"CreateUser"}, nil, "UpdateDelegationRequest"},
		{"stale exception", []string{"CreateUser", "UpdateDelegationRequest"}, func() func() {
			noAction["IAM"]["CreateUser"] = "test"
			return func() { delete(noAction["IAM"], "CreateUser") }
		}, "CreateUser"},
		{"misspelt extra", []string{"CreateUser", "UpdateDelegationRequest"}, func() func() {
			alsoAuthorized["IAM"]["PasRole"] = "test"
			return func() { delete(alsoAuthorized["IAM"], "PasRole") }
		}, "PasRole"},
		{"extra that is an operation", []string{"CreateUser", "UpdateDelegationRequest"}, func() func() {
			alsoAuthorized["IAM"]["CreateUser"] = "test"
			return func() { delete(alsoAuthorized["IAM"], "CreateUser") }
		}, "CreateUser"},
		{"misspelt foreign resource", []string{"CreateUser", "UpdateDelegationRequest"}, func() func() {
			foreignResources["IAM"]["ec2:instanse"] = "test"
			return func() { delete(foreignResources["IAM"], "ec2:instanse") }
		}, "instanse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				defer tc.setup()()
			}
			g := iamModel(tc.ops...)
			src, err := g.authorizationFile(c)
			switch {
			case tc.fails == "" && err != nil:
				t.Fatalf("failed: %v", err)
			case tc.fails == "" && (!g.actions["CreateUser"] || !strings.Contains(string(src), `ActionCreateUser Action = "iam:CreateUser"`)):
				t.Fatalf("no ActionCreateUser in\n%s", src)
			case tc.fails != "" && err == nil:
				t.Fatal("generated")
			case tc.fails != "" && !strings.Contains(err.Error(), tc.fails):
				t.Fatalf("error %q does not name %s", err, tc.fails)
			}
		})
	}
}

// TestARNBuilderFormats: a builder passes the format's fields and the
// pieces of its resource to arn.Build; a format genapi cannot read
// fails generation.
func TestARNBuilderFormats(t *testing.T) {
	for _, tc := range []struct {
		format, want string // want: the function's body, or "" for an error
	}{
		{"arn:${Partition}:iam::${Account}:user/${UserNameWithPath}", `func F(partition, account, path, userName string) string {
return arn.Build(partition, "iam", "", account, "user", path, userName)`},
		{"arn:${Partition}:iam::aws:contextProvider/${ContextProviderName}", `return arn.Build(partition, "iam", "", "aws", "contextProvider/", contextProviderName)`},
		{"arn:${Partition}:iam::${Account}:root", `return arn.Build(partition, "iam", "", account, "root")`},
		{"arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}", `func F(partition, region, account, instanceID string) string {
return arn.Build(partition, "ec2", region, account, "instance/", instanceID)`},
		{"arn:${Partition}:iam::aws:role-template/${AWSServicePrincipal}/${RoleTemplateName}:${RoleTemplateMajorVersion}", `return arn.Build(partition, "iam", "", "aws", "role-template/", awsServicePrincipal, "/", roleTemplateName, ":", roleTemplateMajorVersion)`},
		{"arn:aws:iam::${Account}:root", ""},
		{"arn:${Partition}:iam::${Account}:user${UserNameWithPath}", ""},
		{"arn:${Partition}:iam::${Account}:x/${Name}/${Name}", ""},
		{"arn:${Partition}:iam::${Account}:x/${Name", ""},
		{"arn:${Partition}:iam::${Account}", ""},
		{"arn:${Partition}:iam::${Account}:", ""},
		{"arn:${Partition}:iam::a${Account}:x", ""},
		{"arn:${Partition}:${Partition}::${Account}:x", ""},
	} {
		src, err := arnBuilder("F", "F.", tc.format)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s: built\n%s", tc.format, src)
		case tc.want != "" && (err != nil || !strings.Contains(src, tc.want)):
			t.Errorf("%s: %v\n%s", tc.format, err, src)
		}
	}
}
