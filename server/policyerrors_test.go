package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// IAM's MalformedPolicyDocument answers through the wire, with
// aws-sdk-go-v2 against the real server. Each answer is one recorded from
// IAM (policy/testdata/iam-errors.jsonl has the sources): a trust policy
// that is not JSON (https://github.com/AWSCookbook/Security/issues/2), a
// managed one (getmoto/moto's recorded tests), the Version checked before
// the legacy parser, an iam resource path, a condition key without a
// vendor prefix accepted.
func TestPolicyErrorsOnTheWire(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	tests := []struct {
		name, msg string
		call      func() error
	}{
		{"trust policy not JSON", "This policy contains invalid Json", func() error {
			_, err := a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String("assume-role-policy.json")})
			return err
		}},
		{"managed policy not JSON", "Syntax errors in policy.", func() error {
			_, err := a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String("This is not a json document")})
			return err
		}},
		{"version before legacy parsing", "Policy document must be version 2012-10-17 or greater.", func() error {
			_, err := a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"),
				PolicyDocument: aws.String(`{"Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`)})
			return err
		}},
		{"iam resource path", `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`, func() error {
			_, err := a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}}`)})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, "MalformedPolicyDocument")
			if apiMessage(err) != tc.msg {
				t.Errorf("message = %q\nwant      %q", apiMessage(err), tc.msg)
			}
		})
	}
	// A condition key without a vendor prefix is accepted (moto recorded
	// {"StringEqualsIfExists":{"a":"asf"}} as a valid document).
	must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("novendor"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"StringEqualsIfExists":{"a":"asf"}}}}`)}))
}
