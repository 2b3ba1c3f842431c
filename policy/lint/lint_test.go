package lint_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/policy/lint"
)

// recorded is one finding as Access Analyzer returned it: issue code,
// findingDetails and the paths of its locations (policy.PathString).
type recorded struct {
	code, message string
	paths         []string
}

func validate(t *testing.T, doc string, kind policy.Kind, resourceType ...string) []lint.Finding {
	t.Helper()
	opts := lint.Options{Kind: kind, Partition: "aws"}
	if len(resourceType) > 0 {
		opts.ResourceType = resourceType[0]
	}
	_, fs := lint.Validate([]byte(doc), opts)
	for _, f := range fs {
		if len(f.Locations) == 0 {
			t.Fatalf("%s without a location", f.Code)
		}
		for _, l := range f.Locations {
			s := l.Span
			if s.Start.Offset > s.End.Offset || s.End.Offset > len(doc) || s.Start.Line < 1 {
				t.Fatalf("%s: bad span %+v in %d characters", f.Code, s, len(doc))
			}
		}
	}
	return fs
}

func has(fs []lint.Finding, r recorded) bool {
	for _, f := range fs {
		if f.Code != r.code || r.message != "" && f.Message != r.message || len(f.Locations) != len(r.paths) {
			continue
		}
		ok := true
		for i, l := range f.Locations {
			if policy.PathString(l.Path) != r.paths[i] {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func dump(fs []lint.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n  " + f.Severity.String() + " " + f.Code + " " + f.Message)
		for _, l := range f.Locations {
			b.WriteString(" @" + policy.PathString(l.Path))
		}
	}
	return b.String()
}

// The example of the AWS CLI reference for validate-policy: a Cognito
// role trust policy, with the findings and their spans as the service
// returned them.
// https://awscli.amazonaws.com/v2/documentation/api/latest/reference/accessanalyzer/validate-policy.html
func TestRecordedCLIExample(t *testing.T) {
	doc := `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {
                "Federated": "cognito-identity.amazonaws.com"
            },
            "Action": [
                "sts:AssumeRole",
                "sts:TagSession"
            ],
            "Condition": {
                "StringEquals": {
                    "cognito-identity.amazonaws.com:aud": "us-west-2_EXAMPLE"
                }
            }
        }
    ]
}`
	fs := validate(t, doc, policy.Trust)
	want := []struct {
		code   string
		typ    string
		link   string
		spans  [][6]int // start line, column, offset; end line, column, offset
		detail string
	}{
		{"EMPTY_SID_VALUE", "SUGGESTION", "suggestion-empty-sid-value", [][6]int{{5, 19, 79, 5, 21, 81}},
			"Add a value to the empty string in the Sid element."},
		{"MISMATCHED_ACTION_FOR_PRINCIPAL", "ERROR", "error-mismatched-action-for-principal",
			[][6]int{{11, 16, 258, 11, 32, 274}, {8, 29, 170, 8, 61, 202}},
			"The sts:AssumeRole action is invalid with the following principal(s): cognito-identity.amazonaws.com. Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use either of the two options."},
	}
	for _, w := range want {
		var f *lint.Finding
		for i := range fs {
			if fs[i].Code == w.code {
				f = &fs[i]
			}
		}
		if f == nil {
			t.Errorf("no %s in%s", w.code, dump(fs))
			continue
		}
		if f.Severity.String() != w.typ || f.Message != w.detail ||
			f.LearnMore != "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-"+w.link {
			t.Errorf("%s: %s %q %s", w.code, f.Severity, f.Message, f.LearnMore)
		}
		if len(f.Locations) != len(w.spans) {
			t.Fatalf("%s: %d locations", w.code, len(f.Locations))
		}
		for i, s := range w.spans {
			got := f.Locations[i].Span
			if g := [6]int{got.Start.Line, got.Start.Column, got.Start.Offset, got.End.Line, got.End.Column, got.End.Offset}; g != s {
				t.Errorf("%s location %d: span %v, want %v", w.code, i, g, s)
			}
		}
	}
	for _, f := range fs {
		if f.Code == "MalformedPolicyDocument" {
			t.Errorf("IAM accepts this trust policy: %s", f.Message)
		}
	}
}

// Findings Access Analyzer returned for AWS managed policies (policy type
// IDENTITY_POLICY), as zoph-io/MAMIP records them daily in
// findings/<name>.json; each must be among Validate's findings for the
// same policy (the catalog's copy), with the same issue code, message and
// paths.
func TestRecordedManagedPolicyFindings(t *testing.T) {
	cat := catalog.Default()
	tests := []struct {
		name string
		want []recorded
	}{
		{"AWSAuditManagerAdministratorAccess", []recorded{
			{"MISSING_QUALIFIER", "The request context key events:detail-type has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.", []string{"Statement[10].Condition.StringEquals.\"events:detail-type\""}},
		}},
		{"AWSBackupServiceRolePolicyForBackup", []recorded{
			{"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "The 10827 characters in the identity policy, excluding whitespace, exceed the 10240 character maximum for inline and managed policies. We recommend that you use multiple granular policies.", []string{""}},
		}},
		{"AWSBatchFullAccess", []recorded{
			{"REDUNDANT_ACTION", "The 2 action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: ecs:DescribeClusters.", []string{"Statement[0].Action[9]", "Statement[0].Action[10]"}},
		}},
		{"AWSCodePipeline_FullAccess", []recorded{
			{"STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "Use the operator type ARN instead of operator string for the condition key codestar-notifications:NotificationsForResource.", []string{"Statement[6].Condition.StringLike.\"codestar-notifications:NotificationsForResource\""}},
		}},
		{"AWSCodeStarFullAccess", []recorded{
			{"INVALID_ACTION", "The action cloud9:ValidateEnvironmentName does not exist.", []string{"Statement[0].Action[5]"}},
		}},
		{"AWSDeepLensLambdaFunctionAccessPolicy", []recorded{
			{"REDUNDANT_RESOURCE", "The 2 resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*), or remove the resource arn:aws:s3:::deeplens*/* to remove the redundancy.", []string{"Statement[0].Resource[0]", "Statement[0].Resource[1]"}},
		}},
		{"AWSEC2VssSnapshotPolicy", []recorded{
			{"EQUIVALENT_TO_NULL_FALSE", "We recommend replacing the key aws:RequestTag/AwsVssConfig in the condition block of StringLike with {aws:RequestTag/AwsVssConfig: false} to ensure better enforcement of the condition.", []string{"Statement[1].Condition.StringLike.aws:RequestTag/AwsVssConfig"}},
			{"EQUIVALENT_TO_NULL_FALSE", "We recommend replacing the key aws:RequestTag/AwsVssConfig in the condition block of StringLike with {aws:RequestTag/AwsVssConfig: false} to ensure better enforcement of the condition.", []string{"Statement[4].Condition.StringLike.aws:RequestTag/AwsVssConfig"}},
			{"EQUIVALENT_TO_NULL_FALSE", "We recommend replacing the key ec2:ResourceTag/AwsVssConfig in the condition block of StringLike with {ec2:ResourceTag/AwsVssConfig: false} to ensure better enforcement of the condition.", []string{"Statement[7].Condition.StringLike.ec2:ResourceTag/AwsVssConfig"}},
		}},
		{"AdministratorAccess", []recorded{
			{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.", []string{"Statement[0].Action", "Statement[0].Resource"}},
			{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", []string{"Statement[0].Action", "Statement[0].Resource"}},
		}},
		{"AdministratorAccess-Amplify", []recorded{
			{"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "The 11009 characters in the identity policy, excluding whitespace, exceed the 10240 character maximum for inline and managed policies. We recommend that you use multiple granular policies.", []string{""}},
			{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", []string{"Statement[1].Action[14]", "Statement[1].Resource"}},
			{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", []string{"Statement[2].Action[60]", "Statement[2].Resource"}},
			{"CREATE_SLR_WITH_STAR_IN_RESOURCE", "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.", []string{"Statement[7].Action[21]", "Statement[7].Resource"}},
			{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", []string{"Statement[7].Action[24]", "Statement[7].Resource"}},
		}},
		{"AlexaForBusinessFullAccess", []recorded{
			{"CREATE_SLR_WITH_STAR_IN_RESOURCE", "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.", []string{"Statement[1].Action[0]", "Statement[1].Resource"}},
		}},
		{"AmazonDynamoDBFullAccesswithDataPipeline", []recorded{
			{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", []string{"Statement[3].Action[1]", "Statement[3].Resource[0]"}},
		}},
		{"AmazonElasticMapReduceFullAccess", []recorded{
			{"REDUNDANT_ACTION", "The 2 action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: ec2:DescribeRouteTables.", []string{"Statement[0].Action[16]", "Statement[0].Action[23]"}},
			{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", []string{"Statement[0].Action[36]", "Statement[0].Resource"}},
		}},
		{"AmazonRedshiftAllCommandsFullAccess", []recorded{
			{"REDUNDANT_RESOURCE", "The 4 resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*), or remove the resource arn:aws:s3:::redshift-downloads/* to remove the redundancy.", []string{"Statement[4].Resource[0]", "Statement[4].Resource[1]", "Statement[4].Resource[2]", "Statement[4].Resource[3]"}},
			{"REDUNDANT_RESOURCE", "The 2 resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*), or remove the resource arn:aws:dynamodb:*:*:table/*redshift*/index/* to remove the redundancy.", []string{"Statement[6].Resource[0]", "Statement[6].Resource[1]"}},
		}},
		{"AmazonSecurityLakeMetastoreManager", []recorded{
			{"REDUNDANT_RESOURCE", "The 2 resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*), or remove the resource arn:aws:logs:*:*:log-group:/aws/lambda/AmazonSecurityLake* to remove the redundancy.", []string{"Statement[0].Resource[0]", "Statement[0].Resource[1]"}},
		}},
		{"DataScientist", []recorded{
			{"REDUNDANT_ACTION", "The 3 action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: sns:ListSubscriptions.", []string{"Statement[0].Action[41]", "Statement[0].Action[42]", "Statement[0].Action[49]"}},
		}},
		{"IAMFullAccess", []recorded{
			{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.", []string{"Statement[0].Action[0]", "Statement[0].Resource"}},
			{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", []string{"Statement[0].Action[0]", "Statement[0].Resource"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp := cat.ManagedPolicy(tc.name)
			if mp == nil {
				t.Fatal("not in the catalog")
			}
			fs := validate(t, mp.Document, policy.Identity)
			for _, w := range tc.want {
				if !has(fs, w) {
					t.Errorf("missing %s %q at %v; have%s", w.code, w.message, w.paths, dump(fs))
				}
			}
		})
	}
}

// One case per Access Analyzer check that Validate implements: a document
// that triggers it, and where the finding must point. The checks, their
// issue codes and messages are those of the policy check reference:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// (each case names its section: error-..., security-warning-...,
// general-warning-..., suggestion-...).
func TestChecks(t *testing.T) {
	const v = `"Version":"2012-10-17",`
	st := func(body string) string { return `{` + v + `"Statement":[{` + body + `}]}` }
	allow := `"Effect":"Allow",`
	// The checks of a policy attached to a resource type.
	resourceTypes := map[string]string{
		"error-unsupported-action-in-policy":       "AWS::S3::Bucket",
		"error-unsupported-resource-arn-in-policy": "AWS::S3::Bucket",
	}
	tests := []struct {
		section string
		kind    policy.Kind
		doc     string
		want    recorded
	}{
		// Errors.
		{"error-json-syntax-error", policy.Managed, `{"Version":"2012-10-17",`,
			recorded{"JSON_SYNTAX_ERROR", "Fix the JSON syntax error at index 24 line 1 column 24.", []string{""}}},
		{"error-invalid-policy-element", policy.Managed, st(`"Efect":"Allow","Action":"s3:*","Resource":"*"`),
			recorded{"INVALID_POLICY_ELEMENT", "The policy element Efect is not valid.", []string{`Statement[0]."Efect"`}}},
		{"error-invalid-policy-element (top)", policy.Managed, `{` + v + `"Statment":[]}`,
			recorded{"INVALID_POLICY_ELEMENT", "The policy element Statment is not valid.", []string{`"Statment"`}}},
		{"error-missing-effect", policy.Managed, st(`"Action":"s3:*","Resource":"*"`),
			recorded{"MISSING_EFFECT", "", []string{"Statement[0]"}}},
		{"error-invalid-effect", policy.Managed, st(`"Effect":"Allwo","Action":"s3:*","Resource":"*"`),
			recorded{"INVALID_EFFECT", "The effect Allwo is not valid. Use Allow or Deny.", []string{"Statement[0].Effect"}}},
		{"error-missing-action", policy.Managed, st(allow + `"Resource":"*"`),
			recorded{"MISSING_ACTION", "Add an Action or NotAction element to the policy statement.", []string{"Statement[0]"}}},
		{"error-missing-resource", policy.Managed, st(allow + `"Action":"s3:*"`),
			recorded{"MISSING_RESOURCE", "Add a Resource or NotResource element to the policy statement.", []string{"Statement[0]"}}},
		{"error-missing-statement", policy.Managed, `{` + v + `"Statement":[]}`,
			recorded{"MISSING_STATEMENT", "Add a statement to the policy", []string{"Statement"}}},
		{"error-missing-principal", policy.Resource, st(allow + `"Action":"s3:*","Resource":"*"`),
			recorded{"MISSING_PRINCIPAL", "Add a Principal element to the policy statement.", []string{"Statement[0]"}}},
		{"error-unsupported-principal", policy.Managed, st(allow + `"Principal":"*","Action":"s3:*","Resource":"*"`),
			recorded{"UNSUPPORTED_PRINCIPAL", "The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element.", []string{`Statement[0]."Principal"`}}},
		{"error-invalid-principal-format", policy.Resource, st(allow + `"Principal":"alice","Action":"s3:*","Resource":"*"`),
			recorded{"INVALID_PRINCIPAL_FORMAT", "", []string{"Statement[0].Principal"}}},
		{"error-invalid-principal-key", policy.Resource, st(allow + `"Principal":{"IAM":"111122223333"},"Action":"s3:*","Resource":"*"`),
			recorded{"INVALID_PRINCIPAL_KEY", "The principal key IAM is not valid.", []string{`Statement[0].Principal."IAM"`}}},
		{"error-unsupported-wildcard-in-principal", policy.Resource, st(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"`),
			recorded{"UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "", []string{"Statement[0].Principal.AWS"}}},
		{"error-unsupported-element-combination", policy.Managed, st(allow + `"Action":"s3:*","NotAction":"iam:*","Resource":"*"`),
			recorded{"UNSUPPORTED_ELEMENT_COMBINATION", "The policy elements Action and NotAction can not be used in the same statement. Remove one of these elements.",
				[]string{`Statement[0]."Action"`, `Statement[0]."NotAction"`}}},
		{"error-data-type-mismatch", policy.Managed, st(allow + `"Action":1,"Resource":"*"`),
			recorded{"DATA_TYPE_MISMATCH", "The text does not match the expected JSON data type String.", []string{"Statement[0].Action"}}},
		{"error-invalid-version", policy.Managed, `{"Version":"2012-10-18","Statement":{` + allow + `"Action":"s3:*","Resource":"*"}}`,
			recorded{"INVALID_VERSION", "", []string{"Version"}}},
		{"error-unique-sids-required", policy.Managed, `{` + v + `"Statement":[{"Sid":"A",` + allow + `"Action":"s3:*","Resource":"*"},{"Sid":"A",` + allow + `"Action":"s3:*","Resource":"*"}]}`,
			recorded{"UNIQUE_SIDS_REQUIRED", "", []string{"Statement[0].Sid", "Statement[1].Sid"}}},
		{"error-unsupported-sid", policy.Managed, st(`"Sid":"a b",` + allow + `"Action":"s3:*","Resource":"*"`),
			recorded{"UNSUPPORTED_SID", "", []string{"Statement[0].Sid"}}},
		{"error-invalid-condition-operator", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}`),
			recorded{"INVALID_CONDITION_OPERATOR", "The condition operator StringEqualz is not valid. Use a valid condition operator.", []string{`Statement[0].Condition."StringEqualz"`}}},
		{"error-null-with-if-exists", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}`),
			recorded{"NULL_WITH_IF_EXISTS", "", []string{`Statement[0].Condition."NullIfExists"`}}},
		{"error-invalid-condition-key-format", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}`),
			recorded{"INVALID_CONDITION_KEY_FORMAT", "The condition key format is not valid. Use the format service:keyname.", []string{`Statement[0].Condition.StringEquals."username"`}}},
		{"error-duplicate-keys-with-different-case", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a","aws:UserName":"b"}}`),
			recorded{"DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "", []string{`Statement[0].Condition.StringEquals."aws:UserName"`}}},
		{"error-invalid-condition-multiple-boolean", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":["true","false"]}}`),
			recorded{"INVALID_CONDITION_MULTIPLE_BOOLEAN", "", []string{"Statement[0].Condition.Bool.aws:SecureTransport"}}},
		{"error-invalid-condition-data-type", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":["10",20]}}`),
			recorded{"INVALID_CONDITION_DATA_TYPE", "", []string{"Statement[0].Condition.NumericLessThan.s3:max-keys"}}},
		{"error-invalid-variable-for-operator", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"${aws:username}"}}`),
			recorded{"INVALID_VARIABLE_FOR_OPERATOR", "Policy variables can only be used with String and ARN operators.", []string{"Statement[0].Condition.NumericLessThan.s3:max-keys"}}},
		{"error-missing-qualifier", policy.Managed, st(allow + `"Action":"iam:TagUser","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"team"}}`),
			recorded{"MISSING_QUALIFIER", "The request context key aws:TagKeys has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.", []string{`Statement[0].Condition.StringEquals."aws:TagKeys"`}}},
		{"error-private-ip-address", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			recorded{"PRIVATE_IP_ADDRESS", "", []string{"Statement[0].Condition.IpAddress.aws:SourceIp"}}},
		{"error-private-not-ip-address", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.168.0.0/16"]}}`),
			recorded{"PRIVATE_NOT_IP_ADDRESS", "", []string{"Statement[0].Condition.NotIpAddress.aws:SourceIp"}}},
		{"error-invalid-action", policy.Managed, st(allow + `"Action":"s3:GetObjekt","Resource":"*"`),
			recorded{"INVALID_ACTION", "The action s3:GetObjekt does not exist.", []string{"Statement[0].Action"}}},
		{"error-invalid-action (wildcard)", policy.Managed, st(allow + `"Action":["s3:Frobnicate*"],"Resource":"*"`),
			recorded{"INVALID_ACTION", "The action s3:Frobnicate* does not exist.", []string{"Statement[0].Action[0]"}}},
		{"error-invalid-service-in-action", policy.Managed, st(allow + `"Action":"s4:GetObject","Resource":"*"`),
			recorded{"INVALID_SERVICE_IN_ACTION", "The service s4:GetObject specified in the action does not exist.", []string{"Statement[0].Action"}}},
		{"error-invalid-service", policy.Managed, st(allow + `"Action":"s3:GetObject","Resource":"arn:aws:s4:::b"`),
			recorded{"INVALID_SERVICE", "The service s4 does not exist. Use a valid service name.", []string{"Statement[0].Resource"}}},
		{"error-invalid-global-condition-key", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:Nonsense":"a"}}`),
			recorded{"INVALID_GLOBAL_CONDITION_KEY", "The condition key aws:Nonsense does not exist. Use a valid condition key.", []string{`Statement[0].Condition.StringEquals."aws:Nonsense"`}}},
		{"error-invalid-service-condition-key", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:nonsense":"a"}}`),
			recorded{"INVALID_SERVICE_CONDITION_KEY", "The condition key s3:nonsense does not exist in the service s3. Use a valid condition key.", []string{`Statement[0].Condition.StringEquals."s3:nonsense"`}}},
		{"error-invalid-service (condition key)", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"nimblestudio9:createdBy":"a"}}`),
			recorded{"INVALID_SERVICE", "The service nimblestudio9 does not exist. Use a valid service name.", []string{`Statement[0].Condition.StringEquals."nimblestudio9:createdBy"`}}},
		{"error-invalid-arn-prefix", policy.Managed, st(allow + `"Action":"s3:*","Resource":"aws:s3:::b"`),
			recorded{"INVALID_ARN_PREFIX", "Add the required prefix (arn) to the resource ARN.", []string{"Statement[0].Resource"}}},
		{"error-missing-arn-field", policy.Managed, st(allow + `"Action":"s3:*","Resource":"arn:aws:s3"`),
			recorded{"MISSING_ARN_FIELD", "", []string{"Statement[0].Resource"}}},
		{"error-invalid-arn-service-case", policy.Managed, st(allow + `"Action":"s3:*","Resource":"arn:aws:S3:::b"`),
			recorded{"INVALID_ARN_SERVICE_CASE", "Update the service name S3 in the resource ARN to use all lowercase letters.", []string{"Statement[0].Resource"}}},
		{"error-missing-arn-region", policy.Managed, st(allow + `"Action":"logs:*","Resource":"arn:aws:logs:::log-group:LaunchWizard*"`),
			recorded{"MISSING_ARN_REGION", "Add a Region to the logs resource ARN.", []string{"Statement[0].Resource"}}},
		{"error-arn-region-not-allowed", policy.Managed, st(allow + `"Action":"route53:*","Resource":"arn:aws:route53:us-east-1::hostedzone/Z1"`),
			recorded{"ARN_REGION_NOT_ALLOWED", "The service route53 does not support specifying a Region in the resource ARN.", []string{"Statement[0].Resource"}}},
		{"error-arn-account-not-allowed", policy.Managed, st(allow + `"Action":"route53:*","Resource":"arn:aws:route53::111122223333:hostedzone/Z1"`),
			recorded{"ARN_ACCOUNT_NOT_ALLOWED", "The service route53 does not support specifying an account ID in the resource ARN.", []string{"Statement[0].Resource"}}},
		{"error-invalid-arn-account", policy.Managed, st(allow + `"Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1:1234:q"`),
			recorded{"INVALID_ARN_ACCOUNT", "The resource ARN account ID 1234 is not valid. Provide a 12-digit account ID.", []string{"Statement[0].Resource"}}},
		{"error-invalid-arn-resource", policy.Managed, st(allow + `"Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1:111122223333:instanse/i-0abc"`),
			recorded{"INVALID_ARN_RESOURCE", "Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.", []string{"Statement[0].Resource"}}},
		{"error-unsupported-action-in-policy", policy.Resource, st(allow + `"Principal":"*","Action":["s3:GetObject","s3:ListAllMyBuckets","sqs:SendMessage"],"Resource":"arn:aws:s3:::b/*"`),
			recorded{"UNSUPPORTED_ACTION_IN_POLICY", "The action sqs:SendMessage is not supported for the resource-based policy attached to resource type S3 Bucket.", []string{"Statement[0].Action[2]"}}},
		{"error-unsupported-resource-arn-in-policy", policy.Resource, st(allow + `"Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:us-west-2:111122223333:accesspoint/ap"]`),
			recorded{"UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "The resource ARN is not supported for the resource-based policy attached to resource type S3 Bucket.", []string{"Statement[0].Resource[1]"}}},
		{"error-policy-size-exceeds-scp-quota", policy.SCP, `{` + v + `"Statement":[{` + allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/t":["` + strings.Repeat("x", 5200) + `"]}}}]}`,
			recorded{"POLICY_SIZE_EXCEEDS_SCP_QUOTA", "", []string{""}}},
		{"error-role-trust-policy-syntax-error-notprincipal", policy.Trust, st(`"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"`),
			recorded{"ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", "", []string{`Statement[0]."NotPrincipal"`}}},
		{"error-role-trust-policy-syntax-error-resource", policy.Trust, st(allow + `"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"`),
			recorded{"ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "", []string{`Statement[0]."Resource"`}}},
		{"error-role-trust-policy-unsupported-wildcard-in-principal", policy.Trust, st(allow + `"Principal":"*","Action":"sts:AssumeRole"`),
			recorded{"ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "", []string{"Statement[0].Principal"}}},
		// Security warnings.
		{"security-warning-allow-with-not-principal", policy.Resource, st(allow + `"NotPrincipal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`),
			recorded{"ALLOW_WITH_NOT_PRINCIPAL", "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.", []string{`Statement[0]."NotPrincipal"`}}},
		{"security-warning-forallvalues-with-single-valued-key", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:username":"a"}}`),
			recorded{"FORALLVALUES_WITH_SINGLE_VALUED_KEY", "", []string{`Statement[0].Condition.ForAllValues:StringEquals."aws:username"`}}},
		{"security-warning-pass-role-with-not-resource", policy.Managed, st(allow + `"Action":"iam:PassRole","NotResource":"arn:aws:iam::111122223333:role/admin"`),
			recorded{"PASS_ROLE_WITH_NOT_RESOURCE", "", []string{"Statement[0].Action", "Statement[0].NotResource"}}},
		{"security-warning-pass-role-with-star-in-action-and-not-resource", policy.Managed, st(allow + `"Action":"iam:Pass*","NotResource":"arn:aws:iam::111122223333:role/admin"`),
			recorded{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "", []string{"Statement[0].Action", "Statement[0].NotResource"}}},
		{"security-warning-pass-role-with-not-action-and-not-resource", policy.Managed, st(allow + `"NotAction":"s3:*","NotResource":"arn:aws:iam::111122223333:role/admin"`),
			recorded{"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "", []string{"Statement[0].NotAction", "Statement[0].NotResource"}}},
		{"security-warning-pass-role-with-star-in-resource", policy.Managed, st(allow + `"Action":["s3:GetObject","iam:PassRole"],"Resource":"arn:aws:iam::*:*"`),
			recorded{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "", []string{"Statement[0].Action[1]", "Statement[0].Resource"}}},
		{"security-warning-pass-role-with-star-in-action-and-resource", policy.Managed, st(allow + `"Action":"iam:*","Resource":"*"`),
			recorded{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "", []string{"Statement[0].Action", "Statement[0].Resource"}}},
		{"security-warning-pass-role-with-star-in-resource-and-not-action", policy.Managed, st(allow + `"NotAction":"s3:*","Resource":["arn:aws:iam::111122223333:role/*"]`),
			recorded{"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "", []string{"Statement[0].NotAction", "Statement[0].Resource[0]"}}},
		{"security-warning-string-like-operator-with-arn-condition-keys", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringLike":{"aws:SourceArn":"arn:aws:sns:*"}}`),
			recorded{"STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "Use the operator type ARN instead of operator string for the condition key aws:SourceArn.", []string{`Statement[0].Condition.StringLike."aws:SourceArn"`}}},
		// General warnings.
		{"general-warning-create-slr-with-not-resource", policy.Managed, st(allow + `"Action":"iam:CreateServiceLinkedRole","NotResource":"arn:aws:iam::*:role/x"`),
			recorded{"CREATE_SLR_WITH_NOT_RESOURCE", "", []string{"Statement[0].Action", "Statement[0].NotResource"}}},
		{"general-warning-create-slr-with-star-in-action-and-not-resource", policy.Managed, st(allow + `"Action":"iam:Create*","NotResource":"arn:aws:iam::*:role/x"`),
			recorded{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "", []string{"Statement[0].Action", "Statement[0].NotResource"}}},
		{"general-warning-create-slr-with-not-action-and-not-resource", policy.Managed, st(allow + `"NotAction":"s3:*","NotResource":"arn:aws:iam::*:role/x"`),
			recorded{"CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "", []string{"Statement[0].NotAction", "Statement[0].NotResource"}}},
		{"general-warning-create-slr-with-star-in-resource", policy.Managed, st(allow + `"Action":["iam:CreateServiceLinkedRole"],"Resource":"*"`),
			recorded{"CREATE_SLR_WITH_STAR_IN_RESOURCE", "", []string{"Statement[0].Action[0]", "Statement[0].Resource"}}},
		{"general-warning-create-slr-with-star-in-action-and-resource", policy.Managed, st(allow + `"Action":"*","Resource":"*"`),
			recorded{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "", []string{"Statement[0].Action", "Statement[0].Resource"}}},
		{"general-warning-create-slr-with-star-in-resource-and-not-action", policy.Managed, st(allow + `"NotAction":"s3:*","Resource":"*"`),
			recorded{"CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "", []string{"Statement[0].NotAction", "Statement[0].Resource"}}},
		{"general-warning-missing-version", policy.InlineUser, `{"Statement":{` + allow + `"Action":"s3:*","Resource":"*"}}`,
			recorded{"MISSING_VERSION", "We recommend that you specify the Version element to help you with debugging permission issues.", []string{""}}},
		{"general-warning-unique-sids-recommended", policy.Resource, `{` + v + `"Statement":[{"Sid":"A",` + allow + `"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"A",` + allow + `"Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}]}`,
			recorded{"UNIQUE_SIDS_RECOMMENDED", "", []string{"Statement[0].Sid", "Statement[1].Sid"}}},
		{"general-warning-wildcard-without-like-operator", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/job":"admin-*"}}`),
			recorded{"WILDCARD_WITHOUT_LIKE_OPERATOR", "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.", []string{"Statement[0].Condition.StringEquals.aws:PrincipalTag/job"}}},
		{"general-warning-invalid-date-value", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"1700000000"}}`),
			recorded{"INVALID_DATE_VALUE", "The date 1700000000 might not resolve as expected. We recommend that you use the YYYY-MM-DD format.", []string{"Statement[0].Condition.DateGreaterThan.aws:CurrentTime"}}},
		{"general-warning-type-mismatch", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:CurrentTime":"2020-01-01"}}`),
			recorded{"TYPE_MISMATCH", "Use the operator type Date instead of operator string for the condition key aws:CurrentTime.", []string{`Statement[0].Condition.StringEquals."aws:CurrentTime"`}}},
		{"general-warning-type-mismatch-boolean", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}`),
			recorded{"TYPE_MISMATCH_BOOLEAN", "Add a valid Boolean value (true or false) for the condition operator Bool.", []string{"Statement[0].Condition.Bool.aws:SecureTransport"}}},
		{"general-warning-type-mismatch-date", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":["2020-13-01"]}}`),
			recorded{"TYPE_MISMATCH_DATE", "", []string{"Statement[0].Condition.DateGreaterThan.aws:CurrentTime[0]"}}},
		{"general-warning-type-mismatch-ip-range", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.2.3"}}`),
			recorded{"TYPE_MISMATCH_IP_RANGE", "The condition operator IpAddress is used with an invalid IP range value. Specify the IP range in standard CIDR format.", []string{"Statement[0].Condition.IpAddress.aws:SourceIp"}}},
		{"general-warning-type-mismatch-number", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}`),
			recorded{"TYPE_MISMATCH_NUMBER", "Add a valid numeric value for the condition operator NumericLessThan.", []string{"Statement[0].Condition.NumericLessThan.s3:max-keys"}}},
		{"general-warning-type-mismatch-string", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"BinaryEquals":{"aws:PrincipalTag/t":"not base64!"}}`),
			recorded{"TYPE_MISMATCH_STRING", "Add a valid base64-encoded string value for the condition operator BinaryEquals.", []string{"Statement[0].Condition.BinaryEquals.aws:PrincipalTag/t"}}},
		{"general-warning-policy-size-exceeds-identity-policy-quota", policy.Identity, `{` + v + `"Statement":[{` + allow + `"Action":"s3:*","Resource":["arn:aws:s3:::` + strings.Repeat("b", 10300) + `"]}]}`,
			recorded{"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "", []string{""}}},
		// Suggestions.
		{"suggestion-empty-array-action", policy.Managed, st(allow + `"Action":[],"Resource":"*"`),
			recorded{"EMPTY_ARRAY_ACTION", "This statement includes no actions and does not affect the policy. Specify actions.", []string{"Statement[0].Action"}}},
		{"suggestion-empty-array-resource", policy.Managed, st(allow + `"Action":"s3:*","Resource":[]`),
			recorded{"EMPTY_ARRAY_RESOURCE", "This statement includes no resources and does not affect the policy. Specify resources.", []string{"Statement[0].Resource"}}},
		{"suggestion-empty-array-principal", policy.Resource, st(allow + `"Principal":{"AWS":[]},"Action":"s3:*","Resource":"*"`),
			recorded{"EMPTY_ARRAY_PRINCIPAL", "", []string{"Statement[0].Principal.AWS"}}},
		{"suggestion-empty-object-principal", policy.Resource, st(allow + `"Principal":{},"Action":"s3:*","Resource":"*"`),
			recorded{"EMPTY_OBJECT_PRINCIPAL", "", []string{"Statement[0].Principal"}}},
		{"suggestion-empty-array-condition", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":[]}}`),
			recorded{"EMPTY_ARRAY_CONDITION", "There are no values for the condition key aws:username and it does not affect the policy. Specify conditions.", []string{"Statement[0].Condition.StringEquals.aws:username"}}},
		{"suggestion-empty-array-condition-forallvalues", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}`),
			recorded{"EMPTY_ARRAY_CONDITION_FORALLVALUES", "", []string{"Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys"}}},
		{"suggestion-empty-array-condition-foranyvalue", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":[]}}`),
			recorded{"EMPTY_ARRAY_CONDITION_FORANYVALUE", "", []string{"Statement[0].Condition.ForAnyValue:StringEquals.aws:TagKeys"}}},
		{"suggestion-empty-array-condition-ifexists", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:username":[]}}`),
			recorded{"EMPTY_ARRAY_CONDITION_IFEXISTS", "", []string{"Statement[0].Condition.StringEqualsIfExists.aws:username"}}},
		{"suggestion-empty-object-condition", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{}`),
			recorded{"EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", []string{"Statement[0].Condition"}}},
		{"suggestion-empty-sid-value", policy.Managed, st(`"Sid":"",` + allow + `"Action":"s3:*","Resource":"*"`),
			recorded{"EMPTY_SID_VALUE", "Add a value to the empty string in the Sid element.", []string{"Statement[0].Sid"}}},
		{"suggestion-equivalent-to-null-false", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringLike":{"aws:ResourceTag/team":"*"}}`),
			recorded{"EQUIVALENT_TO_NULL_FALSE", "We recommend replacing the key aws:ResourceTag/team in the condition block of StringLike with {aws:ResourceTag/team: false} to ensure better enforcement of the condition.", []string{"Statement[0].Condition.StringLike.aws:ResourceTag/team"}}},
		{"suggestion-equivalent-to-null-true", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"StringNotLike":{"aws:ResourceTag/team":"*"}}`),
			recorded{"EQUIVALENT_TO_NULL_TRUE", "We recommend replacing the key aws:ResourceTag/team in the condition block of StringNotLike with {aws:ResourceTag/team: true} to ensure better enforcement of the condition.", []string{"Statement[0].Condition.StringNotLike.aws:ResourceTag/team"}}},
		{"suggestion-improve-ip-range", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.7/24"}}`),
			recorded{"IMPROVE_IP_RANGE", "The non-zero bits in the IP address after the masked bits are ignored. Replace address with 203.0.113.0/24.", []string{"Statement[0].Condition.IpAddress.aws:SourceIp"}}},
		{"suggestion-null-with-qualifier", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`),
			recorded{"NULL_WITH_QUALIFIER", "", []string{`Statement[0].Condition."ForAnyValue:Null"`}}},
		{"suggestion-private-ip-address-subset", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}}`),
			recorded{"PRIVATE_IP_ADDRESS_SUBSET", "", []string{"Statement[0].Condition.IpAddress.aws:SourceIp"}}},
		{"suggestion-private-not-ip-address-subset", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}}`),
			recorded{"PRIVATE_NOT_IP_ADDRESS_SUBSET", "", []string{"Statement[0].Condition.NotIpAddress.aws:SourceIp"}}},
		{"suggestion-redundant-action", policy.Managed, st(allow + `"Action":["iam:Get*","iam:List*","iam:GetCredentialReport"],"Resource":"*"`),
			recorded{"REDUNDANT_ACTION", "The 2 action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: iam:GetCredentialReport.", []string{"Statement[0].Action[0]", "Statement[0].Action[2]"}}},
		{"suggestion-redundant-condition-value-num", policy.Managed, st(allow + `"Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":["2700","3600"]}}`),
			recorded{"REDUNDANT_CONDITION_VALUE_NUM", "Multiple values in NumericLessThan are redundant. Replace with the greatest single value for aws:MultiFactorAuthAge.", []string{"Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"}}},
		{"suggestion-redundant-resource", policy.Managed, st(allow + `"Action":"iam:GetRole","Resource":["arn:aws:iam::111122223333:role/jane-admin","arn:aws:iam::111122223333:role/jane-s3only","arn:aws:iam::111122223333:role/jane*"]`),
			recorded{"REDUNDANT_RESOURCE", "The 3 resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*), or remove the resource arn:aws:iam::111122223333:role/jane-s3only to remove the redundancy.",
				[]string{"Statement[0].Resource[0]", "Statement[0].Resource[1]", "Statement[0].Resource[2]"}}},
		{"suggestion-redundant-statement", policy.Managed, `{` + v + `"Statement":[{"Sid":"A",` + allow + `"Action":"s3:GetObject","Resource":"*"},{"Sid":"B",` + allow + `"Action":"s3:GetObject","Resource":"*"}]}`,
			recorded{"REDUNDANT_STATEMENT", "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.", []string{"Statement[0]", "Statement[1]"}}},
		{"suggestion-wildcard-in-service-name", policy.Managed, st(allow + `"Action":"s3:*","Resource":"arn:aws:*code*::111122223333:*"`),
			recorded{"WILDCARD_IN_SERVICE_NAME", "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.", []string{"Statement[0].Resource"}}},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.section, func(t *testing.T) {
			fs := validate(t, tc.doc, tc.kind, resourceTypes[tc.section])
			if !has(fs, tc.want) {
				t.Fatalf("want %s %q at %v; have%s", tc.want.code, tc.want.message, tc.want.paths, dump(fs))
			}
			for _, f := range fs {
				if f.Code == tc.want.code {
					anchor := strings.SplitN(tc.section, " ", 2)[0]
					if !strings.HasSuffix(f.LearnMore, "#access-analyzer-reference-policy-checks-"+anchor) {
						t.Errorf("learnMoreLink %s, want the anchor %s", f.LearnMore, anchor)
					}
				}
			}
		})
		seen[tc.want.code] = true
	}
	// Every issue code Validate can report has a case here.
	for _, code := range lint.IssueCodes() {
		if !seen[code] && code != "MISMATCHED_ACTION_FOR_PRINCIPAL" && code != "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA" {
			t.Errorf("no case for %s", code)
		}
	}
}

// Checks that do not fire on what is fine.
func TestQuiet(t *testing.T) {
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
	}{
		{"plain identity policy", policy.Managed, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}]}`},
		{"PassRole to one role", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"}}`},
		{"PassRole pinned to a service", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}}`},
		{"PassRole denied", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}`},
		{"NotAction excluding iam", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
		{"role name prefix", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/Service*"}}`},
		{"trust policy", policy.Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`},
		{"bucket policy", policy.Resource, `{"Version":"2012-10-17","Statement":{"Sid":"Read","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		{"ARN operator on an ARN key", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"},"StringEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}}}`},
		{"dates and numbers", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"Bool":{"aws:SecureTransport":true}}}}`},
		{"wildcards in a Like operator", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/job":"admin-*"},"StringEquals":{"s3:prefix":"${*}"}}}}`},
		{"public IP", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}}`},
		// ? is one character (arn.Match), so b/*?? does not cover b/€.
		{"? is one character", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*??","arn:aws:s3:::b/€"]}}`},
		{"set operators on a multivalued key", policy.Managed, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if fs := validate(t, tc.doc, tc.kind); len(fs) != 0 {
				t.Errorf("findings on a clean policy:%s", dump(fs))
			}
		})
	}
}

// Validate places every finding, IAM's verdict included, in the text:
// lines from 1, columns and offsets from 0, counted in UTF-16 code units
// as Access Analyzer (a Java service) counts them: é is one, 😀 two, and a
// byte order mark (U+FEFF) one.
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Position.html
func TestValidateLocations(t *testing.T) {
	tests := []struct {
		name, doc, code, path string
		start, end            [3]int // line, column, offset
	}{
		{"misspelled element", "{\"Version\":\"2012-10-17\",\n\"Statement\":{\"Efect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
			"MalformedPolicyDocument", `Statement."Efect"`, [3]int{2, 13, 38}, [3]int{2, 20, 45}},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Allwo","Action":"s3:*","Resource":"*"}]}`,
			"MalformedPolicyDocument", "Statement[0].Effect", [3]int{1, 47, 47}, [3]int{1, 54, 54}},
		{"unknown operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}]}`,
			"MalformedPolicyDocument", `Statement[0].Condition."StringEqualz"`, [3]int{1, 99, 99}, [3]int{1, 113, 113}},
		{"bad resource in a list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["*","arn:awz:s3:::b"]}]}`,
			"MalformedPolicyDocument", "Statement[0].Resource[1]", [3]int{1, 87, 87}, [3]int{1, 103, 103}},
		{"not JSON", "{\"Version\":\n  ]", "MalformedPolicyDocument", "", [3]int{2, 2, 14}, [3]int{2, 2, 14}},
		{"byte order mark", "\xef\xbb\xbf" + `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`,
			"MalformedPolicyDocument", "Statement.Action", [3]int{1, 64, 64}, [3]int{1, 75, 75}},
		{"after non-ASCII text", `{"Version":"2012-10-17","Id":"é😀","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`,
			"MalformedPolicyDocument", "Statement.Action", [3]int{1, 74, 74}, [3]int{1, 85, 85}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := lint.Validate([]byte(tc.doc), lint.Options{Kind: policy.Managed})
			for _, f := range fs {
				if f.Code != tc.code {
					continue
				}
				l := f.Locations[0]
				s := l.Span
				got := [2][3]int{{s.Start.Line, s.Start.Column, s.Start.Offset}, {s.End.Line, s.End.Column, s.End.Offset}}
				if policy.PathString(l.Path) != tc.path || got != [2][3]int{tc.start, tc.end} {
					t.Errorf("at %s %v, want %s %v %v", policy.PathString(l.Path), got, tc.path, tc.start, tc.end)
				}
				return
			}
			t.Fatalf("no %s in%s", tc.code, dump(fs))
		})
	}
}

// The JSON of a finding has the members of Access Analyzer's
// ValidatePolicyFinding, Location, Span, Position and PathElement shapes,
// and only those (AWS's service model, as botocore ships it).
func TestFindingShape(t *testing.T) {
	data, err := os.ReadFile("../../../shared/data/models/accessanalyzer/2019-11-01/service-2.json")
	if err != nil {
		t.Skip(err)
	}
	var model struct {
		Shapes map[string]struct {
			Members  map[string]json.RawMessage
			Required []string
		}
	}
	if err := json.Unmarshal(data, &model); err != nil {
		t.Fatal(err)
	}
	_, fs := lint.Validate([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole"],"Resource":"*","Condition":{"StringEquals":{"aws:MultiFactorAuthPresent":"true"}}}]}`),
		lint.Options{Kind: policy.Managed})
	if len(fs) < 2 {
		t.Fatalf("findings%s", dump(fs))
	}
	out, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	var generic []map[string]any
	if err := json.Unmarshal(out, &generic); err != nil {
		t.Fatal(err)
	}
	check := func(shape string, v map[string]any) {
		t.Helper()
		s, ok := model.Shapes[shape]
		if !ok {
			t.Fatalf("no shape %s", shape)
		}
		for k := range v {
			if _, ok := s.Members[k]; !ok {
				t.Errorf("%s has no member %q", shape, k)
			}
		}
		for _, r := range s.Required {
			if _, ok := v[r]; !ok {
				t.Errorf("%s lacks required %q in %v", shape, r, v)
			}
		}
	}
	for _, f := range generic {
		check("ValidatePolicyFinding", f)
		for _, l := range f["locations"].([]any) {
			loc := l.(map[string]any)
			check("Location", loc)
			for _, p := range loc["path"].([]any) {
				check("PathElement", p.(map[string]any))
				if len(p.(map[string]any)) != 1 {
					t.Errorf("PathElement is a union: %v", p)
				}
			}
			span := loc["span"].(map[string]any)
			check("Span", span)
			check("Position", span["start"].(map[string]any))
			check("Position", span["end"].(map[string]any))
		}
	}
}

// Validate never fails on any input: every finding is located inside the
// text, IAM's verdict is first, and the document is returned when IAM
// accepts it.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"","Efect":"Allow","Action":["s3:Get*","s3:GetObject"],"Resource":["arn:aws:s3:::b*","arn:aws:s3:::b/x"],"Condition":{"StringLike":{"aws:ResourceTag/t":"*"},"IpAddress":{"aws:SourceIp":["10.1.2.3/8"]}}}]}`,
		"\xef\xbb\xbf{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"*\",\"NotResource\":\"arn:aws:iam::*:role/é\"}}",
		`{"Version":`,
	} {
		f.Add([]byte(s))
	}
	v := lint.New(lint.Options{Kind: policy.Managed})
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, fs := v.Validate(data)
		n := len([]rune(string(data))) * 2
		for _, x := range fs {
			if len(x.Locations) == 0 || x.LearnMore == "" || x.Message == "" {
				t.Fatalf("%+v", x)
			}
			for _, l := range x.Locations {
				if l.Span.Start.Offset > l.Span.End.Offset || l.Span.End.Offset > n || l.Span.Start.Line < 1 {
					t.Fatalf("%s: span %+v", x.Code, l.Span)
				}
			}
		}
		// IAM's verdict comes first, and the document is returned
		// exactly when IAM accepts it.
		iam := len(fs) > 0 && (fs[0].Code == "MalformedPolicyDocument" || fs[0].Code == "LimitExceeded")
		if iam == (doc != nil) {
			t.Fatalf("document %v with IAM's verdict %v", doc != nil, iam)
		}
		for _, x := range fs[min(len(fs), 1):] {
			if x.Code == "MalformedPolicyDocument" || x.Code == "LimitExceeded" {
				t.Fatalf("IAM's verdict is not first")
			}
		}
	})
}
