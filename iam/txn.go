package iam

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gatehouse/gatehouse/authn"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/store"
)

// txn is one operation's view of an account: the visible state plus, in
// a write, the entities it has staged. Reads see staged values first.
//
// A write also notes what it read, as the store's conditions: the
// version of every record it read or writes, every kind it scanned,
// every quota it checked, and every owner's records it read all of
// (exact). The store commits it only if they still hold, so a decision
// made on this process's state is never a decision made from memory
// alone.
type txn struct {
	svc  *Service
	req  *authn.Request
	acct string
	// callerKey is the record key of the calling IAM user; "" for other
	// callers.
	callerKey string
	base      *state
	staged    map[recordKey]entity // nil value: deleted
	order     []recordKey

	conds  map[recordKey]int64 // record -> version read (0: absent)
	scans  map[scanKey]struct{}
	limits map[limitKey]int // the most records the store may hold there
	exacts map[limitKey]struct{}
}

// scanKey is a kind of an account.
type scanKey struct{ account, kind string }

// limitKey is the records of a kind of an account whose key starts
// with prefix ("": all of them).
type limitKey struct{ account, kind, prefix string }

func (t *txn) writing() bool { return t.staged != nil }

// read notes that the write read record k as the base has it.
func (t *txn) read(k recordKey) {
	if !t.writing() {
		return
	}
	if _, ok := t.staged[k]; ok {
		return
	}
	if _, ok := t.conds[k]; !ok {
		t.conds[k] = t.base.versions[k]
	}
}

// scanned notes that the write read every record of kind.
func (t *txn) scanned(kind string) {
	if t.writing() {
		t.scans[scanKey{t.acct, kind}] = struct{}{}
	}
}

// get returns the entity of kind with key, if it exists.
func get[T entity](t *txn, kind, key string) (T, bool) {
	return getAt[T](t, recordKey{t.acct, kind, key})
}

// getAt returns the entity of record k, in any account.
func getAt[T entity](t *txn, k recordKey) (T, bool) {
	var zero T
	t.read(k)
	if e, ok := t.staged[k]; ok {
		if e == nil {
			return zero, false
		}
		return e.(T), true
	}
	e := t.base.lookup(k)
	if e == nil {
		return zero, false
	}
	return e.(T), true
}

// all returns every entity of kind in list order: sorted by key, but
// customer managed policies by ARN (see listOrder).
func all[T entity](t *txn, kind string) []T {
	if listedKinds[kind] {
		out := make([]T, 0, t.sortedOf(kind).len())
		for x := range t.ascendKind(kind, "") {
			out = append(out, x.e.(T))
		}
		return out
	}
	t.scanned(kind)
	var base map[string]entity
	if a := t.base.accounts[t.acct]; a != nil {
		base = a.tables[kind]
	}
	if len(t.staged) == 0 {
		return sortedValues[T](base)
	}
	merged := make(map[string]entity, len(base))
	for k, e := range base {
		merged[k] = e
	}
	for k, e := range t.staged {
		if k.account != t.acct || k.kind != kind {
			continue
		}
		if e == nil {
			delete(merged, k.key)
		} else {
			merged[k.key] = e
		}
	}
	return sortedValues[T](merged)
}

// find returns the first entity of kind, in no particular order, for
// which match is true, or the zero T.
func find[T entity](t *txn, kind string, match func(T) bool) T {
	var zero T
	t.scanned(kind)
	for k, e := range t.staged {
		if k.account == t.acct && k.kind == kind && e != nil && match(e.(T)) {
			return e.(T)
		}
	}
	if a := t.base.accounts[t.acct]; a != nil {
		for key, e := range a.tables[kind] {
			if _, shadowed := t.staged[recordKey{t.acct, kind, key}]; shadowed {
				continue
			}
			if match(e.(T)) {
				return e.(T)
			}
		}
	}
	return zero
}

// full reports whether the account holds max or more entities of kind
// (a quota). A write that goes on to add one commits only if the store,
// too, holds no more than max of them afterwards.
func (t *txn) full(kind string, max int) bool { return t.fullUnder(kind, "", max) }

// fullUnder is full for the records of kind whose key starts with
// prefix (one owner's quota: prefix starts with an ownerPrefix).
func (t *txn) fullUnder(kind, prefix string, max int) bool {
	t.limit(limitKey{t.acct, kind, prefix}, max)
	return t.count(kind, prefix) >= max
}

// count counts the records of kind whose key starts with prefix ("":
// all of the account's), staged ones included.
func (t *txn) count(kind, prefix string) int {
	n := 0
	if prefix == "" {
		if a := t.base.accounts[t.acct]; a != nil {
			n = len(a.tables[kind])
		}
	} else {
		for key := range t.base.owned[ownerKey{t.acct, kind, recordOwner(prefix)}] {
			if strings.HasPrefix(key, prefix) {
				n++
			}
		}
	}
	for k, e := range t.staged {
		if k.account != t.acct || k.kind != kind || !strings.HasPrefix(k.key, prefix) {
			continue
		}
		switch was := t.base.lookup(k) != nil; {
		case e == nil && was:
			n--
		case e != nil && !was:
			n++
		}
	}
	return n
}

// limit notes that a write commits only if the store holds at most max
// records of k afterwards.
func (t *txn) limit(k limitKey, max int) {
	if !t.writing() {
		return
	}
	if old, ok := t.limits[k]; ok && old < max {
		return
	}
	t.limits[k] = max
}

// put stages e as the new value of its record.
func (t *txn) put(e entity) {
	t.stage(recordKey{t.acct, e.kind(), e.key()}, e)
}

// del stages the deletion of a record.
func (t *txn) del(kind, key string) {
	t.stage(recordKey{t.acct, kind, key}, nil)
}

// putGlobal stages e as the new value of its record outside any
// account.
func (t *txn) putGlobal(e entity) {
	t.stage(recordKey{"", e.kind(), e.key()}, e)
}

// delGlobal stages the deletion of a record outside any account.
func (t *txn) delGlobal(kind, key string) {
	t.stage(recordKey{"", kind, key}, nil)
}

func (t *txn) stage(k recordKey, e entity) {
	if t.staged == nil {
		panic("iam: write in a read-only view")
	}
	if _, seen := t.staged[k]; !seen {
		t.read(k) // a write is conditional on the version it replaces
		t.order = append(t.order, k)
	}
	t.staged[k] = e
}

// view runs fn on the visible state of acct, read-only.
func (svc *Service) view(r *authn.Request, fn func(t *txn) error) error {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	if err := svc.failed(); err != nil {
		return err
	}
	return fn(svc.reader(r))
}

// reader is a read-only txn of r on the visible state; the caller holds
// the read lock.
func (svc *Service) reader(r *authn.Request) *txn {
	return &txn{svc: svc, req: r, acct: r.Account, callerKey: callerKey(r), base: svc.state}
}

// maxAttempts bounds how often a write is run again after a concurrent
// writer changed what it read.
const maxAttempts = 10

// update runs fn on the visible state and commits what it stages, with
// the conditions of what it read, to the store in one transaction; the
// change is visible to this process's next request once update
// returns. fn takes no lock but the shared read lock: requests are
// authorized and writes prepared side by side. When a concurrent writer
// (a request of this process or another's) changed what fn read, fn
// runs again on the fresh state, so it answers as it would have after
// that writer (EntityAlreadyExists, say); after maxAttempts the answer
// is ConcurrentModification. If fn or the commit fails, nothing changes.
func (svc *Service) update(ctx context.Context, r *authn.Request, fn func(t *txn) error) error {
	ck := callerKey(r)
	for attempt := 1; ; attempt++ {
		t := &txn{svc: svc, req: r, acct: r.Account, callerKey: ck, staged: make(map[recordKey]entity),
			conds: make(map[recordKey]int64), scans: make(map[scanKey]struct{}), limits: make(map[limitKey]int), exacts: make(map[limitKey]struct{})}
		svc.mu.RLock()
		err := svc.failed()
		if err == nil {
			t.base = svc.state
			err = fn(t)
		}
		if err == nil {
			// Counted while the state cannot change: the follower
			// writes it under the write lock.
			for k := range t.exacts {
				t.limit(k, t.count(k.kind, k.prefix))
			}
		}
		svc.mu.RUnlock()
		if err != nil || len(t.order) == 0 {
			return err
		}
		seq, err := svc.commit(ctx, t)
		if errors.Is(err, store.ErrConflict) && attempt < maxAttempts {
			svc.logger.Debug("write conflict, retrying on fresh state", "attempt", attempt, "err", err)
			if err := svc.catchUp(ctx); err != nil {
				return err
			}
			// Writers that met on one record should not meet again.
			time.Sleep(time.Duration(rand.Int64N(int64(attempt) * int64(time.Millisecond))))
			continue
		}
		if errors.Is(err, store.ErrConflict) {
			svc.logger.Warn("write conflicts exhausted the attempts", "attempts", attempt, "err", err)
			return errConcurrentModification()
		}
		if err != nil {
			return err
		}
		return svc.follower.Wait(ctx, seq)
	}
}

func errConcurrentModification() error {
	return iamapi.ConcurrentModification("The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.")
}

// catchUp waits until the visible state has every commit the store
// had when it was called.
func (svc *Service) catchUp(ctx context.Context) error {
	last, err := svc.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	return svc.follower.Wait(ctx, last)
}

// commit sends what t staged to the store, with t's conditions.
func (svc *Service) commit(ctx context.Context, t *txn) (int64, error) {
	b := store.Batch{Changes: make([]store.Change, 0, len(t.order)), Time: svc.now()}
	for _, k := range t.order {
		rec := store.Record{Account: k.account, Kind: k.kind, Key: k.key}
		e := t.staged[k]
		if e == nil {
			b.Changes = append(b.Changes, store.Change{Op: store.Delete, Record: rec})
			continue
		}
		v, err := json.Marshal(e)
		if err != nil {
			return 0, fmt.Errorf("iam: encoding %s %q: %w", k.kind, k.key, err)
		}
		rec.Value = v
		b.Changes = append(b.Changes, store.Change{Op: store.Put, Record: rec})
	}
	for _, k := range slices.SortedFunc(maps.Keys(t.conds), compareRecordKeys) {
		b.Conds = append(b.Conds, store.Cond{Account: k.account, Kind: k.kind, Key: k.key, Version: t.conds[k]})
	}
	for _, k := range slices.SortedFunc(maps.Keys(t.scans), compareScanKeys) {
		b.Unchanged = append(b.Unchanged, store.Unchanged{Account: k.account, Kind: k.kind, Since: t.base.pos})
	}
	// An owner's records read all of hold as many as the write leaves:
	// none added meanwhile.
	for _, k := range slices.SortedFunc(maps.Keys(t.limits), compareLimitKeys) {
		b.Limits = append(b.Limits, store.Limit{Account: k.account, Kind: k.kind, Prefix: k.prefix, Max: t.limits[k]})
	}
	seq, err := svc.store.Commit(ctx, b)
	if err != nil {
		return 0, fmt.Errorf("iam: commit: %w", err)
	}
	return seq, nil
}

func compareRecordKeys(a, b recordKey) int {
	return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.kind, b.kind), cmp.Compare(a.key, b.key))
}

func compareLimitKeys(a, b limitKey) int {
	return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.kind, b.kind), cmp.Compare(a.prefix, b.prefix))
}

func compareScanKeys(a, b scanKey) int {
	return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.kind, b.kind))
}
