package iam

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policy"
)

// The authorization view: the compiled policies of the IAM users and
// roles that requests name, kept current record by record.
//
// An entry is compiled on first use from the visible state and lists
// the records it read, its dependencies: the principal's own record,
// the groups a user is in (by unique ID, so a renamed group is the same
// dependency) and the customer managed policies it attaches, directly
// or through a group, or has as its boundary (by record key, whether or
// not the policy exists). state.set, the one function that changes the
// in-memory state (a local commit, an entry of the change log, a load),
// calls changed for every record it sets, and changed drops exactly the
// entries that list it; their next request compiles them again. AWS
// managed policies are no dependency: their versions come from the
// catalog and never change.
//
// Nothing stale is ever stored. A build reads the state in prepare,
// while the state cannot change (its caller holds svc.mu for reading,
// or is the writer), and registers its slot and dependencies before it
// lets go; it compiles outside any lock and stores the entry in finish
// only if its slot is still the principal's. A change between the two
// evicts the slot, so the build answers its own request and stores
// nothing.

// PrincipalKind is the kind of an IAM principal with identity policies.
type PrincipalKind uint8

const (
	// UserPrincipal is an IAM user: its inline and attached policies and
	// those of its groups.
	UserPrincipal PrincipalKind = iota + 1
	// RolePrincipal is an IAM role: its inline and attached policies.
	// A role session adds its session policies on top.
	RolePrincipal
)

func (k PrincipalKind) recordKind() string {
	switch k {
	case UserPrincipal:
		return kindUser
	case RolePrincipal:
		return kindRole
	}
	return ""
}

// PrincipalPolicies is the compiled view of one IAM user or role: what
// authorizing its requests needs from IAM. It is shared by every reader
// and must not be changed; a session copies Policies and sets Session.
type PrincipalPolicies struct {
	Account string
	Kind    PrincipalKind
	Path    string
	Name    string
	ID      string
	// Tags are the principal's tags (aws:PrincipalTag/<key>).
	Tags []Tag
	// tagKeys are the context keys of Tags, "aws:PrincipalTag/<key>",
	// built once for every decision.
	tagKeys []string
	// Policies has Identity (the principal's inline and attached
	// policies, a user's groups' too) and Boundary (nil without a
	// permissions boundary; empty if the boundary policy is gone).
	Policies authz.Policies
}

// ErrNoPrincipal is returned by Service.PrincipalPolicies for a user or
// role that does not exist.
var ErrNoPrincipal = errors.New("iam: no such user or role")

// PrincipalPolicies returns the compiled view of the user or role named
// name in account, from the view or compiled from the visible state.
// It does not depend on a request: IAM's own authorization, STS
// sessions and other front ends all read this one view, and a change to
// the principal, its groups or its policies is in the answer of the
// next call after state.set applied it.
func (svc *Service) PrincipalPolicies(account string, kind PrincipalKind, name string) (*PrincipalPolicies, error) {
	k := recordKey{account, kind.recordKind(), nameKey(name)}
	if k.kind == "" {
		return nil, ErrNoPrincipal
	}
	if p := svc.principals.lookup(k); p != nil {
		return p, nil
	}
	svc.mu.RLock()
	b, err := svc.prepare(svc.state, k)
	svc.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return svc.finish(b)
}

// principalView holds the compiled entries of principals and who depends
// on which record.
type principalView struct {
	// warm, if set, is told of every record set, before the view drops
	// what depends on it (Service.warmManaged).
	warm  func(e entity)
	mu    sync.RWMutex
	slots map[recordKey]*viewSlot // principal record -> its slot
	deps  map[recordKey]*depSet   // record -> the slots that read it
	// compiles counts the entries compiled (tests count recompilations).
	compiles atomic.Uint64
}

// viewSlot is one principal's place in the view: registered when a build
// has read its state, filled when the build has compiled it.
type viewSlot struct {
	key   recordKey // the principal's record
	deps  []*depSet // what the build read
	entry *PrincipalPolicies
}

// depSet is the slots that read one record. A slot lists the sets it
// is in (a pointer each, not the record's key).
type depSet struct {
	key   recordKey
	slots map[*viewSlot]struct{}
}

// depGroupID is the pseudo record kind of a group dependency: keyed by
// the group's unique ID, which a user record names.
const depGroupID = "group#id"

// lookup returns the compiled entry of principal k, or nil.
func (v *principalView) lookup(k recordKey) *PrincipalPolicies {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if s := v.slots[k]; s != nil {
		return s.entry
	}
	return nil
}

// changed drops the entries that depend on record k, which state.set
// changed from old to e (either nil).
func (v *principalView) changed(k recordKey, old, e entity) {
	if v.warm != nil && e != nil {
		v.warm(e)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.drop(k)
	if k.kind == kindGroup {
		if g, ok := old.(*group); ok {
			v.drop(recordKey{k.account, depGroupID, g.ID})
		}
		if g, ok := e.(*group); ok {
			v.drop(recordKey{k.account, depGroupID, g.ID})
		}
	}
}

// reset drops every entry: the state was replaced as a whole.
func (v *principalView) reset() {
	v.mu.Lock()
	v.slots, v.deps = nil, nil
	v.mu.Unlock()
}

// drop evicts every slot that depends on record d. v.mu is held.
func (v *principalView) drop(d recordKey) {
	set := v.deps[d]
	if set == nil {
		return
	}
	for s := range set.slots {
		v.evict(s)
	}
}

// evict removes slot s and its dependencies. v.mu is held.
func (v *principalView) evict(s *viewSlot) {
	for _, set := range s.deps {
		delete(set.slots, s)
		if len(set.slots) == 0 && v.deps[set.key] == set {
			delete(v.deps, set.key)
		}
	}
	if v.slots[s.key] == s {
		delete(v.slots, s.key)
	}
}

// register returns the slot of principal k with deps among its
// dependencies, creating it if needed, and its entry if a racing build
// has stored one. The state deps were read from must not have changed
// since; a slot already there was registered from the same state, so it
// has the same dependencies (they are added anyway, which can only drop
// an entry sooner).
func (v *principalView) register(k recordKey, deps []recordKey) (*viewSlot, *PrincipalPolicies) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.slots[k]
	if s == nil {
		if v.slots == nil {
			v.slots = make(map[recordKey]*viewSlot)
			v.deps = make(map[recordKey]*depSet)
		}
		s = &viewSlot{key: k}
		v.slots[k] = s
	}
	for _, d := range deps {
		set := v.deps[d]
		if set == nil {
			set = &depSet{key: d, slots: make(map[*viewSlot]struct{})}
			v.deps[d] = set
		}
		if _, ok := set.slots[s]; !ok {
			set.slots[s] = struct{}{}
			s.deps = append(s.deps, set)
		}
	}
	return s, s.entry
}

// fill stores p as the entry of slot s if s is still its principal's
// slot, and returns the entry to use: one stored before by a racing
// build, or p.
func (v *principalView) fill(s *viewSlot, p *PrincipalPolicies) *PrincipalPolicies {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.slots[s.key] != s {
		return p // changed meanwhile: p answers its own request only
	}
	if s.entry == nil {
		s.entry = p
	}
	return s.entry
}

// viewSource is one policy of a principal, as read from the state: an
// inline document or the default version of a managed policy.
type viewSource struct {
	name string // the compiled policy's ID: owner/name, or the ARN
	doc  string // the document
}

// viewBuild is what prepare read for one principal's entry.
type viewBuild struct {
	slot     *viewSlot
	ready    *PrincipalPolicies // compiled by a racing build meanwhile
	entry    PrincipalPolicies  // without Policies
	identity []viewSource
	boundary *viewSource // nil: no boundary
	noPolicy bool        // the boundary names a policy that is gone
}

// prepare reads the sources of principal k's entry from st and registers
// its slot. st must not change meanwhile: the caller holds svc.mu for
// reading or is the writer. It returns ErrNoPrincipal if k is not there.
func (svc *Service) prepare(st *state, k recordKey) (*viewBuild, error) {
	t := &txn{svc: svc, acct: k.account, base: st}
	b := &viewBuild{entry: PrincipalPolicies{Account: k.account}}
	deps := []recordKey{k}
	add := func(docs map[string]string, owner string, attached []string) error {
		for _, name := range sortedNames(docs) {
			b.identity = append(b.identity, viewSource{name: owner + "/" + name, doc: docs[name]})
		}
		for _, a := range attached {
			src, ok, err := svc.managedSource(t, a, &deps)
			if err != nil {
				return err
			}
			if ok {
				b.identity = append(b.identity, src)
			}
		}
		return nil
	}
	var boundary string
	switch e := st.lookup(k).(type) {
	case *user:
		b.entry.Kind, b.entry.Path, b.entry.Name, b.entry.ID, b.entry.Tags = UserPrincipal, e.Path, e.Name, e.ID, e.Tags
		if err := add(e.Inline, "user/"+e.Name, e.Attached); err != nil {
			return nil, err
		}
		for _, gid := range e.Groups {
			deps = append(deps, recordKey{k.account, depGroupID, gid})
			g := groupByID(t, gid)
			if g == nil {
				continue
			}
			if err := add(g.Inline, "group/"+g.Name, g.Attached); err != nil {
				return nil, err
			}
		}
		boundary = e.Boundary
	case *role:
		b.entry.Kind, b.entry.Path, b.entry.Name, b.entry.ID, b.entry.Tags = RolePrincipal, e.Path, e.Name, e.ID, e.Tags
		if err := add(e.Inline, "role/"+e.Name, e.Attached); err != nil {
			return nil, err
		}
		boundary = e.Boundary
	default:
		return nil, ErrNoPrincipal
	}
	if boundary != "" {
		src, ok, err := svc.managedSource(t, boundary, &deps)
		if err != nil {
			return nil, err
		}
		if ok {
			b.boundary = &src
		} else {
			b.noPolicy = true
		}
	}
	b.slot, b.ready = svc.principals.register(k, deps)
	return b, nil
}

// finish compiles what prepare read and stores it in the view unless the
// principal changed meanwhile. It takes no lock of the state. Each
// policy's set comes from the shared cache (svc.sets), so an entry
// holds references to sets compiled once, not an index of its own.
func (svc *Service) finish(b *viewBuild) (*PrincipalPolicies, error) {
	if b.ready != nil {
		return b.ready, nil
	}
	identity := make([]*policy.Set, 0, len(b.identity))
	for _, src := range b.identity {
		s, err := svc.sets.get(src.name, src.doc, isAWSManagedARN(src.name))
		if err != nil {
			return nil, err
		}
		identity = append(identity, s)
	}
	p := new(PrincipalPolicies)
	*p = b.entry
	if len(p.Tags) > 0 {
		p.tagKeys = make([]string, len(p.Tags))
		for i, tag := range p.Tags {
			p.tagKeys[i] = "aws:PrincipalTag/" + tag.Key
		}
	}
	p.Policies.Identity = policy.Union(identity...)
	switch {
	case b.boundary != nil:
		s, err := svc.sets.get(b.boundary.name, b.boundary.doc, isAWSManagedARN(b.boundary.name))
		if err != nil {
			return nil, err
		}
		p.Policies.Boundary = s
	case b.noPolicy:
		p.Policies.Boundary = noPolicies
	}
	svc.principals.compiles.Add(1)
	return svc.principals.fill(b.slot, p), nil
}

// noPolicies is the empty set of a boundary whose policy is gone: it
// applies and allows nothing. Sets are immutable, so one serves all.
var noPolicies = policy.NewSet()

// warmManaged compiles ahead of use, in the background, the AWS managed
// policies that a user, group or role record attaches or has as its
// boundary, when the record is loaded or changed: the first request of
// a principal that attaches ReadOnlyAccess (about 60 ms to compile and
// index) then finds it compiled.
func (svc *Service) warmManaged(e entity) {
	var attached []string
	var boundary string
	switch e := e.(type) {
	case *user:
		attached, boundary = e.Attached, e.Boundary
	case *group:
		attached = e.Attached
	case *role:
		attached, boundary = e.Attached, e.Boundary
	default:
		return
	}
	warm := func(a string) {
		if !isAWSManagedARN(a) {
			return
		}
		if mp := svc.catalog.ManagedPolicy(a); mp != nil {
			svc.sets.warm(a, mp.Document)
		}
	}
	for _, a := range attached {
		warm(a)
	}
	warm(boundary)
}

// managedSource reads the default version of the managed policy with the
// canonical ARN a; ok is false if it no longer exists. A customer managed
// policy of the account is added to deps, found or not.
func (svc *Service) managedSource(t *txn, a string, deps *[]recordKey) (src viewSource, ok bool, err error) {
	if mp := svc.catalog.ManagedPolicy(a); mp != nil && isAWSManagedARN(a) {
		return viewSource{name: a, doc: mp.Document}, true, nil
	}
	if k, _, ok := customerPolicyKey(t.acct, a); ok {
		*deps = append(*deps, k)
	}
	p := customerPolicyByARN(t, a)
	if p == nil {
		return viewSource{}, false, nil
	}
	v := p.version(p.Default)
	if v == nil {
		return viewSource{}, false, errors.New("iam: policy " + a + " has no default version")
	}
	return viewSource{name: a, doc: v.Doc}, true, nil
}
