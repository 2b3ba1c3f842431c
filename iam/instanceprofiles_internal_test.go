package iam

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// TestInstanceProfileQuota fills an account to the quota of 1000
// instance profiles (staged in one transaction, as a thousand requests
// would take long) and checks that the next CreateInstanceProfile gets
// AWS's LimitExceeded, and that deleting one makes room again.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
func TestInstanceProfileQuota(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	stage(t, svc, r, func(t *txn) {
		for i := range maxInstanceProfiles {
			t.put(&instanceProfile{Path: "/", Name: fmt.Sprintf("p%04d", i), ID: uniqueID(prefixInstanceProfile), Created: svc.now()})
		}
	})
	_, err := svc.CreateInstanceProfile(ctx, r, &iamapi.CreateInstanceProfileInput{InstanceProfileName: "one-too-many"})
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for InstanceProfilesPerAccount: 1000")
	if _, err := svc.DeleteInstanceProfile(ctx, r, &iamapi.DeleteInstanceProfileInput{InstanceProfileName: "p0000"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInstanceProfile(ctx, r, &iamapi.CreateInstanceProfileInput{InstanceProfileName: "one-too-many"}); err != nil {
		t.Fatal(err)
	}
}
