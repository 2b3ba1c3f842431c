package server

import (
	"bytes"
	"context"
	"net/url"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/awsapi/stsapi"
	"github.com/gatehouse/gatehouse/iam"
	"github.com/gatehouse/gatehouse/sigv4"
)

// handler is a generated operation handler of any service (iamapi.Handler,
// stsapi.Handler, ...: they share this type).
type handler func(ctx context.Context, r *authn.Request, form url.Values, w *bytes.Buffer) error

// service is one AWS Query service the server serves. AWS tells its
// services apart by host; Gatehouse serves them all on one endpoint and
// tells them apart by the Version parameter, which every SDK sends.
type service struct {
	version  string // API version, the Query protocol's Version
	xmlns    string // namespace of the service's XML responses and errors
	signing  sigv4.Service
	handlers map[string]handler
	// operations and errorCodes are every operation and modeled error of
	// the service's model, served or not: the closed label sets of
	// /metrics.
	operations, errorCodes []string
}

// faultNamespace is the namespace of the errors AWS answers before a
// request reaches a service: an operation not found for the version.
// Recorded from STS: <ErrorResponse
// xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"> ...
// <Code>InvalidAction</Code> <Message>Could not find operation
// AssumeRoleWithWebIdentity for version NO_VERSION_SPECIFIED</Message>.
const faultNamespace = "http://webservices.amazon.com/AWSFault/2005-15-09"

// noVersion is how AWS names the version of a request without one.
const noVersion = "NO_VERSION_SPECIFIED"

// newServices returns the served services by API version: IAM
// (2010-05-08) and STS (2011-06-15). STS has no operations yet: every
// STS action answers InvalidAction for version 2011-06-15 until the STS
// service is passed here.
func newServices(svc *iam.Service) map[string]*service {
	services := make(map[string]*service)
	for _, s := range []*service{
		queryService("iam", iamapi.APIVersion, iamapi.XMLNamespace, iamapi.Handlers(svc),
			iamapi.Operations, func(op iamapi.Operation) string { return op.Name }, iamapi.ErrorCodes),
		queryService("sts", stsapi.APIVersion, stsapi.XMLNamespace, stsapi.Handlers(nil),
			stsapi.Operations, func(op stsapi.Operation) string { return op.Name }, stsapi.ErrorCodes),
	} {
		services[s.version] = s
	}
	return services
}

// queryService is a Query service from the tables of its generated
// package (awsapi/iamapi, awsapi/stsapi, ...): signed under signingName,
// with the body's own hash as every service but S3 requires.
func queryService[H ~func(context.Context, *authn.Request, url.Values, *bytes.Buffer) error, O any](
	signingName, version, xmlns string, hs map[string]H, ops []O, opName func(O) string, errorCodes []string) *service {
	s := &service{
		version:    version,
		xmlns:      xmlns,
		signing:    sigv4.Service{Name: signingName, Payload: sigv4.PayloadBody, Region: accountsPartition},
		handlers:   make(map[string]handler, len(hs)),
		operations: make([]string, len(ops)),
		errorCodes: errorCodes,
	}
	for name, h := range hs {
		s.handlers[name] = handler(h)
	}
	for i, op := range ops {
		s.operations[i] = opName(op)
	}
	return s
}

// accountsPartition reports whether a signing region is of the accounts'
// partition (iam.Partition). The region picks the partition of the
// request's ARNs, and the stored policies name ARNs of the accounts' own,
// so a request signed for cn-north-1 would see its user as arn:aws-cn:...
// and escape every Deny written for arn:aws:.... AWS answers a region its
// endpoint does not serve in the words of the scope check: IAM's endpoint
// in the aws partition says "Credential should be scoped to a valid
// region, not 'us-west-2'. " (recorded in
// https://github.com/rusoto/rusoto/issues/1870 and
// https://github.com/aws/aws-sdk-go/issues/156). Any region of the
// partition is accepted, since the SDKs sign with the client's region
// when given an endpoint URL.
func accountsPartition(region string) bool { return arn.PartitionForRegion(region) == iam.Partition }

// route finds the service and operation of a request, as AWS does before
// it looks at the signature (some operations, like STS's
// AssumeRoleWithWebIdentity, take none): by the first Version and the
// first Action. A missing Version is AWS's NO_VERSION_SPECIFIED, an
// empty one is itself; an operation no served version has is
// InvalidAction "Could not find operation X for version Y", X empty for
// an empty Action. Recorded from STS: "Could not find operation
// GetCallerIdentity for version NO_VERSION_SPECIFIED", "... for version
// " (Version=), "Could not find operation  for version 2011-06-15"
// (Action=), the first of two Versions or Actions taken.
func (s *Server) route(form url.Values) (*service, string, handler, error) {
	actions := form["Action"]
	if len(actions) == 0 {
		return nil, "", nil, awsapi.MissingAction()
	}
	action := actions[0]
	version := noVersion
	if vs := form["Version"]; len(vs) > 0 {
		version = vs[0]
	}
	svc, ok := s.services[version]
	if !ok {
		return nil, action, nil, awsapi.InvalidAction(action, version)
	}
	h, ok := svc.handlers[action]
	if !ok {
		return nil, action, nil, awsapi.InvalidAction(action, version)
	}
	return svc, action, h, nil
}

// labels are the closed label sets of /metrics for services: every
// operation and error code of their models, and the codes AWS answers
// before a request reaches a service.
func labels(services map[string]*service) (ops, codes []string) {
	codes = append(codes, awsapi.CommonErrorCodes...)
	for _, svc := range services {
		ops = append(ops, svc.operations...)
		codes = append(codes, svc.errorCodes...)
	}
	return ops, codes
}

// errorNamespace is the namespace of an error answered for svc (nil
// before a service is found).
func errorNamespace(svc *service) string {
	if svc == nil {
		return faultNamespace
	}
	return svc.xmlns
}
