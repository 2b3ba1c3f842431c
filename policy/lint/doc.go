// Package lint checks a policy as IAM Access Analyzer's ValidatePolicy
// does, for the checks that need no account data, and answers in its
// shape: findings with a findingType (ERROR, SECURITY_WARNING, WARNING,
// SUGGESTION), an issueCode, findingDetails, a learnMoreLink and the
// locations (path and span of text) they are about. IAM's own verdict on
// the policy (package policy: the one MalformedPolicyDocument or
// LimitExceeded error IAM answers when it stores the policy) comes first,
// in the same shape.
//
// The checks read the document as written (policy.Tree), not the parsed
// policy.Document, so that they report on documents IAM rejects and place
// every finding. IAM does not run them when it stores a policy: an ERROR
// here that is not IAM's (an action or condition key the Service
// Authorization Reference does not know, an ARN that fits none of the
// service's formats) is a policy IAM accepts and that cannot work as
// written. Nothing that enforces policies imports this package.
//
// The package is pure, like policy: no I/O, no clock, no logging.
//
// Issue codes, finding types and messages are those of the policy check
// reference and, where the service words a message differently, of
// findings recorded from ValidatePolicy (lint_test.go cites each):
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html
package lint
