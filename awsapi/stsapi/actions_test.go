package stsapi_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/stsapi"
	"github.com/gatehouse/gatehouse/catalog"
)

// TestActions: every operation of STS has its action, as the Service
// Authorization Reference spells it.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
func TestActions(t *testing.T) {
	c := catalog.Default()
	if len(stsapi.Actions()) != len(stsapi.Operations) {
		t.Errorf("%d actions for %d operations", len(stsapi.Actions()), len(stsapi.Operations))
	}
	for _, op := range stsapi.Operations {
		ca := c.Action("sts:" + op.Name)
		if ca == nil || op.Action.String() != ca.String() || op.Action.Name() != op.Name {
			t.Errorf("%s: Action %q, catalog %v", op.Name, op.Action, ca)
		}
	}
	if got := stsapi.ActionAssumeRole.Resources(); len(got) != 1 || got[0].Type != stsapi.ResourceRole || !got[0].Required {
		t.Errorf("AssumeRole: Resources() = %v", got)
	}
}

// TestARNBuilders: the ARNs of STS's resource types.
func TestARNBuilders(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{stsapi.RoleARN("aws", "111122223333", "/app/", "r"), "arn:aws:iam::111122223333:role/app/r"},
		{stsapi.FederatedUserARN("aws", "111122223333", "bob"), "arn:aws:sts::111122223333:federated-user/bob"},
		{stsapi.RootUserARN("aws", "111122223333"), "arn:aws:iam::111122223333:root"},
		{stsapi.SelfSessionARN("aws", "111122223333"), "arn:aws:sts::111122223333:self"},
		{stsapi.ContextProviderARN("aws", "p"), "arn:aws:iam::aws:contextProvider/p"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	if got := stsapi.ResourceRootUser.ARNFormat(); got != "arn:${Partition}:iam::${Account}:root" {
		t.Errorf("root-user: %s", got)
	}
}
