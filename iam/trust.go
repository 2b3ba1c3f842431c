package iam

import (
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
)

// Trust policies name their principals by ARN, but IAM binds each IAM
// user and role it names to that principal's unique ID when the policy is
// written: a principal that does not exist is refused, and once the
// principal is deleted the policy shows its unique ID instead of the ARN
// (a user or role created again under the name is another principal,
// which the policy does not trust).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_policy-examples.html#example-delegate-xaccount-rolesapi
// ("When you save the policy, AWS transforms the ARN to a unique
// principal ID ... if you delete the role or user, then the relationship
// is broken. The policy no longer applies, even if you recreate the user
// or role ... the principal ID shows up in the console because AWS can no
// longer map it back to an ARN.") and the recorded answer for a role
// that does not exist:
// MalformedPolicyDocument "Invalid principal in policy:
// "AWS":"arn:aws:iam::959325414060:role/bk-1588-092-a-eks-nodes""
// (https://github.com/opstrace/opstrace/issues/88).
//
// What is checked: the users and roles of every account this server
// holds, the caller's own account and the others alike (IAM is one
// service for all accounts, and AWS refuses another account's role that
// does not exist too). An account this server does not hold cannot be
// known, so its principals are taken as written, as are account IDs and
// root ARNs, role sessions (sts assumed-role and federated-user ARNs),
// services, federated identity providers, canonical users and "*".

// trustBinding is one IAM user or role a trust policy names, bound to the
// principal's unique ID when the policy was written.
type trustBinding struct {
	Written string `json:"w"`  // the ARN as the document has it
	ARN     string `json:"a"`  // canonical ARN
	ID      string `json:"id"` // unique ID (AIDA..., AROA...)
}

// checkTrust checks the trust policy doc of role as IAM does: the
// document's own checks (checkDocument), then the IAM principals it
// names, which must exist. It returns their bindings, or IAM's
// MalformedPolicyDocument.
func (t *txn) checkTrust(doc, role string) ([]trustBinding, error) {
	d, err := policy.CheckDocument([]byte(doc), policy.Trust, role, "")
	if err != nil {
		return nil, policyError(err)
	}
	var out []trustBinding
	for _, st := range d.Statements {
		for _, p := range []*policy.Principal{st.Principal, st.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, v := range p.AWS {
				b, ok, err := t.bindPrincipal(v)
				if err != nil {
					return nil, err
				}
				if ok && !slices.Contains(out, b) {
					out = append(out, b)
				}
			}
		}
	}
	return out, nil
}

// bindPrincipal binds one value of an "AWS" principal: ok is false for a
// value that is not bound (see the package comment above).
func (t *txn) bindPrincipal(written string) (trustBinding, bool, error) {
	canonical := t.in(written)
	a, err := arn.Parse(canonical)
	if err != nil || a.Partition != canonicalPartition || a.Service != "iam" {
		return trustBinding{}, false, nil
	}
	kind, rest, ok := strings.Cut(a.Resource, "/")
	if !ok || (kind != "user" && kind != "role") {
		return trustBinding{}, false, nil
	}
	if a.AccountID != t.acct && t.base.accounts[a.AccountID] == nil {
		return trustBinding{}, false, nil // an account this server does not hold
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	id := t.principalID(a.AccountID, kind, name, canonical)
	if id == "" {
		return trustBinding{}, false, iamapi.MalformedPolicyDocument("Invalid principal in policy: \"AWS\":\"%s\"", written)
	}
	return trustBinding{Written: written, ARN: canonical, ID: id}, true, nil
}

// principalID returns the unique ID of the user or role of account whose
// canonical ARN is canonical, or "" if there is none.
func (t *txn) principalID(account, kind, name, canonical string) string {
	var e entity
	if account == t.acct {
		// The transaction's own account: what it has staged counts.
		if kind == "user" {
			if u, ok := get[*user](t, kindUser, nameKey(name)); ok {
				e = u
			}
		} else if r, ok := get[*role](t, kindRole, nameKey(name)); ok {
			e = r
		}
	} else {
		k := kindUser
		if kind == "role" {
			k = kindRole
		}
		e = t.base.lookup(recordKey{account, k, nameKey(name)})
	}
	switch x := e.(type) {
	case *user:
		if iamapi.UserARN(canonicalPartition, account, x.Path, x.Name) == canonical {
			return x.ID
		}
	case *role:
		if iamapi.RoleARN(canonicalPartition, account, x.Path, x.Name) == canonical {
			return x.ID
		}
	}
	return ""
}

// trustDocument is a role's trust policy as IAM shows it: IAM keeps the
// unique IDs and turns them back into ARNs when it shows the policy, so
// a user renamed or moved since shows under its ARN of now, and a
// principal that no longer exists (deleted, or deleted and created
// again, which makes another principal) shows as its unique ID.
func (t *txn) trustDocument(r *role) string {
	doc := r.Trust
	for _, b := range r.TrustIDs {
		a, err := arn.Parse(b.ARN)
		if err != nil {
			continue
		}
		kind, rest, _ := strings.Cut(a.Resource, "/")
		if t.principalID(a.AccountID, kind, rest[strings.LastIndexByte(rest, '/')+1:], b.ARN) == b.ID {
			continue
		}
		shown := b.ID
		if kind == "user" {
			if u := t.userByID(a.AccountID, b.ID); u != nil {
				shown = t.out(iamapi.UserARN(canonicalPartition, a.AccountID, u.Path, u.Name))
			}
		}
		doc = strings.ReplaceAll(doc, `"`+b.Written+`"`, `"`+shown+`"`)
	}
	return doc
}

// userByID returns the user of account with unique ID id, or nil.
func (t *txn) userByID(account, id string) *user {
	if account == t.acct {
		return byID[*user](t, kindUser, id)
	}
	if a := t.base.accounts[account]; a != nil {
		if u, ok := a.ix.byID[idKey{kindUser, id}].e.(*user); ok {
			return u
		}
	}
	return nil
}
