package peers

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	minio "github.com/minio/pkg/v3/policy"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/bench"
	"github.com/gatehouse/gatehouse/policy"
)

// Engine decides one prepared scenario.
type Engine interface {
	// Allowed makes the decision.
	Allowed() bool
}

// Cedar is a scenario translated to Cedar.
type Cedar struct {
	ps       *cedar.PolicySet
	entities cedar.EntityMap
	req      cedar.Request
}

// Allowed makes one Cedar authorization.
func (c *Cedar) Allowed() bool {
	d, _ := c.ps.IsAuthorized(c.entities, c.req)
	return d == cedar.Allow
}

// NewCedar translates a scenario.
func NewCedar(sc bench.Scenario) (*Cedar, error) {
	var src strings.Builder
	for _, doc := range sc.Policies {
		d, err := policy.Parse([]byte(doc))
		if err != nil {
			return nil, err
		}
		for _, st := range d.Statements {
			if err := cedarStatement(&src, st); err != nil {
				return nil, err
			}
		}
	}
	ps, err := cedar.NewPolicySetFromBytes("scenario.cedar", []byte(src.String()))
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, src.String())
	}
	principal := cedar.NewEntityUID("User", cedar.String(bench.Username))
	resource := cedar.NewEntityUID("S3::Resource", cedar.String(sc.Resource))
	owner := ""
	if rest, ok := strings.CutPrefix(sc.Resource, "arn:aws:s3:::home/"); ok {
		owner, _, _ = strings.Cut(rest, "/")
	}
	entities := cedar.EntityMap{
		principal: {UID: principal, Attributes: cedar.NewRecord(cedar.RecordMap{"name": cedar.String(bench.Username)})},
		resource: {UID: resource, Attributes: cedar.NewRecord(cedar.RecordMap{
			"arn": cedar.String(sc.Resource), "owner": cedar.String(owner)})},
	}
	ctx := cedar.RecordMap{"arn": cedar.String(sc.Resource), "owner": cedar.String(owner), "username": cedar.String(bench.Username)}
	if ip, ok := sc.Context["aws:SourceIp"]; ok {
		addr, err := types.ParseIPAddr(ip)
		if err != nil {
			return nil, err
		}
		ctx["sourceIp"] = addr
	}
	if ref, ok := sc.Context["aws:Referer"]; ok {
		ctx["referer"] = cedar.String(ref)
	}
	return &Cedar{ps: ps, entities: entities, req: cedar.Request{
		Principal: principal,
		Action:    cedar.NewEntityUID("Action", cedar.String(sc.Action)),
		Resource:  resource,
		Context:   cedar.NewRecord(ctx),
	}}, nil
}

func cedarStatement(w *strings.Builder, st *policy.Statement) error {
	if st.NotAction != nil || st.NotResource != nil {
		return fmt.Errorf("NotAction/NotResource have no Cedar translation here")
	}
	effect := "permit"
	if st.Effect == policy.Deny {
		effect = "forbid"
	}
	var actions []string
	for _, a := range st.Action {
		actions = append(actions, fmt.Sprintf("Action::%q", a))
	}
	var conds []string
	var res []string
	for _, r := range st.Resource {
		if r == "*" {
			res = nil
			break
		}
		if pre, post, ok := strings.Cut(r, "${aws:username}"); ok {
			res = append(res, fmt.Sprintf("(context.arn like %q && context.owner == context.username)", pre+"*"+post))
			continue
		}
		res = append(res, fmt.Sprintf("context.arn like %q", r))
	}
	if len(res) > 0 {
		conds = append(conds, "("+strings.Join(res, " || ")+")")
	}
	for _, c := range st.Conditions {
		var alts []string
		for _, v := range c.Values {
			switch {
			case c.Operator == "IpAddress" && c.Key == "aws:SourceIp":
				alts = append(alts, fmt.Sprintf("context.sourceIp.isInRange(ip(%q))", v))
			case c.Operator == "StringLike" && c.Key == "aws:Referer":
				alts = append(alts, fmt.Sprintf("context.referer like %q", v))
			case c.Operator == "StringLike" && c.Key == "s3:prefix":
				alts = append(alts, "(context has prefix && context.prefix like \"*\")")
			default:
				return fmt.Errorf("condition %s %s has no Cedar translation here", c.Operator, c.Key)
			}
		}
		conds = append(conds, "("+strings.Join(alts, " || ")+")")
	}
	if len(actions) == 1 {
		fmt.Fprintf(w, "%s(principal, action == %s, resource)", effect, actions[0])
	} else {
		fmt.Fprintf(w, "%s(principal, action in [%s], resource)", effect, strings.Join(actions, ", "))
	}
	if len(conds) > 0 {
		fmt.Fprintf(w, " when { %s }", strings.Join(conds, " && "))
	}
	w.WriteString(";\n")
	return nil
}

// MinIO is a scenario on MinIO's policy package.
type MinIO struct {
	pol  minio.Policy
	args minio.Args
}

// Allowed makes one MinIO decision.
func (m *MinIO) Allowed() bool { return m.pol.IsAllowed(m.args) }

// NewMinIO prepares a scenario.
func NewMinIO(sc bench.Scenario) (*MinIO, error) {
	var pols []minio.Policy
	for _, doc := range sc.Policies {
		p, err := minio.ParseConfig(bytes.NewReader([]byte(doc)))
		if err != nil {
			return nil, err
		}
		pols = append(pols, *p)
	}
	bucket, object, _ := strings.Cut(strings.TrimPrefix(sc.Resource, "arn:aws:s3:::"), "/")
	cond := map[string][]string{"username": {bench.Username}}
	for k, v := range sc.Context {
		cond[strings.TrimPrefix(k, "aws:")] = []string{v}
	}
	return &MinIO{pol: minio.MergePolicies(pols...), args: minio.Args{
		AccountName:     bench.Username,
		Action:          minio.Action(sc.Action),
		BucketName:      bucket,
		ObjectName:      object,
		ConditionValues: cond,
	}}, nil
}

// Gatehouse is a scenario on Gatehouse's public API.
type Gatehouse struct{ p *bench.Prepared }

// Allowed makes one Gatehouse decision.
func (g *Gatehouse) Allowed() bool {
	d, _ := g.p.Decide()
	return d.Effect == authz.Allowed
}

// NewGatehouse prepares a scenario.
func NewGatehouse(sc bench.Scenario) (*Gatehouse, error) {
	p, err := bench.Prepare(sc)
	if err != nil {
		return nil, err
	}
	return &Gatehouse{p: p}, nil
}

// Engines lists the engines by name, with their constructors.
var Engines = []struct {
	Name string
	New  func(bench.Scenario) (Engine, error)
}{
	{"Gatehouse", func(sc bench.Scenario) (Engine, error) { return NewGatehouse(sc) }},
	{"Cedar", func(sc bench.Scenario) (Engine, error) { return NewCedar(sc) }},
	{"MinIO", func(sc bench.Scenario) (Engine, error) { return NewMinIO(sc) }},
}
