// Package peers runs the decision scenarios of shared/spec/bench-scenarios.md
// (built by package github.com/gatehouse/gatehouse/bench) on other policy
// engines, cedar-go and MinIO's IAM-style policy package, so their speed
// can be compared with Gatehouse's on the same inputs.
//
// Translations, statement for statement:
//   - Cedar: each IAM statement becomes one permit (Allow) or forbid
//     (Deny) policy; the action list becomes `action in [...]`; the
//     resource ARN is a context attribute `arn`, matched with `like` (IAM's
//   - is Cedar's *; a context attribute costs Cedar less than an entity
//     attribute look-up); IpAddress becomes `isInRange` on an ipaddr in the
//     context, StringLike a `like` on a context string. Cedar has no policy
//     variables, so ${aws:username} in a resource becomes a `like` on the
//     fixed part plus an equality between the ARN's home segment (`owner`,
//     computed when the request is built, outside the loop) and the
//     caller's `username`.
//   - MinIO: the IAM JSON is used as it is (MinIO reads it natively); the
//     scenario's policies are merged and IsAllowed is asked with the bucket,
//     object and condition values.
//
// Cedar and MinIO answer allow or deny only, so ImplicitDeny and
// ExplicitDeny both count as "not allowed" for them.
package peers
