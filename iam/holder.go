package iam

import (
	"maps"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// holder is an identity that has policies: a user, a group or a role.
// The with* methods return a changed copy; the receiver is not modified.
type holder interface {
	entity
	holderName() string
	attachedPolicies() []string
	inlinePolicies() map[string]string
	withAttached([]string) holder
	withInline(map[string]string) holder
}

func (u *user) holderName() string                     { return u.Name }
func (u *user) attachedPolicies() []string             { return u.Attached }
func (u *user) inlinePolicies() map[string]string      { return u.Inline }
func (g *group) holderName() string                    { return g.Name }
func (g *group) attachedPolicies() []string            { return g.Attached }
func (g *group) inlinePolicies() map[string]string     { return g.Inline }
func (r *role) holderName() string                     { return r.Name }
func (r *role) attachedPolicies() []string             { return r.Attached }
func (r *role) inlinePolicies() map[string]string      { return r.Inline }
func (u *user) withAttached(a []string) holder         { c := *u; c.Attached = a; return &c }
func (g *group) withAttached(a []string) holder        { c := *g; c.Attached = a; return &c }
func (r *role) withAttached(a []string) holder         { c := *r; c.Attached = a; return &c }
func (u *user) withInline(m map[string]string) holder  { c := *u; c.Inline = m; return &c }
func (g *group) withInline(m map[string]string) holder { c := *g; c.Inline = m; return &c }
func (r *role) withInline(m map[string]string) holder  { c := *r; c.Inline = m; return &c }

// requireHolder authorizes action on the user, group or role named name
// and returns it.
func (t *txn) requireHolder(kind string, action iamapi.Action, name string, keys map[string][]string) (holder, error) {
	switch kind {
	case kindUser:
		return t.requireUser(action, name, keys)
	case kindGroup:
		return t.requireGroup(action, name, keys)
	default:
		return t.requireRole(action, name, keys)
	}
}

// cloneInline returns a copy of m that can be changed.
func cloneInline(m map[string]string) map[string]string {
	c := maps.Clone(m)
	if c == nil {
		c = make(map[string]string)
	}
	return c
}
