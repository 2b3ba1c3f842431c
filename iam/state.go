package iam

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/gatehouse/gatehouse/store"
)

// account is the in-memory state of one AWS account: one table per
// record kind, keyed like the records.
type account struct {
	id     string
	tables map[string]map[string]entity
}

func newAccount(id string) *account {
	return &account{id: id, tables: make(map[string]map[string]entity)}
}

// keyOwner locates the user that owns an access key.
type keyOwner struct {
	account string
	userKey string
	secret  string // unsealed
	status  string
}

// state is everything the service holds in memory: the records of the
// store as of log position pos, with their versions.
type state struct {
	accounts map[string]*account
	keys     map[string]keyOwner // access key ID -> owner
	versions map[recordKey]int64 // the store's version of each record
	pos      int64               // every log entry <= pos is applied
}

func newState() *state {
	return &state{accounts: make(map[string]*account), keys: make(map[string]keyOwner), versions: make(map[recordKey]int64)}
}

// recordKey identifies a record.
type recordKey struct {
	account, kind, key string
}

func (s *state) lookup(k recordKey) entity {
	a := s.accounts[k.account]
	if a == nil {
		return nil
	}
	return a.tables[k.kind][k.key]
}

// decodeEntity turns a record back into its entity.
func decodeEntity(kind string, data []byte) (entity, error) {
	var e entity
	switch kind {
	case kindUser:
		e = new(user)
	case kindGroup:
		e = new(group)
	case kindRole:
		e = new(role)
	case kindPolicy:
		e = new(managedPolicy)
	case kindInstanceProfile:
		e = new(instanceProfile)
	case kindMFA:
		e = new(virtualMFA)
	case kindSAML:
		e = new(samlProvider)
	case kindOIDC:
		e = new(oidcProvider)
	case kindServerCert:
		e = new(serverCert)
	case kindSettings:
		e = new(settings)
	case kindKeyUse:
		e = new(keyUse)
	case kindSLRDeletion:
		e = new(slrDeletion)
	default:
		return nil, fmt.Errorf("iam: unknown record kind %q", kind)
	}
	if err := json.Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("iam: decoding %s record: %w", kind, err)
	}
	return e, nil
}

// load fills the state from a snapshot of the store and returns it; the
// caller makes it the visible state.
func (svc *Service) load(ctx context.Context) (*state, error) {
	st := newState()
	pos, err := svc.store.Load(ctx, func(r store.Record) error {
		e, err := decodeEntity(r.Kind, r.Value)
		if err != nil {
			return err
		}
		return st.set(svc, recordKey{r.Account, r.Kind, r.Key}, e, r.Version)
	})
	if err != nil {
		return nil, err
	}
	st.pos = pos
	return st, nil
}

// apply makes one commit read from the change log visible, whole: the
// follower's apply function, for this process's commits and every other
// writer's.
func (svc *Service) apply(entries []store.Entry) error {
	type change struct {
		k recordKey
		e entity
		v int64
	}
	changes := make([]change, len(entries))
	for i, en := range entries {
		r := en.Change.Record
		c := change{k: recordKey{r.Account, r.Kind, r.Key}}
		if en.Change.Op == store.Put {
			e, err := decodeEntity(r.Kind, r.Value)
			if err != nil {
				return err
			}
			c.e, c.v = e, r.Version
		}
		changes[i] = c
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	for _, c := range changes {
		if err := svc.state.set(svc, c.k, c.e, c.v); err != nil {
			return err
		}
	}
	svc.state.pos = entries[len(entries)-1].Seq
	return nil
}

// set makes e (nil: deleted) the visible value of k at the store's
// version v and keeps the indexes and the authorization view current.
// The caller holds the write lock of svc.mu (or owns s alone).
func (s *state) set(svc *Service, k recordKey, e entity, v int64) error {
	a := s.accounts[k.account]
	if a == nil {
		if e == nil {
			return nil
		}
		a = newAccount(k.account)
		s.accounts[k.account] = a
	}
	t := a.tables[k.kind]
	if t == nil {
		t = make(map[string]entity)
		a.tables[k.kind] = t
	}
	// The authorization view drops what depends on the record, on
	// every path out (set is its one hook).
	defer svc.principals.changed(k, t[k.key], e)
	if old, ok := t[k.key].(*user); ok {
		for _, ak := range old.AccessKeys {
			delete(s.keys, ak.ID)
		}
	}
	if e == nil {
		delete(t, k.key)
		delete(s.versions, k)
		return nil
	}
	t[k.key] = e
	s.versions[k] = v
	if u, ok := e.(*user); ok {
		for _, ak := range u.AccessKeys {
			secret, err := svc.keyring.Open(ak.Secret, []byte(ak.ID))
			if err != nil {
				return fmt.Errorf("iam: opening secret of access key %s: %w", ak.ID, err)
			}
			s.keys[ak.ID] = keyOwner{account: k.account, userKey: k.key, secret: string(secret), status: ak.Status}
		}
	}
	return nil
}

// sortedValues returns the entities of a table sorted by key.
func sortedValues[T entity](t map[string]entity) []T {
	out := make([]T, 0, len(t))
	for _, e := range t {
		out = append(out, e.(T))
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(a.key(), b.key()) })
	return out
}
