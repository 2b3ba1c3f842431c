package iamapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/catalog"
)

// TestActions: every Action is the catalog's action of that name,
// spelled as the Service Authorization Reference spells it, with the
// reference's resource types; every operation the reference lists has
// its own action, and the others none.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
func TestActions(t *testing.T) {
	c := catalog.Default()
	for _, a := range iamapi.Actions() {
		ca := c.Action(a.String())
		if ca == nil || ca.String() != a.String() {
			t.Errorf("%s: the catalog has %v", a, ca)
			continue
		}
		if a.Name() != ca.Name || "iam:"+a.Name() != a.String() {
			t.Errorf("%s: Name() = %q", a, a.Name())
		}
		var want []iamapi.ActionResource
		for _, r := range ca.Resources {
			want = append(want, iamapi.ActionResource{Type: iamapi.ResourceType(r.Type.Name), Required: r.Required})
		}
		if got := a.Resources(); !slices.Equal(got, want) {
			t.Errorf("%s: Resources() = %v, want %v", a, got, want)
		}
	}
	var none []string
	for _, op := range iamapi.Operations {
		ca := c.Action("iam:" + op.Name)
		switch {
		case op.Action == "":
			none = append(none, op.Name)
			if ca != nil {
				t.Errorf("%s has no Action, but the catalog has %s", op.Name, ca)
			}
		case op.Action.Name() != op.Name || ca == nil || ca.String() != op.Action.String():
			t.Errorf("%s: Action %s, catalog %v", op.Name, op.Action, ca)
		case !slices.Contains(iamapi.Actions(), op.Action):
			t.Errorf("%s: Action %s is not in Actions()", op.Name, op.Action)
		}
	}
	if !slices.Equal(none, []string{"UpdateDelegationRequest"}) {
		t.Errorf("operations without an action: %v", none)
	}
	if iamapi.Action("").Name() != "" {
		t.Error("the zero Action has a name")
	}
}

// TestResourceTypes: every resource type of IAM in the catalog has its
// ARN format, and a name that is none has "".
func TestResourceTypes(t *testing.T) {
	rts := catalog.Default().Service("iam").ResourceTypes
	if len(rts) == 0 {
		t.Fatal("no IAM resource types")
	}
	for _, rt := range rts {
		if got := iamapi.ResourceType(rt.Name).ARNFormat(); got != rt.ARNFormats[0] || len(rt.ARNFormats) != 1 {
			t.Errorf("%s: ARNFormat() = %q, catalog %q", rt.Name, got, rt.ARNFormats)
		}
	}
	if got := iamapi.ResourceType("bucket").ARNFormat(); got != "" {
		t.Errorf("bucket: ARNFormat() = %q", got)
	}
}

// fill puts values into an ARN format's placeholders.
func fill(format string, values map[string]string) string {
	for k, v := range values {
		format = strings.ReplaceAll(format, "${"+k+"}", v)
	}
	return format
}

// TestARNBuilders: each builder writes its format with the values put in;
// a name with path is the path without its leading / and the name
// (UserNameWithPath of /team/ and bob is team/bob).
func TestARNBuilders(t *testing.T) {
	const p, a = "aws-cn", "111122223333"
	format := func(r iamapi.ResourceType) string { return r.ARNFormat() }
	ec2 := catalog.Default().Service("ec2").ResourceType("instance").ARNFormats[0]
	for _, tc := range []struct {
		got, format string
		values      map[string]string
		want        string
	}{
		{iamapi.UserARN(p, a, "/", "bob"), format(iamapi.ResourceUser), map[string]string{"UserNameWithPath": "bob"}, "arn:aws-cn:iam::111122223333:user/bob"},
		{iamapi.UserARN(p, a, "/team/a/", "bob"), format(iamapi.ResourceUser), map[string]string{"UserNameWithPath": "team/a/bob"}, ""},
		{iamapi.UserARN(p, a, "/team/", ""), format(iamapi.ResourceUser), map[string]string{"UserNameWithPath": "team/"}, ""},
		{iamapi.GroupARN(p, a, "/g/", "admins"), format(iamapi.ResourceGroup), map[string]string{"GroupNameWithPath": "g/admins"}, ""},
		{iamapi.RoleARN(p, a, "/", "r"), format(iamapi.ResourceRole), map[string]string{"RoleNameWithPath": "r"}, ""},
		{iamapi.PolicyARN(p, a, "/x/", "p"), format(iamapi.ResourcePolicy), map[string]string{"PolicyNameWithPath": "x/p"}, ""},
		{iamapi.InstanceProfileARN(p, a, "/", "ip"), format(iamapi.ResourceInstanceProfile), map[string]string{"InstanceProfileNameWithPath": "ip"}, ""},
		{iamapi.ServerCertificateARN(p, a, "/c/", "cert"), format(iamapi.ResourceServerCertificate), map[string]string{"CertificateNameWithPath": "c/cert"}, ""},
		{iamapi.MFAARN(p, a, "/", "dev"), format(iamapi.ResourceMFA), map[string]string{"MfaTokenIdWithPath": "dev"}, "arn:aws-cn:iam::111122223333:mfa/dev"},
		{iamapi.SMSMFAARN(p, a, "/s/", "dev"), format(iamapi.ResourceSMSMFA), map[string]string{"MfaTokenIdWithPath": "s/dev"}, ""},
		{iamapi.SAMLProviderARN(p, a, "okta"), format(iamapi.ResourceSAMLProvider), map[string]string{"SamlProviderName": "okta"}, ""},
		{iamapi.OIDCProviderARN(p, a, "example.com/x"), format(iamapi.ResourceOIDCProvider), map[string]string{"OidcProviderName": "example.com/x"}, ""},
		{iamapi.AccessReportARN(p, a, "o-1/r-2"), format(iamapi.ResourceAccessReport), map[string]string{"EntityPath": "o-1/r-2"}, ""},
		{iamapi.AssumedRoleARN(p, a, "r", "s"), format(iamapi.ResourceAssumedRole), map[string]string{"RoleName": "r", "RoleSessionName": "s"}, ""},
		{iamapi.FederatedUserARN(p, a, "f"), format(iamapi.ResourceFederatedUser), map[string]string{"UserName": "f"}, ""},
		{iamapi.DelegationRequestARN(p, a, "d"), format(iamapi.ResourceDelegationRequest), map[string]string{"DelegationRequestId": "d"}, ""},
		{iamapi.RoleTemplateARN(p, "ec2.amazonaws.com", "t", "1"), format(iamapi.ResourceRoleTemplate), map[string]string{"AWSServicePrincipal": "ec2.amazonaws.com", "RoleTemplateName": "t", "RoleTemplateMajorVersion": "1"}, "arn:aws-cn:iam::aws:role-template/ec2.amazonaws.com/t:1"},
		{iamapi.EC2InstanceARN(p, "*", a, "*"), ec2, map[string]string{"Region": "*", "InstanceId": "*"}, "arn:aws-cn:ec2:*:111122223333:instance/*"},
	} {
		tc.values["Partition"], tc.values["Account"] = p, a
		want := fill(tc.format, tc.values)
		if strings.Contains(want, "${") {
			t.Errorf("%s: placeholders left in %s", tc.format, want)
		}
		if tc.got != want || (tc.want != "" && tc.got != tc.want) {
			t.Errorf("%s: got %s, want %s", tc.format, tc.got, want)
		}
	}
}

// TestARNBuilderAllocs: a builder costs its ARN's one allocation (the
// request path builds the resource ARN of every decision).
func TestARNBuilderAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { iamapi.UserARN("aws", "111122223333", "/team/", "bob") }); n != 1 {
		t.Errorf("UserARN allocates %v times, want 1", n)
	}
}
