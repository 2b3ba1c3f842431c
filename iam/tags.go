package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// finder authorizes action on the entity the request names (with the
// operation's context keys) and returns it, or the AWS error to answer:
// the txn.require* methods.
type finder[P entity] func(t *txn, action iamapi.Action, name string, keys map[string][]string) (P, error)

// changeEntity finds an entity and stages what edit makes of a copy of
// it, in one transaction.
func changeEntity[E any, P interface {
	*E
	entity
}](ctx context.Context, r *authn.Request, svc *Service, find finder[P], action iamapi.Action, name string, keys map[string][]string, edit func(t *txn, e P) error) error {
	return svc.update(ctx, r, func(t *txn) error {
		e, err := find(t, action, name, keys)
		if err != nil {
			return err
		}
		c := P(new(E))
		*c = *e
		if err := edit(t, c); err != nil {
			return err
		}
		t.put(c)
		return nil
	})
}

// tagged is an entity with tags. foldTagKeys says whether its tag keys
// ignore case (see sameTagKey).
type tagged[E any] interface {
	*E
	entity
	tagList() *[]Tag
	foldTagKeys() bool
}

func (u *user) tagList() *[]Tag            { return &u.Tags }
func (r *role) tagList() *[]Tag            { return &r.Tags }
func (p *managedPolicy) tagList() *[]Tag   { return &p.Tags }
func (p *instanceProfile) tagList() *[]Tag { return &p.Tags }
func (m *virtualMFA) tagList() *[]Tag      { return &m.Tags }
func (p *samlProvider) tagList() *[]Tag    { return &p.Tags }
func (p *oidcProvider) tagList() *[]Tag    { return &p.Tags }
func (c *serverCert) tagList() *[]Tag      { return &c.Tags }

func (u *user) foldTagKeys() bool            { return true }
func (r *role) foldTagKeys() bool            { return true }
func (p *managedPolicy) foldTagKeys() bool   { return false }
func (p *instanceProfile) foldTagKeys() bool { return true }
func (m *virtualMFA) foldTagKeys() bool      { return true }
func (p *samlProvider) foldTagKeys() bool    { return true }
func (p *oidcProvider) foldTagKeys() bool    { return true }
func (c *serverCert) foldTagKeys() bool      { return true }

// tagEntity adds or replaces tags of an entity (the Tag* operations),
// with aws:RequestTag/* and aws:TagKeys in the request context.
func tagEntity[E any, P tagged[E]](ctx context.Context, r *authn.Request, svc *Service, find finder[P], action iamapi.Action, name string, tags []iamapi.Tag) error {
	return changeEntity(ctx, r, svc, find, action, name, tagContext(tags, nil), func(_ *txn, e P) error {
		merged, err := mergeTags(*e.tagList(), tags, e.foldTagKeys())
		*e.tagList() = merged
		return err
	})
}

// untagEntity removes tags from an entity (the Untag* operations), with
// aws:TagKeys in the request context.
func untagEntity[E any, P tagged[E]](ctx context.Context, r *authn.Request, svc *Service, find finder[P], action iamapi.Action, name string, keys []string) error {
	return changeEntity(ctx, r, svc, find, action, name, map[string][]string{"aws:TagKeys": keys}, func(_ *txn, e P) error {
		rest, err := removeTags(*e.tagList(), keys, e.foldTagKeys())
		*e.tagList() = rest
		return err
	})
}

// listEntityTags pages through an entity's tags (the List*Tags
// operations), sorted by key as IAM lists them (ListPolicyTags answers
// "A" before "a" for tags added as "a", "A": test_policy_tag_lifecycle in
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_policies.snapshot.json).
func listEntityTags[E any, P tagged[E], O any](ctx context.Context, r *authn.Request, svc *Service, find finder[P], action iamapi.Action, name, marker string, maxItems *int32, build func([]iamapi.Tag, string, bool) *O) (*O, error) {
	var out *O
	err := svc.view(r, func(t *txn) error {
		e, err := find(t, action, name, nil)
		if err != nil {
			return err
		}
		out, err = listTags(action.Name(), *e.tagList(), marker, maxItems, build)
		return err
	})
	return out, err
}
