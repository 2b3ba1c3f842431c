package iam

import (
	"errors"
	"sync"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
)

// principalCache holds the compiled policies of callers, keyed by account
// and user key. It is emptied whenever a user, group, role or managed
// policy changes; entries are rebuilt on the next request. An entry is
// stored only if no clear happened while it was built.
type principalCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]*authz.Policies
}

func (c *principalCache) clear() {
	c.mu.Lock()
	c.gen++
	c.m = nil
	c.mu.Unlock()
}

func (c *principalCache) lookup(k string) (*authz.Policies, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k], c.gen
}

func (c *principalCache) store(k string, gen uint64, p *authz.Policies) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil {
		c.m = make(map[string]*authz.Policies)
	}
	c.m[k] = p
}

// authorize decides whether the caller may perform action (the
// generated iamapi.Action of the operation, or one it also needs) on
// resource, with the operation's own context keys. A denial is AWS's
// AccessDenied error naming the policy type that denied.
func (t *txn) authorize(action iamapi.Action, resource string, keys map[string][]string) error {
	if t.exempt() {
		return nil
	}
	pols, err := t.svc.callerPolicies(t)
	if err != nil {
		return err
	}
	return t.decide(action, resource, keys, pols)
}

// exempt reports whether the request needs no decision: a dev-mode
// request let through unauthenticated, or the root user, who may do
// anything in its own account.
func (t *txn) exempt() bool {
	r := t.req
	return r.Unchecked || (r.Caller.Type == policy.Account && r.Caller.Account == r.Account)
}

// decide authorizes action on resource with the caller's policies pols.
func (t *txn) decide(action iamapi.Action, resource string, keys map[string][]string, pols *authz.Policies) error {
	r := t.req
	ctx := r.context(t.svc.contexts.Get().(*policy.Context), keys)
	defer t.svc.contexts.Put(ctx)
	caller := r.Caller
	authz.SetPrincipalKeys(&caller, ctx)
	t.svc.setPrincipalTags(t, ctx)
	req := &authz.Request{
		Caller:   caller,
		Action:   action.String(),
		Resource: resource,
		Context:  ctx,
	}
	if isAWSManagedARN(r.in(resource)) {
		// AWS managed policies (account "aws") have no resource policy:
		// the caller's own policies decide, as in its own account.
		req.ResourceAccount = r.Account
	}
	d, err := authz.Decide(req, pols)
	if err != nil {
		return err
	}
	if r.Trace != nil {
		r.Trace(req.Action, resource, d)
	}
	if d.Effect == authz.Allowed {
		return nil
	}
	return accessDenied(r, action, resource, d)
}

// accessDenied builds AWS's AccessDenied message for a denial.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
func accessDenied(r *Request, action iamapi.Action, resource string, d authz.Decision) error {
	msg := "User: " + r.Caller.ARN + " is not authorized to perform: " + action.String() + " on resource: " + resource
	switch d.Effect {
	case authz.ExplicitDeny:
		msg += " with an explicit deny in " + article(d.Type.String()) + d.Type.String()
	default:
		msg += " because no " + d.Type.String() + " allows the " + action.String() + " action"
	}
	return awsapi.AccessDenied(msg)
}

func article(s string) string {
	if s != "" && (s[0] == 'a' || s[0] == 'e' || s[0] == 'i' || s[0] == 'o' || s[0] == 'u') {
		return "an "
	}
	return "a "
}

// callerPolicies returns the compiled identity policies and boundary of
// the calling user, from the cache or built from the visible state.
func (svc *Service) callerPolicies(t *txn) (*authz.Policies, error) {
	r := t.req
	if r.UserKey == "" {
		// A caller that is neither root nor an IAM user of this account
		// has no identity policies here.
		return &authz.Policies{Identity: policy.NewSet()}, nil
	}
	ck := r.Account + "/" + r.UserKey
	if p, _ := svc.principals.lookup(ck); p != nil {
		return p, nil
	}
	_, gen := svc.principals.lookup(ck)
	view := &txn{svc: svc, req: r, acct: r.Account, base: t.base}
	u, ok := get[*user](view, kindUser, r.UserKey)
	if !ok {
		return nil, awsapi.InvalidClientTokenID()
	}
	var identity []*policy.Policy
	add := func(docs map[string]string, owner string, attached []string) error {
		for _, name := range sortedNames(docs) {
			p, err := policy.ParseAndCompile([]byte(docs[name]), policy.Identity, owner+"/"+name)
			if err != nil {
				return err
			}
			identity = append(identity, p)
		}
		for _, a := range attached {
			p, err := svc.compiledManaged(view, a)
			if err != nil {
				return err
			}
			if p != nil {
				identity = append(identity, p)
			}
		}
		return nil
	}
	if err := add(u.Inline, "user/"+u.Name, u.Attached); err != nil {
		return nil, err
	}
	for _, gid := range u.Groups {
		g := groupByID(view, gid)
		if g == nil {
			continue
		}
		if err := add(g.Inline, "group/"+g.Name, g.Attached); err != nil {
			return nil, err
		}
	}
	p := &authz.Policies{Identity: policy.NewSet(identity...)}
	if u.Boundary != "" {
		b, err := svc.compiledManaged(view, u.Boundary)
		if err != nil {
			return nil, err
		}
		if b == nil {
			p.Boundary = policy.NewSet()
		} else {
			p.Boundary = policy.NewSet(b)
		}
	}
	svc.principals.store(ck, gen, p)
	return p, nil
}

// setPrincipalTags adds aws:PrincipalTag/<key> for the calling user.
func (svc *Service) setPrincipalTags(t *txn, ctx *policy.Context) {
	if t.req.UserKey == "" {
		return
	}
	view := &txn{svc: svc, req: t.req, acct: t.req.Account, base: t.base}
	if u, ok := get[*user](view, kindUser, t.req.UserKey); ok {
		for _, tag := range u.Tags {
			ctx.Set("aws:PrincipalTag/"+tag.Key, tag.Value)
		}
	}
}

// managedKey names one version of a managed policy in the compiled cache.
type managedKey struct {
	id      string // the policy ID (customer) or ARN (AWS managed)
	version string
}

// compiledManaged returns the compiled default version of the managed
// policy with the canonical ARN a, or nil if it no longer exists.
// Compiled versions are cached: a version's document never changes.
func (svc *Service) compiledManaged(t *txn, a string) (*policy.Policy, error) {
	var (
		k   managedKey
		doc string
	)
	if mp := svc.catalog.ManagedPolicy(a); mp != nil && isAWSManagedARN(a) {
		k, doc = managedKey{mp.ARN, mp.DefaultVersionID}, mp.Document
	} else {
		p := customerPolicyByARN(t, a)
		if p == nil {
			return nil, nil
		}
		v := p.version(p.Default)
		if v == nil {
			return nil, errors.New("iam: policy " + a + " has no default version")
		}
		k, doc = managedKey{p.ID, v.ID}, v.Doc
	}
	if c, ok := svc.compiled.Load(k); ok {
		return c.(*policy.Policy), nil
	}
	c, err := policy.ParseAndCompile([]byte(doc), policy.Identity, a)
	if err != nil {
		return nil, err
	}
	svc.compiled.Store(k, c)
	return c, nil
}
