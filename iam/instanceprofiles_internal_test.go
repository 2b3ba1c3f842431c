package iam

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

// TestInstanceProfileQuota fills an account to the quota of 1000
// instance profiles (staged in one transaction, as a thousand requests
// would take long) and checks that the next CreateInstanceProfile gets
// AWS's LimitExceeded, and that deleting one makes room again.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
func TestInstanceProfileQuota(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gatehouse.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k, err := secret.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(ctx, Config{Store: st, Keyring: secret.NewKeyring(k)})
	if err != nil {
		t.Fatal(err)
	}
	r := &Request{Account: "111122223333", Partition: canonicalPartition, Unchecked: true}
	ctx = WithRequest(ctx, r)
	err = svc.update(ctx, r, func(t *txn) error {
		for i := range maxInstanceProfiles {
			t.put(&instanceProfile{Path: "/", Name: fmt.Sprintf("p%04d", i), ID: uniqueID(prefixInstanceProfile), Created: svc.now()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateInstanceProfile(ctx, &iamapi.CreateInstanceProfileInput{InstanceProfileName: "one-too-many"})
	var ae awsapi.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "LimitExceeded" || ae.ErrorMessage() != "Cannot exceed quota for InstanceProfilesPerAccount: 1000" {
		t.Fatalf("error = %v", err)
	}
	if _, err := svc.DeleteInstanceProfile(ctx, &iamapi.DeleteInstanceProfileInput{InstanceProfileName: "p0000"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInstanceProfile(ctx, &iamapi.CreateInstanceProfileInput{InstanceProfileName: "one-too-many"}); err != nil {
		t.Fatal(err)
	}
}
