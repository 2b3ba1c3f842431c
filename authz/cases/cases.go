package cases

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policy"
)

// Case is one line of input. Its JSON member names are the contract's,
// matched exactly (see checkFields for the names it does not define).
type Case struct {
	ID                  string                     `json:"id"`
	Principal           string                     `json:"principal"`
	ParentUser          string                     `json:"parentUser"`
	Action              string                     `json:"action"`
	Resource            string                     `json:"resource"`
	ResourceAccount     string                     `json:"resourceAccount"`
	Context             map[string]json.RawMessage `json:"context"`
	IdentityPolicies    []json.RawMessage          `json:"identityPolicies"`
	PermissionsBoundary json.RawMessage            `json:"permissionsBoundary"`
	SessionPolicies     []json.RawMessage          `json:"sessionPolicies"`
	EndpointPolicies    []json.RawMessage          `json:"endpointPolicies"`
	SCPs                [][]json.RawMessage        `json:"scps"`
	RCPs                [][]json.RawMessage        `json:"rcps"`
	ResourcePolicy      json.RawMessage            `json:"resourcePolicy"`
	Expect              string                     `json:"expect"`
}

// Result is one line of output.
type Result struct {
	ID       string    `json:"id"`
	Decision string    `json:"decision"`
	Error    string    `json:"error,omitempty"`
	Matched  []Matched `json:"matched,omitempty"`
}

// Matched names a statement that decided.
type Matched struct {
	Type   string `json:"type"`
	Policy string `json:"policy"`
	Sid    string `json:"sid,omitempty"`
}

// Decisions.
const (
	DecisionAllowed      = "Allowed"
	DecisionExplicitDeny = "ExplicitDeny"
	DecisionImplicitDeny = "ImplicitDeny"
	DecisionError        = "Error"
)

// Options change how lines are read.
type Options struct {
	// Strict refuses every member the contract does not define: the
	// line's result is an Error naming it. Without Strict, members the
	// contract does not define are ignored (as the contract says), except
	// a near miss of one it does define (see checkFields).
	Strict bool
}

// Run reads cases from r and writes one result a line to w. It returns
// the first write or read error; bad lines are results, not errors.
func Run(r io.Reader, w io.Writer) error { return RunWith(r, w, Options{}) }

// RunWith is Run with options.
func RunWith(r io.Reader, w io.Writer, opts Options) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := enc.Encode(opts.EvaluateLine(line)); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return bw.Flush()
}

// EvaluateLine decides one JSONL line with the default options.
func EvaluateLine(line []byte) Result { return Options{}.EvaluateLine(line) }

// EvaluateLine decides one JSONL line.
func (o Options) EvaluateLine(line []byte) Result {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(line, &members); err != nil {
		return Result{Decision: DecisionError, Error: "invalid case: " + err.Error()}
	}
	// Keep the id, if the line has one, in the results of bad lines.
	var id string
	_ = json.Unmarshal(members["id"], &id)
	if msg := checkFields(members, o.Strict); msg != "" {
		return Result{ID: id, Decision: DecisionError, Error: "invalid case: " + msg}
	}
	var c Case
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&c); err != nil {
		return Result{ID: id, Decision: DecisionError, Error: "invalid case: " + err.Error()}
	}
	return Evaluate(&c)
}

// fields are the members the contract defines, in its order.
var fields = [...]string{"id", "principal", "parentUser", "action", "resource", "resourceAccount", "context",
	"identityPolicies", "permissionsBoundary", "sessionPolicies", "endpointPolicies", "scps", "rcps",
	"resourcePolicy", "expect"}

// checkFields returns why a line's members are refused, or "". The
// contract says "Unknown fields are ignored", so that decision tables may
// carry their own notes (this corpus has doc and note); but a member that
// is a near miss of a contract field — the same name in another case or
// with _ or -, or within one edit of it (two for names of six letters or
// more, three from twelve): Principal, identityPolicy, resources,
// expected — is a typo whose case
// would otherwise be decided without the member it meant, so it is an
// Error naming the member. With strict, every member the contract does
// not define is an Error.
func checkFields(members map[string]json.RawMessage, strict bool) string {
	names := make([]string, 0, len(members))
	for k := range members {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if slices.Contains(fields[:], k) {
			continue
		}
		if near := nearField(k); near != "" {
			return "unknown field " + strconv.Quote(k) + " (did you mean " + strconv.Quote(near) + "?)"
		}
		if strict {
			return "unknown field " + strconv.Quote(k)
		}
	}
	return ""
}

// nearField returns the contract field k is a near miss of, or "".
func nearField(k string) string {
	nk := normalize(k)
	for _, f := range fields {
		nf := normalize(f)
		limit := 1
		switch {
		case len(nf) >= 12:
			limit = 3
		case len(nf) >= 6:
			limit = 2
		}
		if nk == nf || editDistance(nk, nf) <= limit {
			return f
		}
	}
	return ""
}

func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Evaluate decides one case.
func Evaluate(c *Case) Result {
	res := Result{ID: c.ID}
	d, err := decide(c)
	if err != nil {
		res.Decision, res.Error = DecisionError, err.Error()
		return res
	}
	res.Decision = d.Effect.String()
	for _, r := range d.Reasons() {
		res.Matched = append(res.Matched, Matched{Type: typeName(r.Type), Policy: r.Policy.Name, Sid: r.Sid()})
	}
	return res
}

func typeName(t authz.PolicyType) string {
	switch t {
	case authz.IdentityPolicy:
		return "identity"
	case authz.BoundaryPolicy:
		return "permissionsBoundary"
	case authz.SessionPolicy:
		return "session"
	case authz.EndpointPolicy:
		return "endpoint"
	case authz.SCPPolicy:
		return "scp"
	case authz.RCPPolicy:
		return "rcp"
	case authz.ResourcePolicy:
		return "resource"
	}
	return "none"
}

// caseError is a case that cannot be decided, in words for the result.
type caseError struct{ msg string }

func (e *caseError) Error() string { return e.msg }

func decide(c *Case) (authz.Decision, error) {
	if c.Action == "" {
		return authz.Decision{}, &caseError{"missing action"}
	}
	if c.Resource == "" {
		return authz.Decision{}, &caseError{"missing resource"}
	}
	if c.Principal == "" {
		return authz.Decision{}, &caseError{"missing principal"}
	}
	caller, err := authz.ParseCaller(c.Principal, c.ParentUser)
	if err != nil {
		return authz.Decision{}, err
	}
	ctx := &policy.Context{}
	for k, raw := range c.Context {
		vals, err := contextValues(raw)
		if err != nil {
			return authz.Decision{}, &caseError{"context key " + k + ": " + err.Error()}
		}
		ctx.Set(k, vals...)
	}
	authz.SetPrincipalKeys(&caller, ctx)

	var p authz.Policies
	one := func(raw json.RawMessage, kind policy.Kind, name string) (*policy.Policy, error) {
		data, err := policyBytes(raw)
		if err != nil {
			return nil, &caseError{name + ": " + err.Error()}
		}
		pol, err := policy.ParseAndCompile(data, kind, name)
		if err != nil {
			var pe *policy.Error
			if errors.As(err, &pe) {
				return nil, &caseError{name + ": " + pe.Message}
			}
			return nil, &caseError{name + ": " + err.Error()}
		}
		return pol, nil
	}
	list := func(raws []json.RawMessage, kind policy.Kind, name string) (*policy.Set, error) {
		var pols []*policy.Policy
		for i, raw := range raws {
			pol, err := one(raw, kind, name+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			pols = append(pols, pol)
		}
		return policy.NewSet(pols...), nil
	}
	if p.Identity, err = list(c.IdentityPolicies, policy.Identity, "identityPolicies"); err != nil {
		return authz.Decision{}, err
	}
	if present(c.PermissionsBoundary) {
		pol, err := one(c.PermissionsBoundary, policy.Managed, "permissionsBoundary")
		if err != nil {
			return authz.Decision{}, err
		}
		p.Boundary = policy.NewSet(pol)
	}
	if c.SessionPolicies != nil {
		if p.Session, err = list(c.SessionPolicies, policy.Session, "sessionPolicies"); err != nil {
			return authz.Decision{}, err
		}
	}
	for i, raws := range c.EndpointPolicies {
		s, err := list([]json.RawMessage{raws}, policy.Endpoint, "endpointPolicies["+strconv.Itoa(i)+"]")
		if err != nil {
			return authz.Decision{}, err
		}
		p.Endpoints = append(p.Endpoints, s)
	}
	for i, level := range c.SCPs {
		s, err := list(level, policy.SCP, "scps["+strconv.Itoa(i)+"]")
		if err != nil {
			return authz.Decision{}, err
		}
		p.SCPs = append(p.SCPs, s)
	}
	for i, level := range c.RCPs {
		s, err := list(level, policy.RCP, "rcps["+strconv.Itoa(i)+"]")
		if err != nil {
			return authz.Decision{}, err
		}
		p.RCPs = append(p.RCPs, s)
	}
	if present(c.ResourcePolicy) {
		kind := policy.Resource
		if isTrustRequest(c.Action, c.Resource) {
			kind = policy.Trust
		}
		pol, err := one(c.ResourcePolicy, kind, "resourcePolicy")
		if err != nil {
			return authz.Decision{}, err
		}
		p.Resource = policy.NewSet(pol)
	}
	req := authz.Request{
		Caller:          caller,
		Action:          c.Action,
		Resource:        c.Resource,
		ResourceAccount: c.ResourceAccount,
		Context:         ctx,
	}
	return authz.Decide(&req, &p)
}

// isTrustRequest reports whether the resource policy is a role's trust
// policy: an sts:AssumeRole* action on a role.
func isTrustRequest(action, resource string) bool {
	return strings.HasPrefix(strings.ToLower(action), "sts:assumerole") && strings.Contains(resource, ":iam::") &&
		strings.Contains(resource, ":role/")
}

func present(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// policyBytes accepts a policy as a JSON object or as a string holding
// JSON.
func policyBytes(raw json.RawMessage) ([]byte, error) {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	return t, nil
}

// contextValues accepts a string or a list of strings, as the contract
// says AWS sends them.
func contextValues(raw json.RawMessage) ([]string, error) {
	t := bytes.TrimSpace(raw)
	scalar := func(r json.RawMessage) (string, error) {
		var v any
		d := json.NewDecoder(bytes.NewReader(r))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return "", err
		}
		if x, ok := v.(string); ok {
			return x, nil
		}
		return "", fmt.Errorf("value %s is not a string", r)
	}
	if len(t) > 0 && t[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, err := scalar(it)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(t)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}
