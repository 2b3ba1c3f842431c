// Package server is Gatehouse's HTTP front: it serves the IAM API (and
// the STS API, whose operations come later) over the AWS Query protocol
// as AWS does, so the aws CLI, boto3, Terraform and the AWS SDKs work
// against it unchanged.
//
// It is a thin adapter. For each request it reads and decodes the form,
// routes it by Version and Action to a served service and operation
// (services.go), authenticates the SigV4 signature for that service
// against the access keys the IAM service knows (auth.go), resolves the
// caller into a typed principal and the request's facts into an
// authn.Request, and calls the generated handler of the operation with
// it, which validates the input against the AWS model and passes the
// request explicitly to the service method; the service authorizes and
// acts. Errors are turned into AWS's error envelope in one place
// (writeError). The server also serves /healthz, /readyz and Prometheus
// /metrics, and in dev mode the moto-compatible /moto-api/reset and
// /moto-api/reset-auth.
package server
