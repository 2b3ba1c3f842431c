// Package authn holds what authentication establishes about a request:
// the typed Principal that made it (the account's root user, an IAM
// user, a role session, a federated user), the credentials it used,
// and the facts of the request that authorization reads (time, source
// address, transport, region). Package server builds a Request once it
// has verified the signature and hands it explicitly to the service
// method of the operation; the services (iam, and sts after it) and
// any later front end read the caller from it and from nowhere else.
//
// The package is pure: ARNs are built with package arn, and the time
// of the request is given, never read.
package authn
