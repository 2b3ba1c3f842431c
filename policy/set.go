package policy

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gatehouse/gatehouse/catalog"
)

// Set is a compiled index over policies of one policy type (the identity
// policies of a principal, its boundary, one SCP level, a resource policy,
// ...). Statements are indexed by service and action, and within an
// action by the literal prefix of their resource patterns, so a decision
// costs the same however many statements are about other actions or
// resources. A Set is immutable and safe for concurrent use.
type Set struct {
	policies   []*Policy
	principals bool // statements name principals (resource-based)
	// parts, when set, are the sets a Union evaluates in turn; the
	// indexes below are then empty.
	parts []*Set
	// global holds the statements that apply to every service
	// (NotAction, Action "*"): the bucket of services no statement names.
	global   bucket
	services names[*serviceIndex]
}

// serviceIndex indexes the statements of one service. Every bucket holds
// all that may apply to its actions, the global and "svc:*" statements
// included, so that a decision scans one bucket.
type serviceIndex struct {
	cat *catalog.Service // nil for a service the catalog does not know
	// other is the bucket of the service's actions that no statement
	// names: the global and "svc:*" statements.
	other bucket
	// exact holds a bucket for each action that statements name
	// literally (with the wildcard statements that match it too).
	exact names[*bucket]
	// wild holds statements whose actions have wildcards, for actions the
	// catalog does not know.
	wild []*cstmt
	// A catalog action that a wildcard names ("s3:Get*") gets its bucket
	// on first use, not when the set is built: expanding every wildcard
	// against the catalog up front cost a 6,000-character policy about
	// 110 KB of buckets for actions no request asks for. stmts are the
	// statements that name the service's actions (not "svc:*"), in
	// order, and found the buckets built so far (copied on write, so a
	// decision reads it without a lock and without allocating).
	stmts []*cstmt
	all   *bucket // the global and "svc:*" statements, merged into each bucket
	mu    sync.Mutex
	found atomic.Pointer[map[string]*bucket]
}

// bucketFor returns the bucket of the catalog action lname (lower case)
// that no statement names literally, building it on first use.
func (si *serviceIndex) bucketFor(svc, lname string) *bucket {
	if m := si.found.Load(); m != nil {
		if b, ok := (*m)[lname]; ok {
			return b
		}
	}
	si.mu.Lock()
	defer si.mu.Unlock()
	old := si.found.Load()
	if old != nil {
		if b, ok := (*old)[lname]; ok {
			return b
		}
	}
	b := &si.other
	if eb := matching(si.stmts, svc, lname); eb != nil {
		b = merge(si.all, eb)
	}
	m := make(map[string]*bucket, 1)
	if old != nil {
		m = make(map[string]*bucket, len(*old)+1)
		for k, v := range *old {
			m[k] = v
		}
	}
	m[strings.Clone(lname)] = b
	si.found.Store(&m)
	return b
}

// matching returns a bucket of the statements of stmts, in order, that
// name action lname of service svc literally or by a wildcard; nil if
// none does.
func matching(stmts []*cstmt, svc, lname string) *bucket {
	var eb *bucket
	for _, cs := range stmts {
		for i := range cs.actions {
			ap := &cs.actions[i]
			if !ap.all && ap.service == svc && ap.name.like(lname, nil) {
				if eb == nil {
					eb = &bucket{}
				}
				eb.add(cs)
				break
			}
		}
	}
	return eb
}

type bucket struct {
	deny, allow stmtIndex
}

// stmtIndex finds the statements whose resources may match a resource.
type stmtIndex struct {
	list []ref
	tree *radixNode // built when list is long
}

type ref struct {
	st  *cstmt
	res int // index of the resource pattern to test; -1: test them all
}

// treeMin is the list length from which a stmtIndex builds its tree.
const treeMin = 8

// names maps lower-case names to values: a scan of a short list, which
// costs less than hashing the name for the few services and actions most
// sets have, or a map for a long one.
type names[V any] struct {
	keys []string
	vals []V
	m    map[string]V
}

// namesScanMax is the longest list names scans.
const namesScanMax = 8

func newNames[V any](m map[string]V) names[V] {
	if len(m) > namesScanMax {
		return names[V]{m: m}
	}
	var n names[V]
	for k, v := range m {
		n.keys = append(n.keys, k)
		n.vals = append(n.vals, v)
	}
	return n
}

func (n *names[V]) get(name string) (V, bool) {
	if n.m != nil {
		v, ok := n.m[name]
		return v, ok
	}
	for i, k := range n.keys {
		if k == name {
			return n.vals[i], true
		}
	}
	var zero V
	return zero, false
}

// NewSet indexes policies. Every policy must have been compiled for a
// kind of the same sort (all naming principals, or none).
func NewSet(policies ...*Policy) *Set {
	s := &Set{policies: policies}
	b := builder{cat: catalog.Default(), services: map[string]*serviceBuild{}}
	for _, p := range policies {
		if p.Kind.HasPrincipals() {
			s.principals = true
		}
		for _, cs := range p.stmts {
			b.add(&s.global, cs)
		}
	}
	services := make(map[string]*serviceIndex, len(b.services))
	for svc, sb := range b.services {
		all := merge(&s.global, &sb.all)
		si := &serviceIndex{cat: sb.cat, wild: sb.wild, other: *all, stmts: sb.stmts, all: all}
		// The actions statements name literally, with the wildcard
		// statements that match them, in statement order.
		for name := range sb.exact {
			sb.exact[name] = merge(all, matching(sb.stmts, svc, name))
		}
		si.exact = newNames(sb.exact)
		services[svc] = si
	}
	s.services = newNames(services)
	s.global.build()
	return s
}

// merge returns a bucket holding the statements of parts, in order,
// with its trees built: the one part that has statements itself, when
// the others have none.
func merge(parts ...*bucket) *bucket {
	var only *bucket
	n := 0
	for _, p := range parts {
		if len(p.deny.list)+len(p.allow.list) > 0 {
			only, n = p, n+1
		}
	}
	if n == 1 {
		only.build()
		return only
	}
	out := &bucket{}
	for _, p := range parts {
		out.deny.list = append(out.deny.list, p.deny.list...)
		out.allow.list = append(out.allow.list, p.allow.list...)
	}
	out.build()
	return out
}

// Union returns a set that decides as NewSet of all the policies of
// sets, in order, would, without indexing them again: it evaluates each
// set in turn (a Deny in any denies; otherwise the first Allow, or the
// best-matching one for sets that name principals, allows). Sets
// compiled once can so be shared by many unions: a principal's identity
// policies are the union of its managed policy versions' sets, each
// indexed once for every principal that attaches it. Nil sets are
// skipped, nested unions flattened and a set given twice evaluated once.
func Union(sets ...*Set) *Set {
	u := &Set{parts: make([]*Set, 0, len(sets))}
	n := 0
	for _, s := range sets {
		if s != nil {
			n += len(s.policies)
		}
	}
	u.policies = make([]*Policy, 0, n)
	add := func(s *Set) {
		if slices.Contains(u.parts, s) {
			return
		}
		u.parts = append(u.parts, s)
		u.policies = append(u.policies, s.policies...)
		u.principals = u.principals || s.principals
	}
	for _, s := range sets {
		switch {
		case s == nil:
		case s.parts != nil:
			for _, p := range s.parts {
				add(p)
			}
		default:
			add(s)
		}
	}
	return u
}

// Policies returns the policies of the set, in the order given.
func (s *Set) Policies() []*Policy { return s.policies }

// Len is the number of policies.
func (s *Set) Len() int { return len(s.policies) }

// builder holds what NewSet computes once per set.
type builder struct {
	cat      *catalog.Catalog
	services map[string]*serviceBuild
}

// serviceBuild collects a service's statements before they are merged
// into its serviceIndex.
type serviceBuild struct {
	cat   *catalog.Service
	all   bucket             // "svc:*"
	exact map[string]*bucket // the actions named literally; filled at the end
	wild  []*cstmt
	stmts []*cstmt // the statements naming the service's actions, in order
}

func (b *builder) service(svc string) *serviceBuild {
	sb := b.services[svc]
	if sb == nil {
		sb = &serviceBuild{cat: b.cat.Service(svc), exact: map[string]*bucket{}}
		b.services[svc] = sb
	}
	return sb
}

func (b *builder) add(global *bucket, cs *cstmt) {
	if cs.notAction != nil || cs.actionAll {
		global.add(cs)
		return
	}
	// Services whose "svc:*" covers the statement need no other entry.
	covered := map[string]bool{}
	for i := range cs.actions {
		ap := &cs.actions[i]
		if ap.name.raw == "*" {
			covered[ap.service] = true
			b.service(ap.service).all.add(cs)
		}
	}
	for i := range cs.actions {
		ap := &cs.actions[i]
		if covered[ap.service] {
			continue
		}
		sb := b.service(ap.service)
		if len(sb.stmts) == 0 || sb.stmts[len(sb.stmts)-1] != cs {
			sb.stmts = append(sb.stmts, cs)
		}
		if !ap.name.glob {
			sb.exact[ap.name.raw] = nil
			continue
		}
		if len(sb.wild) == 0 || sb.wild[len(sb.wild)-1] != cs {
			sb.wild = append(sb.wild, cs)
		}
	}
}

func (b *bucket) add(cs *cstmt) {
	if cs.effect == Deny {
		b.deny.add(cs)
	} else {
		b.allow.add(cs)
	}
}

// of returns the statements of one effect.
func (b *bucket) of(eff Effect) *stmtIndex {
	if eff == Deny {
		return &b.deny
	}
	return &b.allow
}

func (b *bucket) build() {
	b.deny.build()
	b.allow.build()
}

func (x *stmtIndex) add(cs *cstmt) { x.list = append(x.list, ref{st: cs, res: -1}) }

func (x *stmtIndex) build() {
	if len(x.list) < treeMin || x.tree != nil {
		return
	}
	x.tree = &radixNode{}
	for _, r := range x.list {
		cs := r.st
		if cs.notResource || cs.noResource || cs.resourceAny {
			x.tree.insert("", ref{st: cs, res: -1})
			continue
		}
		for i := range cs.resources {
			x.tree.insert(cs.resources[i].prefix, ref{st: cs, res: i})
		}
	}
}

// radixNode is a node of a radix tree over resource-pattern prefixes.
type radixNode struct {
	label    string
	entries  []ref
	children []*radixNode
}

func (n *radixNode) insert(key string, r ref) {
	for {
		if key == "" {
			n.entries = append(n.entries, r)
			return
		}
		var child *radixNode
		for _, c := range n.children {
			if c.label[0] == key[0] {
				child = c
				break
			}
		}
		if child == nil {
			n.children = append(n.children, &radixNode{label: key, entries: []ref{r}})
			return
		}
		common := 0
		for common < len(key) && common < len(child.label) && key[common] == child.label[common] {
			common++
		}
		if common < len(child.label) {
			// Split the child.
			lower := &radixNode{label: child.label[common:], entries: child.entries, children: child.children}
			child.label = child.label[:common]
			child.entries = nil
			child.children = []*radixNode{lower}
		}
		n = child
		key = key[common:]
	}
}

// Request is what a Set evaluates: one action on one resource by one
// caller, with its context. Action is "service:Action" (any case);
// Resource an ARN or "*". Caller is needed only for sets that name
// principals.
type Request struct {
	Action   string
	Resource string
	Caller   *Caller
	Context  *Context
	// Bounded says that the caller is an IAM user or role (or a session
	// of one) with a permissions boundary in force. A Deny statement with
	// NotPrincipal then applies to it whatever the element lists.
	Bounded bool

	// Set by SetAction: the action it prepared, the length of its
	// service prefix, and its lower case in buf.
	prepared string
	colon    int
	buf      [96]byte
}

// SetAction sets the request's Action and splits and lower-cases it once
// for all the sets the request is evaluated against (Evaluate does it on
// each call otherwise, and when Action has changed since). It reports
// whether the action is valid: "service:Name" with both parts non-empty
// and no wildcard.
func (r *Request) SetAction(a string) bool {
	r.Action = a
	r.prepared, r.colon = "", -1
	n := len(a)
	if n > len(r.buf) {
		// Too long to lower here: Evaluate lowers it each time.
		colon := strings.IndexByte(a, ':')
		return colon > 0 && colon < n-1 && strings.IndexByte(a, '*') < 0 && strings.IndexByte(a, '?') < 0
	}
	// Eight bytes at a time; the last eight overlap the ones before
	// (lowering twice changes nothing), and a shorter action is padded
	// with zero bytes.
	colon, wild := -1, false
	for i := 0; i < n || i == 0; i += 8 {
		var x uint64
		if n < 8 {
			var t [8]byte
			copy(t[:], a)
			x = binary.LittleEndian.Uint64(t[:])
		} else {
			i = min(i, n-8)
			x = binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(a[i:]), 8))
		}
		binary.LittleEndian.PutUint64(r.buf[i:], x|upperMask(x)>>2)
		if c := byteMask(x, ':'); c != 0 && colon < 0 {
			colon = i + bits.TrailingZeros64(c)/8
		}
		if byteMask(x, '*')|byteMask(x, '?') != 0 {
			wild = true
		}
	}
	if colon <= 0 || colon >= n-1 || wild {
		return false
	}
	r.prepared, r.colon = a, colon
	return true
}

// ActionHasPrefix reports whether the action set by SetAction is of the
// service svc and its name starts with name (both given in lower case;
// action names are compared case-insensitively). It is false when
// Action was not set by SetAction or has changed since.
func (r *Request) ActionHasPrefix(svc, name string) bool {
	if r.colon != len(svc) || len(r.Action) < len(svc)+1+len(name) || r.prepared != r.Action {
		return false
	}
	l := r.buf[:len(r.Action)]
	return string(l[:r.colon]) == svc && string(l[r.colon+1:r.colon+1+len(name)]) == name
}

// action returns the request's service prefix and action name, lower
// case, and the name as given; ok is false for an action without a
// colon. buf holds the lower case when the request was not prepared.
func (r *Request) action(buf *[96]byte) (svc, name, orig string, ok bool) {
	if r.prepared == r.Action && r.colon > 0 {
		a, l := r.Action, unsafe.String(&r.buf[0], len(r.Action))
		return l[:r.colon], l[r.colon+1:], a[r.colon+1:], true
	}
	colon := strings.IndexByte(r.Action, ':')
	if colon < 0 {
		return "", "", "", false
	}
	orig = r.Action[colon+1:]
	return lowerInto(buf[:32], r.Action[:colon]), lowerInto(buf[32:], orig), orig, true
}

// Ref names a statement of a policy of a Set.
type Ref struct {
	Policy    *Policy
	Statement int32 // index in the document's Statement element
}

// Sid returns the statement's Sid ("" if it has none).
func (r Ref) Sid() string {
	if r.Policy == nil {
		return ""
	}
	return r.Policy.stmts[r.Statement].sid
}

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Policy == nil }

// Result is the outcome of evaluating one Set.
type Result struct {
	// Denied: a Deny statement applies. Evaluation stops at the first.
	Denied   bool
	DeniedBy Ref
	// Allowed: an Allow statement applies (and, in a set that names
	// principals, names the caller in some way: see Match).
	Allowed   bool
	AllowedBy Ref
	// Match is how the best allowing statement named the caller, for
	// sets that name principals; MatchDirect otherwise.
	Match MatchKind
}

// Evaluate evaluates the request against the set. It does not allocate.
func (s *Set) Evaluate(req *Request) Result {
	var buf [96]byte
	lsvc, lname, name, ok := req.action(&buf)
	if !ok {
		return Result{}
	}
	if s.parts == nil {
		return s.evaluate(req, lsvc, lname, name)
	}
	var res Result
	for _, p := range s.parts {
		r := p.evaluate(req, lsvc, lname, name)
		if r.Denied {
			return r
		}
		if r.Allowed && (!res.Allowed || r.Match > res.Match) {
			res.Allowed, res.AllowedBy, res.Match = true, r.AllowedBy, r.Match
		}
	}
	return res
}

// evaluate evaluates the request against an indexed set, for the
// action's lower-cased service and name and its name as given.
func (s *Set) evaluate(req *Request, lsvc, lname, name string) Result {
	var res Result
	// One bucket holds every statement that may apply: the action's
	// own, the service's, or the global one.
	b := &s.global
	var wild []*cstmt
	if si, ok := s.services.get(lsvc); ok {
		b = &si.other
		if eb, ok := si.exact.get(lname); ok {
			b = eb
		} else if si.cat == nil || si.cat.Action(name) == nil {
			wild = si.wild
		} else if len(si.wild) > 0 {
			b = si.bucketFor(lsvc, lname)
		}
	}
	e := evaluator{s: s, req: req, svc: lsvc, name: lname}
	// Denies first: one is enough. Then allows.
	for _, eff := range [2]Effect{Deny, Allow} {
		if e.scan(b.of(eff), &res) {
			return res
		}
		for _, cs := range wild {
			if cs.effect == eff && e.wildApplies(cs) && e.apply(cs, -1, &res) {
				return res
			}
		}
	}
	return res
}

// lowerInto returns the ASCII lower case of s (action names are ASCII),
// without allocating: s itself when it has no upper case, else a string
// over buf, valid while buf is. A longer s is lowered on the heap.
func lowerInto(buf []byte, s string) string {
	if len(s) > len(buf) {
		return strings.ToLower(s)
	}
	buf = buf[:len(s)]
	var upper uint64
	i := 0
	// Eight bytes at a time: the high bit of each byte of m is set when
	// the byte is in 'A'..'Z', and m>>2 is 0x20 there.
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		m := upperMask(x)
		upper |= m
		binary.LittleEndian.PutUint64(buf[i:], x|m>>2)
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c-'A' < 'Z'-'A'+1 {
			c += 'a' - 'A'
			upper = 1
		}
		buf[i] = c
	}
	if upper == 0 {
		return s
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

// byteMask returns the bytes of x that are b as 0x80, the others as 0
// (exactly: no borrow runs from one byte into the next).
func byteMask(x uint64, b byte) uint64 {
	const ones, low7s, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	y := x ^ uint64(b)*ones
	return ^(y&low7s + low7s | y) & highs
}

// upperMask returns the bytes of x that are ASCII upper-case letters as
// 0x80, the others as 0.
func upperMask(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	low7 := x &^ highs
	geA := low7 + (0x80-'A')*ones   // high bit set where low7 >= 'A'
	gtZ := low7 + (0x80-'Z'-1)*ones // high bit set where low7 > 'Z'
	return geA &^ gtZ &^ x & highs
}

type evaluator struct {
	s         *Set
	req       *Request
	svc, name string // lower-cased
}

func (e *evaluator) wildApplies(cs *cstmt) bool {
	for i := range cs.actions {
		if cs.actions[i].match(e.svc, e.name) {
			return true
		}
	}
	return false
}

// scan evaluates the statements of x that may apply. It returns true when
// evaluation can stop: a deny applies, or an allow that cannot be beaten.
func (e *evaluator) scan(x *stmtIndex, res *Result) bool {
	if x.tree == nil {
		for _, r := range x.list {
			if e.apply(r.st, r.res, res) {
				return true
			}
		}
		return false
	}
	n := x.tree
	key := e.req.Resource
	for {
		for _, r := range n.entries {
			if e.apply(r.st, r.res, res) {
				return true
			}
		}
		if key == "" {
			return false
		}
		var next *radixNode
		for _, c := range n.children {
			if c.label[0] == key[0] {
				next = c
				break
			}
		}
		if next == nil || !strings.HasPrefix(key, next.label) {
			return false
		}
		key = key[len(next.label):]
		n = next
	}
}

// apply evaluates one statement and records it in res when it applies.
// res is the resource pattern to test, or -1 for all of them. It reports
// whether evaluation can stop.
func (e *evaluator) apply(cs *cstmt, resIdx int, res *Result) bool {
	req := e.req
	if cs.notAction != nil && !cs.matchNotAction(e.svc, e.name) {
		return false
	}
	match := MatchDirect
	if cs.principal != nil {
		caller := req.Caller
		if caller == nil {
			caller = &Caller{} // an anonymous caller
		}
		if cs.notPrincipal {
			// "The NotPrincipal element with a Deny effect will always
			// deny any IAM principal that has a permissions boundary
			// policy attached, regardless of the values specified in
			// the NotPrincipal element."
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
			if !(req.Bounded && cs.effect == Deny) && cs.principal.excludes(caller) {
				return false
			}
		} else {
			match = cs.principal.match(caller)
			if match == MatchNone {
				return false
			}
		}
	}
	if resIdx >= 0 {
		if !cs.resources[resIdx].match(req.Resource, req.Context) {
			return false
		}
	} else if !cs.matchResource(req.Resource, req.Context) {
		return false
	}
	if !cs.matchConditions(req.Context) {
		return false
	}
	ref := Ref{Policy: cs.pol, Statement: int32(cs.index)}
	if cs.effect == Deny {
		res.Denied, res.DeniedBy = true, ref
		return true
	}
	if !res.Allowed || match > res.Match {
		res.Allowed, res.AllowedBy, res.Match = true, ref, match
	}
	return !e.s.principals || match == MatchDirect
}
