package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// kindKeyUse records when an access key was last used; key: the access
// key ID. It is a record of its own so that recording use never changes
// the user (and never invalidates compiled policies).
const kindKeyUse = "keyUse"

// keyUse is when, for which service and in which region an access key
// was last used.
type keyUse struct {
	ID      string    `json:"id"`
	Used    time.Time `json:"used"`
	Service string    `json:"service"`
	Region  string    `json:"region"`
}

func (u *keyUse) kind() string { return kindKeyUse }
func (u *keyUse) key() string  { return u.ID }

// usage holds the uses of access keys recorded since the last flush.
// AWS updates last-used information with a delay as well ("typically
// within 4 hours"); Gatehouse answers from memory at once and persists
// on FlushUsage.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#Using_RotateAccessKey
type usage struct {
	mu    sync.Mutex
	dirty map[string]accountUse // access key ID -> newest use
}

type accountUse struct {
	account string
	use     keyUse
}

// RecordKeyUse notes that access key id of account signed a request to
// service in region at t. It is cheap enough for every request: a use in
// the same second, service and region as the last one changes nothing.
func (svc *Service) RecordKeyUse(account, id, service, region string, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	u := &svc.usage
	u.mu.Lock()
	defer u.mu.Unlock()
	if old, ok := u.dirty[id]; ok && old.use.Used.Equal(t) && old.use.Service == service && old.use.Region == region {
		return
	}
	if u.dirty == nil {
		u.dirty = make(map[string]accountUse)
	}
	u.dirty[id] = accountUse{account, keyUse{ID: id, Used: t, Service: service, Region: region}}
}

// lastKeyUse returns the newest known use of an access key.
func (t *txn) lastKeyUse(id string) (keyUse, bool) {
	u := &t.svc.usage
	u.mu.Lock()
	d, ok := u.dirty[id]
	u.mu.Unlock()
	if ok && d.account == t.acct {
		return d.use, true
	}
	if rec, ok := get[*keyUse](t, kindKeyUse, id); ok {
		return *rec, true
	}
	return keyUse{}, false
}

// FlushUsage persists the uses recorded since the last flush, in one
// transaction. Uses of access keys deleted meanwhile are dropped.
func (svc *Service) FlushUsage(ctx context.Context) error {
	u := &svc.usage
	u.mu.Lock()
	pending := u.dirty
	u.dirty = nil
	u.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	var b store.Batch
	svc.mu.RLock()
	for id, p := range pending {
		if o, ok := svc.state.keys[id]; !ok || o.account != p.account {
			continue // deleted since
		}
		v, err := json.Marshal(&p.use)
		if err != nil {
			svc.mu.RUnlock()
			return fmt.Errorf("iam: encoding key use: %w", err)
		}
		k := recordKey{p.account, kindKeyUse, id}
		b.Changes = append(b.Changes, store.Change{Op: store.Put, Record: store.Record{Account: k.account, Kind: k.kind, Key: k.key, Value: v}})
		// Another process may have recorded a use of the key meanwhile:
		// then this flush fails and the next one (on fresh state) goes
		// again.
		b.Conds = append(b.Conds, store.Cond{Account: k.account, Kind: k.kind, Key: k.key, Version: svc.state.versions[k]})
		// And the key must still be there.
		kr := svc.state.keys[id].record(id)
		b.Conds = append(b.Conds, store.Cond{Account: kr.account, Kind: kr.kind, Key: kr.key, Version: svc.state.versions[kr]})
	}
	svc.mu.RUnlock()
	if len(b.Changes) == 0 {
		return nil
	}
	b.Time = svc.now()
	seq, err := svc.store.Commit(ctx, b)
	if err != nil {
		// Put the uses back unless newer ones came in meanwhile.
		u.mu.Lock()
		for id, p := range pending {
			if _, newer := u.dirty[id]; !newer {
				if u.dirty == nil {
					u.dirty = make(map[string]accountUse)
				}
				u.dirty[id] = p
			}
		}
		u.mu.Unlock()
		return fmt.Errorf("iam: flushing key use: %w", err)
	}
	return svc.follower.Wait(ctx, seq)
}

// dropKeyUse stages the deletion of an access key's use record, if any.
func (t *txn) dropKeyUse(id string) {
	if _, ok := get[*keyUse](t, kindKeyUse, id); ok {
		t.del(kindKeyUse, id)
	}
}
