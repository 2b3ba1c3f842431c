// Package authz makes the AWS authorization decision for one request
// across every policy type: identity-based policies, permissions
// boundaries, session policies, VPC endpoint policies, service control
// policies at every level of the organization, resource control policies,
// and resource-based policies, with the same-account and cross-account
// rules, the services whose resource policy must allow (role trust
// policies, KMS key policies), and the root user. It follows the evaluation logic of the IAM
// User Guide:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//
// Like package policy it is pure: no I/O, no clock, no globals. A
// decision names the statements that made it and the policy type that
// denied, as AWS's AccessDenied messages do.
package authz
