package iam

import (
	"context"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policy"
)

// Request is what the service knows about the call it is serving: who
// makes it, in which account and partition, and the facts AWS puts in
// the request context. Package server fills it in after authentication
// and passes it in the context (WithRequest).
type Request struct {
	// ID is the request ID, as returned in ResponseMetadata.
	ID string
	// Account is the 12-digit account the caller belongs to; every IAM
	// operation acts on it.
	Account string
	// Partition is the ARN partition of the request ("aws", "aws-cn",
	// ...). ARNs in responses and in decisions use it.
	Partition string
	// Caller is the authenticated principal.
	Caller policy.Caller
	// UserKey is the record key of the calling IAM user; UserID its
	// unique ID (aws:userid). Empty for other callers.
	UserKey string
	UserID  string
	// AccessKeyID is the access key that signed the request.
	AccessKeyID string
	// Time is when the request arrived (aws:CurrentTime, aws:EpochTime).
	Time time.Time
	// SourceIP is the caller's address (aws:SourceIp); Secure says the
	// request came over TLS (aws:SecureTransport).
	SourceIP string
	Secure   bool
	// Region is the signing region (aws:RequestedRegion).
	Region string
	// MFAAge is the time since MFA authentication of a session, if the
	// credentials come from one; nil when unknown (long-term keys).
	MFAAge *time.Duration
	// Unchecked marks a dev-mode request that passed without
	// authentication; like moto, it is not authorized either.
	Unchecked bool
	// Trace, if set, is told each authorization decision the request
	// makes (the server's debug log); nil in the common case.
	Trace func(action, resource string, d authz.Decision)
}

// UserKey returns the key under which the user named name is held.
func UserKey(name string) string { return nameKey(name) }

type requestKey struct{}

// WithRequest returns a context carrying r.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request carried by ctx, or nil.
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// canonicalPartition is the partition of ARNs as they are stored.
const canonicalPartition = "aws"

// Partition is the partition of every account the service holds. The
// policies stored in an account name its ARNs in this partition, so a
// request is only answered in it: decided in another, a Deny naming
// arn:aws:... would match nothing.
const Partition = canonicalPartition

// out turns a stored (canonical) ARN into the request's partition.
func (r *Request) out(canonical string) string {
	return arn.ChangePartition(canonical, canonicalPartition, r.Partition)
}

// in turns an ARN given by the caller into its stored (canonical) form.
// An ARN of another partition is returned unchanged and so matches
// nothing stored.
func (r *Request) in(given string) string {
	return arn.ChangePartition(given, r.Partition, canonicalPartition)
}

// context returns the request context of a decision: the global keys AWS
// always sends, then the operation's own keys.
func (r *Request) context(c *policy.Context, keys map[string][]string) *policy.Context {
	c.Reset()
	for k, v := range keys {
		c.Set(k, v...)
	}
	c.Set("aws:CurrentTime", r.Time.UTC().Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(r.Time.Unix(), 10))
	c.Set("aws:SecureTransport", strconv.FormatBool(r.Secure))
	if r.SourceIP != "" {
		c.Set("aws:SourceIp", r.SourceIP)
	}
	if r.Region != "" {
		c.Set("aws:RequestedRegion", r.Region)
	}
	c.Set("aws:PrincipalIsAWSService", "false")
	c.Set("aws:ViaAWSService", "false")
	if r.UserID != "" {
		c.Set("aws:userid", r.UserID)
	}
	if r.MFAAge != nil {
		c.Set("aws:MultiFactorAuthPresent", "true")
		c.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(r.MFAAge.Seconds()), 10))
	}
	return c
}
