package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestAccessKeyLastUsed: a key that never signed a request reports N/A;
// once used (even for a call that is denied) it reports the date,
// service and region at once, and after a flush across a restart.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html
func TestAccessKeyLastUsed(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	dev, creds := h.newUserWithKey("dev")
	lastUsed := func() *awsiam.GetAccessKeyLastUsedOutput {
		t.Helper()
		return must[*awsiam.GetAccessKeyLastUsedOutput](t)(h.admin().GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(creds.AccessKeyID)}))
	}
	got := lastUsed()
	if *got.UserName != "dev" || got.AccessKeyLastUsed.LastUsedDate != nil || *got.AccessKeyLastUsed.ServiceName != "N/A" || *got.AccessKeyLastUsed.Region != "N/A" {
		t.Fatalf("unused key: %+v", got.AccessKeyLastUsed)
	}
	before := time.Now().Add(-time.Second)
	_, err := dev.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	got = lastUsed()
	lu := got.AccessKeyLastUsed
	if lu.LastUsedDate == nil || lu.LastUsedDate.Before(before.Truncate(time.Second)) || *lu.ServiceName != "iam" || *lu.Region != "us-east-1" {
		t.Fatalf("used key: date %v service %v region %v", lu.LastUsedDate, aws.ToString(lu.ServiceName), aws.ToString(lu.Region))
	}
	if err := h.svc.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	h.restart()
	if again := lastUsed().AccessKeyLastUsed; again.LastUsedDate == nil || !again.LastUsedDate.Equal(*lu.LastUsedDate) {
		t.Fatalf("after restart: %+v, want date %v", again, lu.LastUsedDate)
	}
	// The admin's own key is recorded too.
	me := must[*awsiam.GetAccessKeyLastUsedOutput](t)(h.admin().GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(h.adminKey.AccessKeyID)}))
	if me.AccessKeyLastUsed.LastUsedDate == nil {
		t.Fatalf("admin key: %+v", me.AccessKeyLastUsed)
	}
	// Deleting the key deletes its record: a new flush and restart
	// leave nothing behind.
	must[*awsiam.DeleteAccessKeyOutput](t)(h.admin().DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(creds.AccessKeyID)}))
	if err := h.svc.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	h.restart()
	// A key that is gone is answered as AWS answers any key that is not
	// the account's (test_access_key_errors in
	// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_users.snapshot.json).
	_, err = h.admin().GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(creds.AccessKeyID)})
	wantErrorStatus(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/admin is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key "+creds.AccessKeyID)
}
