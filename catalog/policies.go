package catalog

import (
	"strings"
	"time"
)

// ManagedPolicy is an AWS managed policy, at its default version.
type ManagedPolicy struct {
	Name             string // "ReadOnlyAccess"
	ARN              string // "arn:aws:iam::aws:policy/ReadOnlyAccess"
	Path             string // "/", "/job-function/", "/service-role/", ...
	DefaultVersionID string // "v30"
	// CreateDate and UpdateDate are the policy's, in UTC; UpdateDate is
	// when the default version was made.
	CreateDate, UpdateDate time.Time
	// Document is the default version's policy document: compact JSON,
	// keys in the order AWS returns them.
	Document string
}

type policyIndex struct {
	list   []*ManagedPolicy
	byName map[string]*ManagedPolicy // lower-case name
	byARN  map[string]*ManagedPolicy
}

// ManagedPolicy returns the AWS managed policy with the ARN
// ("arn:aws:iam::aws:policy/job-function/Billing", exactly) or the name
// ("Billing", ignoring ASCII case: IAM names are unique without regard to
// case, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
// or nil. The policies are decoded on the first call.
func (c *Catalog) ManagedPolicy(nameOrARN string) *ManagedPolicy {
	p := c.policies()
	if strings.HasPrefix(nameOrARN, "arn:") {
		return p.byARN[nameOrARN]
	}
	var buf [128]byte
	return p.byName[string(fold(buf[:], nameOrARN))]
}

// ManagedPolicies returns every AWS managed policy, sorted by name.
func (c *Catalog) ManagedPolicies() []*ManagedPolicy { return c.policies().list }

func decodePolicies(blob string) (*policyIndex, error) {
	r := &reader{s: blob, file: "policies"}
	if !strings.HasPrefix(blob, policiesMagic) {
		r.fail("not policies data of this version")
		return nil, r.err
	}
	r.off = len(policiesMagic)
	n := r.count()
	policies := make([]ManagedPolicy, n)
	x := &policyIndex{
		list:   make([]*ManagedPolicy, n),
		byName: make(map[string]*ManagedPolicy, n),
		byARN:  make(map[string]*ManagedPolicy, n),
	}
	for i := range policies {
		p := &policies[i]
		p.Name = r.str()
		p.ARN = r.str()
		p.Path = r.str()
		p.DefaultVersionID = r.str()
		p.CreateDate = time.Unix(int64(r.uint()), 0).UTC()
		p.UpdateDate = time.Unix(int64(r.uint()), 0).UTC()
		p.Document = r.str()
		if r.err != nil {
			return nil, r.err
		}
		if i > 0 && policies[i-1].Name >= p.Name {
			r.fail("policies not sorted by name")
		}
		if !strings.HasPrefix(p.ARN, "arn:") {
			r.fail("policy ARN " + p.ARN)
		}
		x.list[i] = p
		x.byName[string(fold(make([]byte, len(p.Name)), p.Name))] = p
		x.byARN[p.ARN] = p
	}
	if r.off != len(r.s) {
		r.fail("data after the policies")
	}
	if r.err == nil && (len(x.byName) != n || len(x.byARN) != n) {
		r.fail("a policy name or ARN twice")
	}
	if r.err != nil {
		return nil, r.err
	}
	return x, nil
}
