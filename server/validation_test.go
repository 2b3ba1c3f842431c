package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestEmptyAndSensitiveValues: a parameter sent empty is an empty
// string, valid where the model allows length 0 (a tag value) and a
// length failure where it does not; the message of a failed constraint
// on a sensitive member (a password) names the member but not the value.
func TestEmptyAndSensitiveValues(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}))
	must[*awsiam.TagUserOutput](t)(a.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("bob"), Tags: []types.Tag{{Key: aws.String("empty"), Value: aws.String("")}}}))
	tags := must[*awsiam.ListUserTagsOutput](t)(a.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("bob")}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "empty" || aws.ToString(tags.Tags[0].Value) != "" {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	_, err := a.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("")})
	// The model's constraints first; IAM's own check of the user name's
	// characters (its "The specified value for userName is invalid"
	// answer) comes only when they pass.
	wantError(t, err, "ValidationError", `1 validation error detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1`)
	_, err = a.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("")})
	wantError(t, err, "ValidationError", `2 validation errors detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)
}
