// Package policy is the AWS IAM policy language: it parses every element of
// the IAM JSON policy grammar, validates a document for the place it is
// attached (identity, resource, trust, SCP, RCP, session, boundary, endpoint)
// with AWS's MalformedPolicyDocument wording, and compiles policies into an
// index by service and action that evaluates a request without allocating.
// ParseTree gives the document's JSON as written, with where each value
// is, for tools that report on a policy where it is written (package
// policy/lint, IAM Access Analyzer's checks).
//
// The package is pure: every input of an evaluation, the request time
// included, arrives in the Request; nothing here reads a clock, a file or a
// global. The decision across policy types (explicit deny, SCPs, RCPs,
// boundaries, sessions, resource policies) is made by package authz on top of
// the per-set results computed here.
//
// Semantics follow the IAM User Guide:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
package policy
