package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestKeyUseSurvivesShutdown: the use of an access key, recorded in
// memory, is persisted when the server stops on SIGTERM.
func TestKeyUseSurvivesShutdown(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, dir)
	ctx := context.Background()
	admin := client(p.endpoint, adminCreds(t, dir))
	if _, err := admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(key.AccessKey.AccessKeyId)
	dev := client(p.endpoint, aws.Credentials{AccessKeyID: id, SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)})
	if _, err := dev.GetUser(ctx, &awsiam.GetUserInput{}); code(err) != "AccessDenied" {
		t.Fatalf("dev GetUser: %v", err)
	}
	p.terminate(t)
	// After the restart only the stored record can know dev's use.
	p = serve(t, dir)
	out, err := client(p.endpoint, adminCreds(t, dir)).GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessKeyLastUsed.LastUsedDate == nil || aws.ToString(out.AccessKeyLastUsed.ServiceName) != "iam" || aws.ToString(out.AccessKeyLastUsed.Region) != "us-east-1" {
		t.Fatalf("last used = %+v", out.AccessKeyLastUsed)
	}
}
