// Package sigv4 implements AWS Signature Version 4: verification of the
// header and presigned-query forms on the server, with AWS's error codes
// and messages and a cache of derived signing keys, and signing for
// clients (the load generator and tests). Time is always a parameter.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
package sigv4
