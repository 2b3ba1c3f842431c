package iam

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gatehouse/gatehouse/store"
)

// txn is one operation's view of an account: the visible state plus, in
// a write, the entities it has staged. Reads see staged values first.
type txn struct {
	svc    *Service
	req    *Request
	acct   string
	base   *state
	staged map[recordKey]entity // nil value: deleted
	order  []recordKey
}

// get returns the entity of kind with key, if it exists.
func get[T entity](t *txn, kind, key string) (T, bool) {
	var zero T
	k := recordKey{t.acct, kind, key}
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

// all returns every entity of kind, sorted by key.
func all[T entity](t *txn, kind string) []T {
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

// count returns how many entities of kind the account has.
func (t *txn) count(kind string) int {
	if len(t.staged) == 0 {
		if a := t.base.accounts[t.acct]; a != nil {
			return len(a.tables[kind])
		}
		return 0
	}
	return len(all[entity](t, kind))
}

// put stages e as the new value of its record.
func (t *txn) put(e entity) {
	t.stage(recordKey{t.acct, e.kind(), e.key()}, e)
}

// del stages the deletion of a record.
func (t *txn) del(kind, key string) {
	t.stage(recordKey{t.acct, kind, key}, nil)
}

func (t *txn) stage(k recordKey, e entity) {
	if t.staged == nil {
		panic("iam: write in a read-only view")
	}
	if _, seen := t.staged[k]; !seen {
		t.order = append(t.order, k)
	}
	t.staged[k] = e
}

// view runs fn on the visible state of acct, read-only.
func (svc *Service) view(r *Request, fn func(t *txn) error) error {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	return fn(&txn{svc: svc, req: r, acct: r.Account, base: svc.state})
}

// update runs fn as the only writer; what fn stages is committed to the
// store with its change-log entries in one transaction and then made
// visible. If fn or the commit fails, nothing changes.
func (svc *Service) update(ctx context.Context, r *Request, fn func(t *txn) error) error {
	svc.writeMu.Lock()
	defer svc.writeMu.Unlock()
	t := &txn{svc: svc, req: r, acct: r.Account, base: svc.state, staged: make(map[recordKey]entity)}
	if err := fn(t); err != nil {
		return err
	}
	return svc.commit(ctx, t)
}

func (svc *Service) commit(ctx context.Context, t *txn) error {
	if len(t.order) == 0 {
		return nil
	}
	changes := make([]store.Change, 0, len(t.order))
	for _, k := range t.order {
		rec := store.Record{Account: k.account, Kind: k.kind, Key: k.key}
		e := t.staged[k]
		if e == nil {
			changes = append(changes, store.Change{Op: store.Delete, Record: rec})
			continue
		}
		v, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("iam: encoding %s %q: %w", k.kind, k.key, err)
		}
		rec.Value = v
		changes = append(changes, store.Change{Op: store.Put, Record: rec})
	}
	if _, err := svc.store.Commit(ctx, changes, svc.now()); err != nil {
		return fmt.Errorf("iam: commit: %w", err)
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	for _, k := range t.order {
		if err := svc.state.set(svc, k, t.staged[k]); err != nil {
			// The record is durable; only the in-memory index failed.
			// Rebuilding from the store is the safe way back.
			svc.logger.Error("applying committed change", "kind", k.kind, "key", k.key, "err", err)
		}
	}
	return nil
}
