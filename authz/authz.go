package authz

import (
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// Effect is the outcome of a decision.
type Effect uint8

// Effects, named as AWS's policy simulator names them.
const (
	ImplicitDeny Effect = iota // no policy allows
	Allowed
	ExplicitDeny
)

var effectNames = [...]string{"ImplicitDeny", "Allowed", "ExplicitDeny"}

func (e Effect) String() string {
	if int(e) < len(effectNames) {
		return effectNames[e]
	}
	return "Effect?"
}

// PolicyType is a type of policy in the evaluation.
type PolicyType uint8

// Policy types.
const (
	NoPolicy PolicyType = iota
	IdentityPolicy
	BoundaryPolicy
	SessionPolicy
	EndpointPolicy
	SCPPolicy
	RCPPolicy
	ResourcePolicy
)

var policyTypeNames = [...]string{"", "identity-based policy", "permissions boundary", "session policy",
	"VPC endpoint policy", "service control policy", "resource control policy", "resource-based policy"}

// String returns AWS's words for the type, as AccessDenied messages use
// them ("identity-based policy", "service control policy", ...).
func (t PolicyType) String() string {
	if int(t) < len(policyTypeNames) {
		return policyTypeNames[t]
	}
	return "PolicyType?"
}

// Policies are the compiled policies in force for one request. A nil set
// is a policy type that does not apply; an empty set is one that applies
// and allows nothing.
type Policies struct {
	// Identity holds the caller's identity-based policies (a user's own
	// and its groups', or a role's). Ignored for the root user, service
	// principals and anonymous callers.
	Identity *policy.Set
	// Boundary is the permissions boundary of the user or role, if any.
	Boundary *policy.Set
	// Session holds the session policies of a session; all of them act
	// as one set.
	Session *policy.Set
	// Endpoints are the VPC endpoint policies the request passes
	// through; each must allow.
	Endpoints []*policy.Set
	// SCPs are the service control policies of the caller's account,
	// one set per level from the organization root down to the account.
	// Nil for the management account or outside an organization.
	SCPs []*policy.Set
	// RCPs are the resource control policies of the resource's account,
	// one set per level, the same way.
	RCPs []*policy.Set
	// Resource is the resource-based policy of the resource (a bucket
	// policy, a role trust policy, a key policy...).
	Resource *policy.Set
}

// Request is one request to decide.
type Request struct {
	Caller   policy.Caller
	Action   string // "s3:GetObject"
	Resource string // an ARN, or "*"
	// ResourceAccount owns the resource. When empty: the account in the
	// resource ARN; where the ARN has none (S3), the caller's account.
	ResourceAccount string
	Context         *policy.Context
}

// Reason names a statement that made a decision.
type Reason struct {
	Type PolicyType
	// Level is the index of the SCP or RCP level, or of the endpoint
	// policy.
	Level int32
	policy.Ref
}

// maxReasons bounds the reasons a Decision keeps.
const maxReasons = 8

// Decision is the outcome of Decide.
type Decision struct {
	Effect Effect
	// Type is the policy type that decided a denial: the one with the
	// explicit deny, or the first one that had no allow.
	Type     PolicyType
	reasons  [maxReasons]Reason
	nreasons int
}

// Reasons returns the statements that made the decision: the deny for an
// explicit deny; for an allow, the allowing statement of each policy type
// that had to allow.
func (d *Decision) Reasons() []Reason { return d.reasons[:d.nreasons] }

func (d *Decision) add(t PolicyType, level int, ref policy.Ref) {
	if ref.IsZero() || d.nreasons == len(d.reasons) {
		return
	}
	d.reasons[d.nreasons] = Reason{Type: t, Level: int32(level), Ref: ref}
	d.nreasons++
}

// ErrInvalidRequest is returned for a request that cannot be decided.
var ErrInvalidRequest = errors.New("authz: invalid request")

// Validate checks that a request can be decided: its action is
// "service:Action" (text on both sides of the colon, no wildcard) and it
// names a resource.
func (r *Request) Validate() error {
	var pr policy.Request
	return r.validate(&pr)
}

// validate is Validate, setting pr's action on the way.
func (r *Request) validate(pr *policy.Request) error {
	if !pr.SetAction(r.Action) {
		return &RequestError{Field: "action", Value: r.Action}
	}
	if r.Resource == "" {
		return &RequestError{Field: "resource", Value: r.Resource}
	}
	return nil
}

// RequestError is a request that cannot be decided.
type RequestError struct {
	Field, Value string
}

func (e *RequestError) Error() string {
	return "authz: invalid " + e.Field + " " + strconvQuote(e.Value)
}

func (e *RequestError) Unwrap() error { return ErrInvalidRequest }

func strconvQuote(s string) string { return "\"" + strings.ReplaceAll(s, "\"", "\\\"") + "\"" }

// resourceAccount applies the default of Request.ResourceAccount.
func (r *Request) resourceAccount() string {
	if r.ResourceAccount != "" {
		return r.ResourceAccount
	}
	if a := arnAccount(r.Resource); a != "" {
		return a
	}
	return r.Caller.Account
}

// arnAccount returns the fifth colon-separated field of s (an ARN's
// account), or "".
func arnAccount(s string) string {
	colons, start := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		if colons++; colons == 4 {
			start = i + 1
		} else if colons == 5 {
			return s[start:i]
		}
	}
	return ""
}

// serviceLinked reports whether the caller is a service-linked role,
// which SCPs and RCPs do not restrict.
func serviceLinked(c *policy.Caller) bool {
	if c.Type != policy.AssumedRole {
		return false
	}
	if strings.Contains(c.RoleARN, ":role/aws-service-role/") {
		return true
	}
	_, rest, _ := strings.Cut(c.ARN, ":assumed-role/")
	return strings.HasPrefix(rest, "AWSServiceRoleFor")
}

// Decide makes the decision. It does not allocate when the request's
// action is valid; a request that cannot be decided returns an error and
// an implicit deny, never an allow. For the services whose resource
// policy must allow (role trust policies for sts:AssumeRole*, KMS key
// policies: see resourceRules) the identity side alone grants nothing,
// in the resource's account too; a resource policy naming the account
// delegates to it.
func Decide(req *Request, p *Policies) (d Decision, err error) {
	c := &req.Caller
	x := decider{p: p, d: &d, preq: policy.Request{Resource: req.Resource, Caller: c, Context: req.Context}}
	// The action is split and lower-cased once for every set.
	if err = req.validate(&x.preq); err != nil {
		return d, err
	}
	resAcct := req.resourceAccount()
	sameAccount := c.Account != "" && c.Account == resAcct
	// SCPs restrict the principals of member accounts: not service
	// principals, anonymous callers or service-linked roles. RCPs restrict
	// every caller of a member account's resource, anonymous and service
	// principals included, except service-linked roles, and only for the
	// services that support them.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
	x.orgApplies = len(p.SCPs) > 0 && c.Type != policy.Service && c.Type != policy.Anonymous && !serviceLinked(c)
	x.rcpApplies = len(p.RCPs) > 0 && !serviceLinked(c) && rcpService(req.Action)
	identityApplies := c.Type == policy.User || c.Type == policy.AssumedRole || c.Type == policy.FederatedUser || c.Type == policy.WebIdentity
	// A Deny with NotPrincipal applies to any IAM principal with a
	// permissions boundary (see policy.Request.Bounded).
	x.preq.Bounded = p.Boundary != nil && (c.Type == policy.User || c.Type == policy.AssumedRole || c.Type == policy.FederatedUser)
	rule := resourceRuleFor(&x.preq)

	var id, bd, ss, rs policy.Result
	// 1. Explicit deny in any policy that applies; note the first
	// organization or endpoint policy level with no allow.
	if x.orgApplies && x.levels(SCPPolicy, p.SCPs) ||
		x.rcpApplies && x.levels(RCPPolicy, p.RCPs) ||
		x.levels(EndpointPolicy, p.Endpoints) {
		return d, nil
	}
	if p.Resource != nil && x.denies(ResourcePolicy, p.Resource, &rs) {
		return d, nil
	}
	if identityApplies {
		if p.Identity != nil && x.denies(IdentityPolicy, p.Identity, &id) ||
			p.Boundary != nil && x.denies(BoundaryPolicy, p.Boundary, &bd) ||
			p.Session != nil && x.denies(SessionPolicy, p.Session, &ss) {
			return d, nil
		}
	}

	// 2. Organization and endpoint policies: every level must allow.
	if x.missing != NoPolicy {
		d.Type = x.missing
		return d, nil
	}

	// 3. The principal's side. The root user may do anything in its own
	// account; anonymous callers and services have no identity side.
	rsAllows := p.Resource != nil && rs.Allowed
	switch c.Type {
	case policy.Account:
		if rule != nil && rule.trust {
			d.Type = ResourcePolicy
			return d, nil
		}
		if sameAccount && rule == nil {
			x.allow()
			return d, nil
		}
		// The root user has the permissions granted to its account, so
		// a resource policy naming the account is enough for it.
		if rsAllows {
			d.add(ResourcePolicy, 0, rs.AllowedBy)
			x.allow()
			return d, nil
		}
		d.Type = ResourcePolicy
		return d, nil
	case policy.Anonymous, policy.Service:
		if rsAllows && rs.Match == policy.MatchDirect {
			d.add(ResourcePolicy, 0, rs.AllowedBy)
			x.allow()
			return d, nil
		}
		d.Type = ResourcePolicy
		return d, nil
	}

	idAllows := p.Identity != nil && id.Allowed
	bdAllows := p.Boundary == nil || bd.Allowed
	ssAllows := p.Session == nil || ss.Allowed
	identityAllows := idAllows && bdAllows && ssAllows
	// firstMissing is the identity-side type that lacked an allow.
	firstMissing := SessionPolicy
	switch {
	case !idAllows:
		firstMissing = IdentityPolicy
	case !bdAllows:
		firstMissing = BoundaryPolicy
	}

	if !sameAccount {
		// Cross-account: both sides must allow.
		if !identityAllows {
			d.Type = firstMissing
			return d, nil
		}
		if !rsAllows {
			d.Type = ResourcePolicy
			return d, nil
		}
		d.add(IdentityPolicy, 0, id.AllowedBy)
		d.add(BoundaryPolicy, 0, bd.AllowedBy)
		d.add(SessionPolicy, 0, ss.AllowedBy)
		d.add(ResourcePolicy, 0, rs.AllowedBy)
		x.allow()
		return d, nil
	}

	// Same account: a resource-based policy that names the caller grants
	// on its own; how it names a session decides whether the boundary
	// and session policies still limit it.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
	if rsAllows {
		switch {
		case rs.Match == policy.MatchDirect && rule != nil && rule.trust && c.Type == policy.User:
			// A trust policy naming the user still needs its boundary.
			if bdAllows {
				d.add(ResourcePolicy, 0, rs.AllowedBy)
				d.add(BoundaryPolicy, 0, bd.AllowedBy)
				x.allow()
				return d, nil
			}
		case rs.Match == policy.MatchDirect:
			d.add(ResourcePolicy, 0, rs.AllowedBy)
			x.allow()
			return d, nil
		case rs.Match == policy.MatchRole, rs.Match == policy.MatchParent:
			if bdAllows && ssAllows {
				d.add(ResourcePolicy, 0, rs.AllowedBy)
				d.add(BoundaryPolicy, 0, bd.AllowedBy)
				d.add(SessionPolicy, 0, ss.AllowedBy)
				x.allow()
				return d, nil
			}
		}
	}
	if rule != nil && !rsAllows {
		// The resource policy must allow: the identity side alone grants
		// nothing, even to an administrator.
		d.Type = ResourcePolicy
		return d, nil
	}
	if identityAllows {
		d.add(IdentityPolicy, 0, id.AllowedBy)
		d.add(BoundaryPolicy, 0, bd.AllowedBy)
		d.add(SessionPolicy, 0, ss.AllowedBy)
		if rule != nil {
			// The resource policy delegated to the account.
			d.add(ResourcePolicy, 0, rs.AllowedBy)
		}
		x.allow()
		return d, nil
	}
	d.Type = firstMissing
	return d, nil
}

// decider holds what the steps of Decide share.
type decider struct {
	p                      *Policies
	d                      *Decision
	preq                   policy.Request
	orgApplies, rcpApplies bool
	// missing is the first organization or endpoint policy level with no
	// allow.
	missing PolicyType
}

// levels evaluates the levels of an organization or endpoint policy
// type, every one of which must allow. It reports an explicit deny.
func (x *decider) levels(t PolicyType, sets []*policy.Set) bool {
	for _, s := range sets {
		r := s.Evaluate(&x.preq)
		if r.Denied {
			x.d.Effect, x.d.Type = ExplicitDeny, t
			x.d.add(t, 0, r.DeniedBy)
			return true
		}
		if !r.Allowed && x.missing == NoPolicy {
			x.missing = t
		}
	}
	return false
}

// denies evaluates one set into r and reports an explicit deny.
func (x *decider) denies(t PolicyType, s *policy.Set, r *policy.Result) bool {
	*r = s.Evaluate(&x.preq)
	if r.Denied {
		x.d.Effect, x.d.Type = ExplicitDeny, t
		x.d.add(t, 0, r.DeniedBy)
		return true
	}
	return false
}

// allow makes the decision an allow, naming the allowing statement of
// each organization and endpoint policy level (evaluated again: cheaper
// than keeping every level's result on the deny path).
func (x *decider) allow() {
	d, p := x.d, x.p
	d.Effect = Allowed
	if x.orgApplies {
		for i, s := range p.SCPs {
			d.add(SCPPolicy, i, s.Evaluate(&x.preq).AllowedBy)
		}
	}
	if x.rcpApplies {
		for i, s := range p.RCPs {
			d.add(RCPPolicy, i, s.Evaluate(&x.preq).AllowedBy)
		}
	}
	for i, s := range p.Endpoints {
		d.add(EndpointPolicy, i, s.Evaluate(&x.preq).AllowedBy)
	}
}

// rcpService reports whether RCPs apply to the action's service.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
func rcpService(action string) bool {
	svc, _, _ := strings.Cut(action, ":")
	s := catalog.Default().Service(svc)
	return s != nil && s.RCPSupported
}
