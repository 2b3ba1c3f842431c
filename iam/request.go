package iam

import (
	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/policy"
)

// callerKey returns the record key of the IAM user that makes r, or ""
// when another kind of principal does.
func callerKey(r *authn.Request) string {
	if r.Type != policy.User {
		return ""
	}
	return nameKey(r.Name)
}

// canonicalPartition is the partition of ARNs as they are stored.
const canonicalPartition = "aws"

// Partition is the partition of every account the service holds. The
// policies stored in an account name its ARNs in this partition, so a
// request is only answered in it: decided in another, a Deny naming
// arn:aws:... would match nothing.
const Partition = canonicalPartition

// out turns a stored (canonical) ARN into the request's partition.
func (t *txn) out(canonical string) string {
	return arn.ChangePartition(canonical, canonicalPartition, t.req.Partition)
}

// in turns an ARN given by the caller into its stored (canonical) form.
// An ARN of another partition is returned unchanged and so matches
// nothing stored.
func (t *txn) in(given string) string { return inPartition(t.req, given) }

func inPartition(r *authn.Request, given string) string {
	return arn.ChangePartition(given, r.Partition, canonicalPartition)
}

// requestContext returns the request context of a decision: the
// operation's own keys, then the global keys AWS always sends.
func requestContext(r *authn.Request, c *policy.Context, keys map[string][]string) *policy.Context {
	c.Reset()
	for k, v := range keys {
		c.Set(k, v...)
	}
	r.SetGlobalKeys(c)
	return c
}
