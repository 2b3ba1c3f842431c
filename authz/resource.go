package authz

import (
	"strings"

	"github.com/gatehouse/gatehouse/policy"
)

// resourceRule is how the resource-based policy of one kind of resource
// takes part in a decision, for the services whose resource policy must
// allow. For most resources an allow in either the identity-based or the
// resource-based policy is enough within the resource's account; for the
// ones listed here the resource policy must allow even there:
//
//	"For most resources, you only need an explicit Allow for the principal
//	in either an identity-based policy or a resource-based policy to grant
//	access. IAM role trust policies and KMS key policies are exceptions to
//	this logic, because they must explicitly allow access for principals.
//	Resource-based policies for services other than IAM and AWS KMS may
//	also require an explicit Allow statement within the same account to
//	grant access."
//	https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
//
// A statement that names the caller (or, cross-account, its account)
// grants as any resource policy does; one that names the resource's own
// account (arn:aws:iam::ACCOUNT:root or the account ID) delegates to the
// account's IAM policies, which must then allow too. Further services add
// a row here.
type resourceRule struct {
	// service and action select the requests: the action's service
	// prefix, and a prefix of its name ("" for every action); both lower
	// case, matched case-insensitively as action names are.
	service, action string
	// arnService and resourceType select the resource: the service field
	// of its ARN and the resource type that opens its resource field.
	arnService, resourceType string
	// trust: the resource policy is a role trust policy. A trust policy
	// that names an IAM user directly is still limited by the user's
	// permissions boundary ("If a permissions boundary is set for the
	// user, then it must allow the sts:AssumeRole action."), and the root
	// user cannot assume a role (AWS answers AccessDenied, "Roles may not
	// be assumed by root accounts.").
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
	trust bool
}

// resourceRules is the table of services whose resource policy is
// required.
var resourceRules = [...]resourceRule{
	// The role's trust policy decides who may assume it: "To allow a user
	// to assume a role in the same account, you can do either of the
	// following: Attach a policy to the user that allows the user to call
	// AssumeRole (as long as the role's trust policy trusts the account).
	// Add the user as a principal directly in the role's trust policy."
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html
	{service: "sts", action: "assumerole", arnService: "iam", resourceType: "role/", trust: true},
	// "Unless the key policy explicitly allows it, you cannot use IAM
	// policies to allow access to a KMS key. Without permission from the
	// key policy, IAM policies that allow permissions have no effect."
	// The default key policy "gives the AWS account that owns the KMS key
	// permission to use IAM policies to allow access to all AWS KMS
	// operations on the KMS key" (Principal arn:aws:iam::ACCOUNT:root).
	// https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
	// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
	{service: "kms", arnService: "kms", resourceType: "key/"},
}

// resourceRuleFor returns the rule that covers a request (its action set
// with SetAction), or nil when its resource policy is optional (the usual
// case).
func resourceRuleFor(req *policy.Request) *resourceRule {
	for i := range resourceRules {
		r := &resourceRules[i]
		if !req.ActionHasPrefix(r.service, r.action) {
			continue
		}
		// The ARN's service is its third field, the resource its sixth.
		rest, ok := strings.CutPrefix(req.Resource, "arn:")
		if !ok {
			return nil
		}
		_, rest, _ = strings.Cut(rest, ":") // partition
		arnSvc, rest, _ := strings.Cut(rest, ":")
		_, rest, _ = strings.Cut(rest, ":") // region
		_, res, _ := strings.Cut(rest, ":") // account
		if arnSvc == r.arnService && strings.HasPrefix(res, r.resourceType) {
			return r
		}
	}
	return nil
}
