package iam

import (
	"cmp"
	"container/heap"
	"iter"
	"slices"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// The in-memory indexes of an account that make a list page cost the
// page, not the account: every listed kind in list order, the entities
// with unique IDs by ID, and the reverse indexes of the relations the
// lists follow (a group's users, a role's instance profiles, a managed
// policy's users, groups and roles). state.set keeps them current with
// the tables; txn.ascend reads them with a write's staged entities
// merged in.

// listIndex is a set of entities in list order: sorted by a sort key (the
// record key, or a customer managed policy's canonical ARN), so that a
// page is a binary search to the marker and a walk of the page. The
// entries are in blocks of at most maxBlock, each sorted, the blocks in
// order: a seek is a binary search of the blocks' last keys and one of
// a block, an insert or a delete moves at most one block's entries (and
// the blocks' headers when one splits or empties), whatever the size.
// The zero value is an empty set.
type listIndex struct {
	blocks [][]listEntry // none empty
	n      int
}

// maxBlock bounds a block: an insert moves at most 12 KB of entries.
const maxBlock = 256

// listEntry is one entity of a list index, with its sort and record
// keys.
type listEntry struct {
	sort, key string
	e         entity
}

func compareEntry(x listEntry, s string) int { return strings.Compare(x.sort, s) }

// locate returns the block and the index in it of the entry of sort key
// s, or where it would go (b == len(o.blocks): after the last), and
// whether it is there.
func (o *listIndex) locate(s string) (b, i int, found bool) {
	b = sort.Search(len(o.blocks), func(b int) bool { blk := o.blocks[b]; return blk[len(blk)-1].sort >= s })
	if b == len(o.blocks) {
		return b, 0, false
	}
	i, found = slices.BinarySearchFunc(o.blocks[b], s, compareEntry)
	return b, i, found
}

// after returns a cursor at the first entry whose sort key is greater
// than s.
func (o *listIndex) after(s string) cursor {
	if o == nil {
		return cursor{}
	}
	b, i, found := o.locate(s)
	c := cursor{o, b, i}
	if found {
		c.next()
	}
	return c
}

// from returns a cursor at the first entry whose sort key is s or
// greater.
func (o *listIndex) from(s string) cursor {
	if o == nil {
		return cursor{}
	}
	b, i, _ := o.locate(s)
	return cursor{o, b, i}
}

// put adds or replaces the entry of sort key s.
func (o *listIndex) put(s, key string, e entity) {
	x := listEntry{s, key, e}
	b, i, found := o.locate(s)
	if found {
		o.blocks[b][i] = x
		return
	}
	o.n++
	if len(o.blocks) == 0 {
		o.blocks = append(o.blocks, []listEntry{x})
		return
	}
	if b == len(o.blocks) { // after the last: at the end of the last block
		b--
		i = len(o.blocks[b])
	}
	blk := slices.Insert(o.blocks[b], i, x)
	if len(blk) <= maxBlock {
		o.blocks[b] = blk
		return
	}
	// Split: the second half is a block of its own, in its own array.
	half := len(blk) / 2
	o.blocks[b] = slices.Clip(blk[:half])
	o.blocks = slices.Insert(o.blocks, b+1, slices.Clone(blk[half:]))
	clear(blk[half:]) // no references left behind the first half's end
}

// remove deletes the entry of sort key s, if there is one.
func (o *listIndex) remove(s string) {
	b, i, found := o.locate(s)
	if !found {
		return
	}
	o.n--
	if blk := slices.Delete(o.blocks[b], i, i+1); len(blk) > 0 {
		o.blocks[b] = blk
	} else {
		o.blocks = slices.Delete(o.blocks, b, b+1)
	}
}

// has reports whether the set holds the sort key s.
func (o *listIndex) has(s string) bool {
	if o == nil {
		return false
	}
	_, _, found := o.locate(s)
	return found
}

func (o *listIndex) len() int {
	if o == nil {
		return 0
	}
	return o.n
}

// all yields every entry, in order.
func (o *listIndex) all() iter.Seq[listEntry] { return o.from("").seq() }

// cursor is a position in a listIndex; the zero cursor is at the end
// of an empty one. A cursor is valid until the set changes.
type cursor struct {
	o    *listIndex
	b, i int
}

// valid reports whether the cursor is at an entry.
func (c cursor) valid() bool { return c.o != nil && c.b < len(c.o.blocks) }

// get returns the entry at a valid cursor.
func (c cursor) get() listEntry { return c.o.blocks[c.b][c.i] }

// next moves to the next entry.
func (c *cursor) next() {
	if !c.valid() {
		return
	}
	if c.i++; c.i >= len(c.o.blocks[c.b]) {
		c.b, c.i = c.b+1, 0
	}
}

// seq yields the entries from the cursor on.
func (c cursor) seq() iter.Seq[listEntry] {
	return func(yield func(listEntry) bool) {
		for ; c.valid(); c.next() {
			if !yield(c.get()) {
				return
			}
		}
	}
}

// listedKinds are the kinds kept in list order.
var listedKinds = map[string]bool{
	kindUser: true, kindGroup: true, kindRole: true, kindPolicy: true, kindInstanceProfile: true,
	kindMFA: true, kindSAML: true, kindOIDC: true, kindServerCert: true,
}

// listOrder is the sort key of entity e (record key key) of account
// acct in the lists of its kind: the record key, but for a customer
// managed policy its canonical ARN (ListPolicies and the authorization
// details list policies by ARN, and their markers name it).
func listOrder(acct, key string, e entity) string {
	if p, ok := e.(*managedPolicy); ok {
		return iamapi.PolicyARN(canonicalPartition, acct, p.Path, p.Name)
	}
	return key
}

// pathIndex is the entities of a kind with a path (users, groups,
// roles, instance profiles, server certificates) by path: the paths
// sorted, so that those with a prefix are one run, and each path's
// entities by record key.
type pathIndex struct {
	paths listIndex // no entity
	lists map[string]*listIndex
}

// entityPath is the path of an entity of the kinds pathIndex holds.
func entityPath(e entity) (string, bool) {
	switch x := e.(type) {
	case *user:
		return x.Path, true
	case *group:
		return x.Path, true
	case *role:
		return x.Path, true
	case *instanceProfile:
		return x.Path, true
	case *serverCert:
		return x.Path, true
	}
	return "", false
}

func (pi *pathIndex) remove(path, key string) {
	if o := pi.lists[path]; o != nil {
		o.remove(key)
		if o.len() == 0 {
			delete(pi.lists, path)
			pi.paths.remove(path)
		}
	}
}

func (pi *pathIndex) put(path, key string, e entity) {
	o := pi.lists[path]
	if o == nil {
		o = new(listIndex)
		pi.lists[path] = o
		pi.paths.put(path, path, nil)
	}
	o.put(key, key, e)
}

// idKey names an entity by kind and unique ID.
type idKey struct{ kind, id string }

// entityID is the unique ID of an entity of the kinds looked up by ID,
// or "".
func entityID(e entity) string {
	switch x := e.(type) {
	case *user:
		return x.ID
	case *group:
		return x.ID
	case *role:
		return x.ID
	case *managedPolicy:
		return x.ID
	case *instanceProfile:
		return x.ID
	}
	return ""
}

// The identity kinds that use managed policies, in ListEntitiesForPolicy's
// order, and the ways they use them.
const (
	useGroup = iota
	useUser
	useRole
	identityKinds
)

const (
	byAttached = iota // a permissions policy
	byBoundary        // the permissions boundary
	byEither
	usages
)

// policyUses are the identities that use one managed policy, by kind and
// usage, sorted by record key.
type policyUses struct {
	by [identityKinds][usages]listIndex
}

// counts returns how many identities attach the policy and how many use
// it as their permissions boundary.
func (p *policyUses) counts() (attached, boundary int) {
	if p == nil {
		return 0, 0
	}
	for k := range identityKinds {
		attached += p.by[k][byAttached].len()
		boundary += p.by[k][byBoundary].len()
	}
	return attached, boundary
}

// used reports whether any identity uses the policy in the way by says.
func (p *policyUses) used(by int) bool {
	for k := range identityKinds {
		if p.by[k][by].len() > 0 {
			return true
		}
	}
	return false
}

// usesOf returns the identity kind of e and the policies it uses, or
// ok false if e is no identity.
func usesOf(e entity) (kind int, attached []string, boundary string, ok bool) {
	switch x := e.(type) {
	case *user:
		return useUser, x.Attached, x.Boundary, true
	case *group:
		return useGroup, x.Attached, "", true
	case *role:
		return useRole, x.Attached, x.Boundary, true
	}
	return 0, nil, "", false
}

// uses reports whether an identity with these policies uses a in the
// way by says.
func uses(attached []string, boundary, a string, by int) bool {
	switch by {
	case byAttached:
		return slices.Contains(attached, a)
	case byBoundary:
		return boundary == a
	}
	return boundary == a || slices.Contains(attached, a)
}

// useKinds are the record kinds of the identity kinds, by index.
var useKinds = [identityKinds]string{useGroup: kindGroup, useUser: kindUser, useRole: kindRole}

// indexes are an account's indexes; state.set keeps them.
type indexes struct {
	sorted   map[string]*listIndex // kind -> its entities in list order
	paths    map[string]*pathIndex // kind -> its entities by path
	byID     map[idKey]listEntry   // sort unused
	members  map[string]*listIndex // group ID -> its users
	profiles map[string]*listIndex // role ID -> the instance profiles holding it
	uses     map[string]*policyUses
	// owned holds, per credential kind, the keys of the users with
	// records of it (no entity).
	owned map[string]*listIndex
	// inUse holds the canonical ARNs of the policies in use (no
	// entity), by usage: attached, a boundary, either.
	inUse [usages]listIndex
}

func newIndexes() indexes {
	return indexes{sorted: make(map[string]*listIndex), paths: make(map[string]*pathIndex), byID: make(map[idKey]listEntry), members: make(map[string]*listIndex),
		profiles: make(map[string]*listIndex), uses: make(map[string]*policyUses), owned: make(map[string]*listIndex)}
}

// owners returns the keys of the users with credentials of kind, for
// the writer (it makes the set when there is none; readers read
// ix.owned).
func (ix *indexes) owners(kind string) *listIndex {
	o := ix.owned[kind]
	if o == nil {
		o = new(listIndex)
		ix.owned[kind] = o
	}
	return o
}

// index updates a's indexes for record k changing from old to e (nil:
// absent).
func (a *account) index(k recordKey, old, e entity) {
	ix := &a.ix
	if listedKinds[k.kind] {
		o := ix.sorted[k.kind]
		if o == nil {
			o = new(listIndex)
			ix.sorted[k.kind] = o
		}
		if old != nil {
			if s := listOrder(a.id, k.key, old); e == nil || listOrder(a.id, k.key, e) != s {
				o.remove(s)
			}
		}
		if e != nil {
			o.put(listOrder(a.id, k.key, e), k.key, e)
		}
		path, hasPath := entityPath(e)
		if was, ok := entityPath(old); ok && (!hasPath || was != path) {
			ix.paths[k.kind].remove(was, k.key)
		}
		if hasPath {
			pi := ix.paths[k.kind]
			if pi == nil {
				pi = &pathIndex{lists: make(map[string]*listIndex)}
				ix.paths[k.kind] = pi
			}
			pi.put(path, k.key, e)
		}
	}
	// A rename puts the entity under its new key and deletes the old
	// record, in either order: the ID's entry goes only if it is still
	// the old record's.
	if id := entityID(old); id != "" && ix.byID[idKey{k.kind, id}].key == k.key {
		delete(ix.byID, idKey{k.kind, id})
	}
	if id := entityID(e); id != "" {
		ix.byID[idKey{k.kind, id}] = listEntry{key: k.key, e: e}
	}
	switch k.kind {
	case kindUser:
		var was, is []string
		if u, ok := old.(*user); ok {
			was = u.Groups
		}
		if u, ok := e.(*user); ok {
			is = u.Groups
		}
		relate(ix.members, k.key, was, is, e)
	case kindInstanceProfile:
		var was, is []string
		if p, ok := old.(*instanceProfile); ok {
			was = p.Roles
		}
		if p, ok := e.(*instanceProfile); ok {
			is = p.Roles
		}
		relate(ix.profiles, k.key, was, is, e)
	}
	a.indexUses(k.key, old, e)
}

// relate moves the entity of record key key from the sets of the IDs
// was to those of is (an entity changed keeps its place, with its new
// value).
func relate(sets map[string]*listIndex, key string, was, is []string, e entity) {
	for _, id := range was {
		if slices.Contains(is, id) {
			continue
		}
		if o := sets[id]; o != nil {
			o.remove(key)
			if o.len() == 0 {
				delete(sets, id)
			}
		}
	}
	for _, id := range is {
		o := sets[id]
		if o == nil {
			o = new(listIndex)
			sets[id] = o
		}
		o.put(key, key, e)
	}
}

// indexUses keeps the managed policies' uses current for an identity
// changing from old to e.
func (a *account) indexUses(key string, old, e entity) {
	kind, wasAttached, wasBoundary, wasIdentity := usesOf(old)
	k2, isAttached, isBoundary, isIdentity := usesOf(e)
	if !wasIdentity && !isIdentity {
		return
	}
	if isIdentity {
		kind = k2
	}
	update := func(p string) {
		if p == "" {
			return
		}
		pu := a.ix.uses[p]
		for by := range usages {
			switch {
			case isIdentity && uses(isAttached, isBoundary, p, by):
				if pu == nil {
					pu = new(policyUses)
					a.ix.uses[p] = pu
				}
				pu.by[kind][by].put(key, key, e)
			case pu != nil && wasIdentity && uses(wasAttached, wasBoundary, p, by):
				pu.by[kind][by].remove(key)
			}
		}
		if pu == nil {
			return
		}
		for by := range usages {
			if pu.used(by) {
				a.ix.inUse[by].put(p, p, nil)
			} else {
				a.ix.inUse[by].remove(p)
			}
		}
		if !pu.used(byEither) {
			delete(a.ix.uses, p)
		}
	}
	for _, p := range wasAttached {
		update(p)
	}
	update(wasBoundary)
	for _, p := range isAttached {
		update(p)
	}
	update(isBoundary)
}

// ix is the indexes of the txn's account, or nil.
func (t *txn) ix() *indexes {
	if a := t.base.accounts[t.acct]; a != nil {
		return &a.ix
	}
	return nil
}

// sortedOf is the visible entities of kind in list order (nil: none).
func (t *txn) sortedOf(kind string) *listIndex {
	if ix := t.ix(); ix != nil {
		return ix.sorted[kind]
	}
	return nil
}

// ascend yields, in list order, the entities of kind whose sort key is
// greater than after: those of base (an index of the visible state, nil
// for none) and, in a write, the staged entities of kind that belongs
// places in base's list (with their sort key); a staged record shadows
// base's. It notes, in a write, that the write scanned kind. The cost is
// the entries walked, plus the write's staged records.
func (t *txn) ascend(kind string, base *listIndex, after string, belongs func(key string, e entity) (string, bool)) iter.Seq[listEntry] {
	t.scanned(kind)
	start := base.after(after)
	var extra []listEntry // staged entities of base's list, sorted
	shadows := false
	for k, e := range t.staged {
		if k.account != t.acct || k.kind != kind {
			continue
		}
		shadows = true
		if e == nil {
			continue
		}
		if s, ok := belongs(k.key, e); ok && s > after {
			extra = append(extra, listEntry{s, k.key, e})
		}
	}
	slices.SortFunc(extra, func(x, y listEntry) int { return strings.Compare(x.sort, y.sort) })
	return func(yield func(listEntry) bool) {
		c, j := start, 0
		for {
			for shadows && c.valid() {
				if _, staged := t.staged[recordKey{t.acct, kind, c.get().key}]; !staged {
					break
				}
				c.next()
			}
			var x listEntry
			switch {
			case c.valid() && (j == len(extra) || c.get().sort < extra[j].sort):
				x = c.get()
				c.next()
			case j < len(extra):
				x = extra[j]
				j++
			default:
				return
			}
			if !yield(x) {
				return
			}
		}
	}
}

// ascendKind yields the visible entities of kind after the sort key
// after, in list order.
func (t *txn) ascendKind(kind, after string) iter.Seq[listEntry] {
	return t.ascend(kind, t.sortedOf(kind), after, func(key string, e entity) (string, bool) { return listOrder(t.acct, key, e), true })
}

// byID returns the visible entity of kind with unique ID id, or the zero
// T. Like a scan of kind, a write notes that it read the kind.
func byID[T entity](t *txn, kind, id string) T {
	var zero T
	t.scanned(kind)
	for k, e := range t.staged {
		if k.account == t.acct && k.kind == kind && e != nil && entityID(e) == id {
			return e.(T)
		}
	}
	ix := t.ix()
	if ix == nil {
		return zero
	}
	x, ok := ix.byID[idKey{kind, id}]
	if !ok {
		return zero
	}
	if _, shadowed := t.staged[recordKey{t.acct, kind, x.key}]; shadowed {
		// Deleted, or replaced by a value the staged records above
		// did not match.
		return zero
	}
	return x.e.(T)
}

// policyUsesOf is who uses the managed policy of canonical ARN a, as
// the visible state has it (nil: no one).
func (t *txn) policyUsesOf(a string) *policyUses {
	if ix := t.ix(); ix != nil {
		return ix.uses[a]
	}
	return nil
}

// ascendUses yields, in record key order after after, the identities
// of kind (useUser, ...) that use the managed policy of canonical ARN a
// in the way by says.
func (t *txn) ascendUses(a string, kind, by int, after string) iter.Seq[listEntry] {
	var base *listIndex
	if pu := t.policyUsesOf(a); pu != nil {
		base = &pu.by[kind][by]
	}
	return t.ascend(useKinds[kind], base, after, func(key string, e entity) (string, bool) {
		_, attached, boundary, _ := usesOf(e)
		return key, uses(attached, boundary, a, by)
	})
}

// ascendRelated yields, after after in record key order, the visible
// entities of kind related to the entity of unique ID id by sets (the
// users of a group, the instance profiles of a role): ids gives the IDs
// an entity of kind relates to.
func (t *txn) ascendRelated(kind string, sets func(*indexes) map[string]*listIndex, id, after string, ids func(entity) []string) iter.Seq[listEntry] {
	var base *listIndex
	if ix := t.ix(); ix != nil {
		base = sets(ix)[id]
	}
	return t.ascend(kind, base, after, func(key string, e entity) (string, bool) { return key, slices.Contains(ids(e), id) })
}

// groupUsers yields the users of the group of unique ID id, by key.
func (t *txn) groupUsers(id, after string) iter.Seq[listEntry] {
	return t.ascendRelated(kindUser, func(ix *indexes) map[string]*listIndex { return ix.members }, id, after,
		func(e entity) []string { return e.(*user).Groups })
}

// roleProfiles yields the instance profiles holding the role of unique
// ID id, by key.
func (t *txn) roleProfiles(id, after string) iter.Seq[listEntry] {
	return t.ascendRelated(kindInstanceProfile, func(ix *indexes) map[string]*listIndex { return ix.profiles }, id, after,
		func(e entity) []string { return e.(*instanceProfile).Roles })
}

// page is one page of a list being collected: at most n items, the
// sort key of the last, and whether more follow.
type page[T any] struct {
	list  string // the list's name in its markers
	n     int
	items []T
	last  string
	more  bool
}

// newPage starts the page of list after marker, of maxItems items (nil:
// the default), and returns the sort key the page starts after ("" for
// the first page), or the error for a marker not of list.
func newPage[T any](list, marker string, maxItems *int32) (*page[T], string, error) {
	after, err := markerKey(list, marker)
	if err != nil {
		return nil, "", err
	}
	n := defaultMaxItems
	if maxItems != nil {
		n = int(*maxItems)
	}
	return &page[T]{list: list, n: n, items: make([]T, 0, min(n, defaultMaxItems))}, after, nil
}

// add adds x, of sort key s, and reports whether the page takes more:
// the item after a full page only says that one follows.
func (p *page[T]) add(s string, x T) bool {
	if len(p.items) >= p.n {
		p.more = true
		return false
	}
	p.items = append(p.items, x)
	p.last = s
	return true
}

// marker is the marker of the next page, or "" for none.
func (p *page[T]) marker() string {
	if !p.more {
		return ""
	}
	return newMarker(p.list, p.last)
}

// markerKey returns the sort key a list's marker names: the page starts
// after it ("" for the first page).
func markerKey(list, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	return parseMarker(list, marker)
}

// sectionAfter is where a section of a list (the items whose sort keys
// start with prefix) resumes after the marker's sort key m: after the
// key m names within it, from its start, or not at all (skip).
func sectionAfter(m, prefix string) (after string, skip bool) {
	switch {
	case strings.HasPrefix(m, prefix):
		return m[len(prefix):], false
	case m < prefix:
		return "", false
	}
	return "", true
}

// listPage walks the visible entities of kind after the marker of list
// and returns the page of those under pathPrefix ("": all) that keep
// (nil: all) accepts. keep sees each entity walked: a filter that
// accepts few walks many (the callers say where). A path prefix that
// most entities are not under walks the entities under it, by path (see
// ascendUnder).
func listPage[T entity](t *txn, list, kind, marker string, maxItems *int32, pathPrefix string, keep func(T) bool) (*page[T], error) {
	p, after, err := newPage[T](list, marker, maxItems)
	if err != nil {
		return nil, err
	}
	seq, under := t.ascendUnder(kind, pathPrefix, after)
	if !under {
		seq = t.ascendKind(kind, after)
	}
	for x := range seq {
		e := x.e.(T)
		if path, _ := entityPath(e); !pathPrefixMatch(path, pathPrefix) || (keep != nil && !keep(e)) {
			continue
		}
		if !p.add(x.sort, e) {
			break
		}
	}
	return p, nil
}

// ascendUnder yields the visible entities of kind under pathPrefix
// after the key after, in key order: a merge of the lists of the paths
// under the prefix, which costs the paths under it and the entities
// yielded (times the log of the paths). It reports false, yielding
// nothing, where a walk of the whole kind is as good (no prefix, at
// least half the entities under it) or needed (a write that staged
// records of kind).
func (t *txn) ascendUnder(kind, pathPrefix, after string) (iter.Seq[listEntry], bool) {
	ix := t.ix()
	if pathPrefix == "" || ix == nil || ix.paths[kind] == nil {
		return nil, false
	}
	for k := range t.staged {
		if k.account == t.acct && k.kind == kind {
			return nil, false
		}
	}
	t.scanned(kind)
	pi := ix.paths[kind]
	var runs cursors
	under := 0
	for x := range pi.paths.from(pathPrefix).seq() {
		if !strings.HasPrefix(x.sort, pathPrefix) {
			break
		}
		o := pi.lists[x.sort]
		under += o.len()
		if c := o.after(after); c.valid() {
			runs = append(runs, c)
		}
	}
	if 2*under >= ix.sorted[kind].len() {
		return nil, false
	}
	heap.Init(&runs)
	return func(yield func(listEntry) bool) {
		for len(runs) > 0 {
			x := runs[0].get()
			if runs[0].next(); !runs[0].valid() {
				heap.Pop(&runs)
			} else {
				heap.Fix(&runs, 0)
			}
			if !yield(x) {
				return
			}
		}
	}, true
}

// cursors is a heap of valid cursors, by their entries.
type cursors []cursor

func (c cursors) Len() int           { return len(c) }
func (c cursors) Less(i, j int) bool { return c[i].get().sort < c[j].get().sort }
func (c cursors) Swap(i, j int)      { c[i], c[j] = c[j], c[i] }
func (c *cursors) Push(x any)        { *c = append(*c, x.(cursor)) }
func (c *cursors) Pop() any {
	old := *c
	x := old[len(old)-1]
	*c = old[:len(old)-1]
	return x
}

// mergePages merges two sorted runs of page candidates (each at most
// one more than the page) into p.
func mergePages[T any](p *page[T], a, b []candidate[T]) {
	for len(a) > 0 || len(b) > 0 {
		var x candidate[T]
		if len(b) == 0 || (len(a) > 0 && cmp.Less(a[0].sort, b[0].sort)) {
			x, a = a[0], a[1:]
		} else {
			x, b = b[0], b[1:]
		}
		if !p.add(x.sort, x.v) {
			return
		}
	}
}

// candidate is a page candidate with its sort key.
type candidate[T any] struct {
	sort string
	v    T
}

// nonEmpty reports whether seq yields anything.
func nonEmpty(seq iter.Seq[listEntry]) bool {
	for range seq {
		return true
	}
	return false
}
