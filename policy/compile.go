package policy

import (
	"slices"
	"strings"
	"unique"

	"github.com/gatehouse/gatehouse/arn"
)

// Policy is a checked and compiled policy document, ready to be put in a
// Set. It is immutable and may be shared by many sets.
type Policy struct {
	// Name identifies the policy in decisions (an ARN, an inline policy
	// name, or an index); it is not interpreted.
	Name  string
	Kind  Kind
	stmts []*cstmt
}

// cstmt is a compiled statement.
type cstmt struct {
	pol    *Policy
	index  int // in the document
	effect Effect
	sid    string

	actionAll bool        // Action contains "*"
	actions   []actionPat // Action entries (for wildcard fallback)
	notAction []actionPat // NotAction entries; nil if Action is used

	resourceAny bool // Resource contains "*"
	resources   []arnPattern
	notResource bool // resources hold NotResource entries
	noResource  bool // no Resource element (trust policies)

	principal    *cprincipal // nil: no Principal element
	notPrincipal bool        // principal holds NotPrincipal

	conds []condition
}

// actionPat is a compiled Action entry: a lower-cased service prefix and
// a lower-cased name pattern.
type actionPat struct {
	all     bool // "*"
	service string
	name    pattern
}

func compileAction(a string) actionPat {
	if a == "*" {
		return actionPat{all: true}
	}
	// Action names are a small vocabulary shared by every policy:
	// interned, each lower-cased name is held once.
	svc, name, _ := strings.Cut(unique.Make(strings.ToLower(a)).Value(), ":")
	ap := actionPat{service: svc, name: compilePattern(name, true, false)}
	if !ap.name.glob || ap.name.stars != nil {
		// Matched by its text or its stars alone.
		ap.name.toks = nil
	}
	return ap
}

// match takes a lower-cased service and action name.
func (ap *actionPat) match(svc, name string) bool {
	if ap.all {
		return true
	}
	return ap.service == svc && ap.name.like(name, nil)
}

// Compile checks doc for kind (see Document.Check) and compiles it.
func Compile(doc *Document, kind Kind, name string) (*Policy, error) {
	if err := doc.Check(kind); err != nil {
		return nil, err
	}
	p := &Policy{Name: name, Kind: kind, stmts: make([]*cstmt, 0, len(doc.Statements))}
	vars := doc.Version == Version2012
	for i, st := range doc.Statements {
		cs := &cstmt{pol: p, index: i, effect: st.Effect, sid: st.Sid}
		if len(st.Action) > 0 {
			cs.actions = make([]actionPat, 0, len(st.Action))
		}
		for _, a := range st.Action {
			ap := compileAction(a)
			if ap.all {
				cs.actionAll = true
			}
			cs.actions = append(cs.actions, ap)
		}
		for _, a := range st.NotAction {
			cs.notAction = append(cs.notAction, compileAction(a))
		}
		if st.NotAction != nil && cs.notAction == nil {
			cs.notAction = []actionPat{}
		}
		res := st.Resource
		if st.NotResource != nil {
			res, cs.notResource = st.NotResource, true
		}
		cs.noResource = st.Resource == nil && st.NotResource == nil
		if len(res) > 0 {
			cs.resources = make([]arnPattern, 0, len(res))
		}
		for _, r := range res {
			ap := compileARNPattern(r, vars)
			if ap.any && !cs.notResource {
				cs.resourceAny = true
			}
			if !ap.vars && (ap.prefixOnly || !ap.glob) {
				// Matched by its prefix alone (the whole text, for one
				// without wildcards): the tokens are not needed.
				ap.toks, ap.segs, ap.stars = nil, nil, nil
			}
			cs.resources = append(cs.resources, ap)
		}
		switch {
		case st.Principal != nil:
			cs.principal = compilePrincipal(st.Principal)
		case st.NotPrincipal != nil:
			cs.principal, cs.notPrincipal = compilePrincipal(st.NotPrincipal), true
		}
		for _, c := range st.Conditions {
			if c.Key == "" && c.Values == nil {
				continue // an empty operator block constrains nothing
			}
			cc, err := compileCondition(c, vars)
			if err != nil {
				return nil, err
			}
			cs.conds = append(cs.conds, cc)
		}
		p.stmts = append(p.stmts, cs)
	}
	return p, nil
}

// ParseAndCompile parses data, checks its size and rules for kind, and
// compiles it.
func ParseAndCompile(data []byte, kind Kind, name string) (*Policy, error) {
	doc, err := Parse(data)
	if err != nil {
		return nil, kindError(err, kind)
	}
	if err := CheckSize(data, kind, name); err != nil {
		return nil, err
	}
	return Compile(doc, kind, name)
}

// ParseAndCompileText is ParseAndCompile of a document held as a
// string: the compiled policy's strings are pieces of text, not of a
// copy of it, so a caller that keeps the document (a stored policy
// version) holds its text once.
func ParseAndCompileText(text string, kind Kind, name string) (*Policy, error) {
	top, err := parseJSONText(strings.TrimPrefix(text, "\xef\xbb\xbf"))
	if err != nil {
		return nil, kindError(notJSONError(err), kind)
	}
	doc, err := parseDocument(top)
	if err != nil {
		return nil, kindError(err, kind)
	}
	if q := kind.SizeQuota(); q != 0 && textSize(text) > q {
		return nil, sizeError(kind, name)
	}
	return Compile(doc, kind, name)
}

// MustCompile is ParseAndCompile that panics; for tests and tables.
func MustCompile(data string, kind Kind, name string) *Policy {
	p, err := ParseAndCompile([]byte(data), kind, name)
	if err != nil {
		panic(err)
	}
	return p
}

// matchResource reports whether the statement's Resource (or NotResource)
// element lets it apply to resource.
func (cs *cstmt) matchResource(resource string, ctx *Context) bool {
	if cs.noResource {
		return true
	}
	if cs.resourceAny {
		return true
	}
	for i := range cs.resources {
		if cs.resources[i].match(resource, ctx) {
			return !cs.notResource
		}
	}
	return cs.notResource
}

// matchConditions reports whether every condition holds.
func (cs *cstmt) matchConditions(ctx *Context) bool {
	for i := range cs.conds {
		if !cs.conds[i].eval(ctx) {
			return false
		}
	}
	return true
}

// matchNotAction reports whether a NotAction statement applies to the
// action (given lower-cased).
func (cs *cstmt) matchNotAction(svc, name string) bool {
	for i := range cs.notAction {
		if cs.notAction[i].match(svc, name) {
			return false
		}
	}
	return true
}

// CallerType is the kind of identity making a request.
type CallerType uint8

// Caller types, named as aws:PrincipalType names them.
const (
	Anonymous     CallerType = iota // unsigned request
	Account                         // the account's root user
	User                            // an IAM user
	AssumedRole                     // a role session
	FederatedUser                   // a GetFederationToken session
	Service                         // an AWS service principal
	WebIdentity                     // a caller federated by an identity provider (trust policies)
)

var callerTypeNames = [...]string{"Anonymous", "Account", "User", "AssumedRole", "FederatedUser", "Service", "WebIdentity"}

func (t CallerType) String() string {
	if int(t) < len(callerTypeNames) {
		return callerTypeNames[t]
	}
	return "CallerType?"
}

// Caller is the identity making a request, as the Principal and
// NotPrincipal elements of resource-based policies match it.
type Caller struct {
	Type CallerType
	// ARN is the caller's ARN: the user, the session
	// (arn:aws:sts::111122223333:assumed-role/Role/session), the
	// federated user, or the root (arn:aws:iam::111122223333:root).
	ARN     string
	Account string
	// RoleARN is the IAM ARN of the role of an AssumedRole session.
	RoleARN string
	// ParentUserARN is the IAM user that created a FederatedUser session.
	ParentUserARN string
	// Service is the service principal name (s3.amazonaws.com).
	Service string
	// Federated is the identity provider of a WebIdentity caller.
	Federated     string
	CanonicalUser string
}

// MatchKind says how a resource-based policy statement names the caller;
// package authz needs it for the same-account rules.
type MatchKind uint8

// Match kinds, weakest first.
const (
	MatchNone    MatchKind = iota
	MatchAccount           // the caller's account (arn:aws:iam::ACCOUNT:root or the account ID)
	MatchParent            // the IAM user that created a federated-user session
	MatchRole              // the role of a role session
	MatchDirect            // the caller itself, or "*"
)

var matchKindNames = [...]string{"None", "Account", "Parent", "Role", "Direct"}

func (m MatchKind) String() string {
	if int(m) < len(matchKindNames) {
		return matchKindNames[m]
	}
	return "MatchKind?"
}

// cprincipal is a compiled Principal or NotPrincipal element.
type cprincipal struct {
	wildcard  bool // "*" or {"AWS":"*"}
	accounts  []string
	arns      []string
	services  []string
	federated []string
	canonical []string
}

func compilePrincipal(p *Principal) *cprincipal {
	cp := &cprincipal{wildcard: p.Wildcard}
	for _, v := range p.AWS {
		switch {
		case v == "*":
			cp.wildcard = true
		case arn.IsAccountID(v):
			cp.accounts = append(cp.accounts, v)
		case strings.HasSuffix(v, ":root") && strings.HasPrefix(v, "arn:"):
			parts := strings.Split(v, ":")
			cp.accounts = append(cp.accounts, parts[4])
		default:
			cp.arns = append(cp.arns, v)
		}
	}
	cp.services = p.Service
	cp.federated = p.Federated
	cp.canonical = p.CanonicalUser
	return cp
}

// match returns how the element names the caller.
func (cp *cprincipal) match(c *Caller) MatchKind {
	if cp.wildcard {
		return MatchDirect
	}
	best := MatchNone
	for _, a := range cp.arns {
		switch {
		case c.ARN != "" && a == c.ARN:
			return MatchDirect
		case c.Type == AssumedRole && sameRole(a, c.RoleARN):
			best = max(best, MatchRole)
		case c.Type == FederatedUser && a == c.ParentUserARN:
			best = max(best, MatchParent)
		}
	}
	for _, s := range cp.services {
		if c.Type == Service && s == c.Service {
			return MatchDirect
		}
	}
	for _, f := range cp.federated {
		if c.Federated != "" && f == c.Federated {
			return MatchDirect
		}
	}
	for _, u := range cp.canonical {
		if c.CanonicalUser != "" && u == c.CanonicalUser {
			return MatchDirect
		}
	}
	if best == MatchNone && c.Account != "" {
		for _, a := range cp.accounts {
			if a == c.Account {
				return MatchAccount
			}
		}
	}
	return best
}

// sameRole reports whether two IAM role ARNs name the same role. A role
// session's ARN carries no path, so the role ARN derived from it has none;
// AWS matches the role itself, so paths are ignored.
func sameRole(a, b string) bool {
	if a == b {
		return true
	}
	ia, ib := strings.Index(a, ":role/"), strings.Index(b, ":role/")
	if ia < 0 || ib < 0 || a[:ia] != b[:ib] {
		return false
	}
	return a[strings.LastIndexByte(a, '/')+1:] == b[strings.LastIndexByte(b, '/')+1:]
}

// excludes reports whether a NotPrincipal element exempts the caller.
// AWS may evaluate each identity in the caller's chain on its own (the
// account, then the role, then the session), so the caller is exempt only
// when every one of them is listed: a user and its account; a role
// session, its role and its account; a federated user and its account.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func (cp *cprincipal) excludes(c *Caller) bool {
	if cp.wildcard {
		return true
	}
	switch c.Type {
	case Anonymous:
		return false
	case Service:
		return slices.Contains(cp.services, c.Service)
	case WebIdentity:
		return c.Federated != "" && slices.Contains(cp.federated, c.Federated)
	}
	if c.Account == "" || !slices.Contains(cp.accounts, c.Account) {
		return false
	}
	switch c.Type {
	case Account:
		return true
	case AssumedRole:
		if c.RoleARN != c.ARN && !slices.ContainsFunc(cp.arns, func(a string) bool { return sameRole(a, c.RoleARN) }) {
			return false
		}
	}
	return slices.Contains(cp.arns, c.ARN)
}
