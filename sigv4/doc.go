// Package sigv4 implements AWS Signature Version 4: verification of the
// header and presigned-query forms on the server, with AWS's error codes,
// messages and statuses in AWS's order of checks (Parse, then
// Result.Validate, then Verifier.CheckSignature, the caller resolving the
// access key and session token between the last two), a cache of derived
// signing keys, and signing for clients (the load generator and tests).
// What a service requires of a signature (its signing name, how the
// payload is hashed, the clock skew) is a Service. Time is always a
// parameter.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
package sigv4
