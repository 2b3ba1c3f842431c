package iam

import (
	"errors"
	"github.com/gatehouse/gatehouse/authn"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
)

// authorize decides whether the caller may perform action (the
// generated iamapi.Action of the operation, or one it also needs) on
// resource, with the operation's own context keys. A denial is AWS's
// AccessDenied error naming the policy type that denied.
func (t *txn) authorize(action iamapi.Action, resource string, keys map[string][]string) error {
	if t.exempt() {
		return nil
	}
	p, err := t.caller()
	if err != nil {
		return err
	}
	return t.decide(action, resource, keys, p, &p.Policies)
}

// exempt reports whether the request needs no decision: a dev-mode
// request let through unauthenticated, or the root user, who may do
// anything in its own account.
func (t *txn) exempt() bool {
	r := t.req
	return r.Unchecked || r.IsRoot(r.Account)
}

// decide authorizes action on resource with the policies pols and the
// tags of the caller p (aws:PrincipalTag).
func (t *txn) decide(action iamapi.Action, resource string, keys map[string][]string, p *PrincipalPolicies, pols *authz.Policies) error {
	r := t.req
	ctx := requestContext(r, t.svc.contexts.Get().(*policy.Context), keys)
	defer t.svc.contexts.Put(ctx)
	caller := r.Caller()
	authz.SetPrincipalKeys(&caller, ctx)
	for i, tag := range p.Tags {
		if i < len(p.tagKeys) {
			ctx.Set(p.tagKeys[i], tag.Value)
		} else {
			ctx.Set("aws:PrincipalTag/"+tag.Key, tag.Value)
		}
	}
	req := &authz.Request{
		Caller:   caller,
		Action:   action.String(),
		Resource: resource,
		Context:  ctx,
	}
	if isAWSManagedARN(t.in(resource)) {
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
func accessDenied(r *authn.Request, action iamapi.Action, resource string, d authz.Decision) error {
	msg := "User: " + r.ARN + " is not authorized to perform: " + action.String() + " on resource: " + resource
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

// caller returns the compiled view of the calling IAM user, from the
// view or compiled from the txn's visible state, which does not change
// while the txn runs. A caller that is neither root nor an IAM user of
// this account has no identity policies here.
func (t *txn) caller() (*PrincipalPolicies, error) {
	r := t.req
	if t.callerKey == "" {
		return &PrincipalPolicies{Account: r.Account, Policies: authz.Policies{Identity: noPolicies}}, nil
	}
	k := recordKey{r.Account, kindUser, t.callerKey}
	if p := t.svc.principals.lookup(k); p != nil {
		return p, nil
	}
	b, err := t.svc.prepare(t.base, k)
	if errors.Is(err, ErrNoPrincipal) {
		return nil, awsapi.InvalidClientTokenID()
	}
	if err != nil {
		return nil, err
	}
	return t.svc.finish(b)
}
