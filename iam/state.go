package iam

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/gatehouse/gatehouse/store"
)

// account is the in-memory state of one AWS account: one table per
// record kind, keyed like the records.
type account struct {
	id     string
	tables map[string]map[string]entity
	ix     indexes // see index.go
}

func newAccount(id string) *account {
	return &account{id: id, tables: make(map[string]map[string]entity), ix: newIndexes()}
}

// keyOwner locates the user that owns an access key.
type keyOwner struct {
	account string
	userKey string // the user record's key
	userID  string // the user's unique ID: the key is not another's of that name
	secret  string // unsealed
	status  string
}

// record is the key of the access key's record.
func (o keyOwner) record(id string) recordKey {
	return recordKey{o.account, kindAccessKey, ownerPrefix(o.userKey) + id}
}

// state is everything the service holds in memory: the records of the
// store as of log position pos, with their versions.
type state struct {
	accounts map[string]*account
	global   *account // the records outside any account (account "")
	// keys is every access key by ID, for authentication: one map
	// lookup, no allocation.
	keys map[string]keyOwner
	// owned holds the users' credentials by owner (see credentials.go),
	// so that one user's are found without scanning the account.
	owned    map[ownerKey]map[string]entity // -> record key -> credential
	versions map[recordKey]int64            // the store's version of each record
	pos      int64                          // every log entry <= pos is applied
}

// ownerKey names one user's records of one kind.
type ownerKey struct {
	account, kind, user string // user: the user record's key
}

func newState() *state {
	return &state{accounts: make(map[string]*account), global: newAccount(""), keys: make(map[string]keyOwner),
		owned: make(map[ownerKey]map[string]entity), versions: make(map[recordKey]int64)}
}

// account returns the records of account id ("": those outside any
// account), or nil.
func (s *state) account(id string) *account {
	if id == "" {
		return s.global
	}
	return s.accounts[id]
}

// recordKey identifies a record.
type recordKey struct {
	account, kind, key string
}

func (s *state) lookup(k recordKey) entity {
	a := s.account(k.account)
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
		u, err := decodeUser(data)
		if err != nil {
			return nil, fmt.Errorf("iam: decoding %s record: %w", kind, err)
		}
		return u, nil
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
	case kindAccessKey:
		e = new(accessKey)
	case kindAccessKeyID:
		e = new(accessKeyID)
	case kindLogin:
		e = new(loginProfile)
	case kindPasswordUse:
		e = new(passwordUse)
	case kindMFAEnabled:
		e = new(mfaDevice)
	case kindSSHKey:
		e = new(sshKey)
	case kindSigningCert:
		e = new(signingCert)
	case kindServiceCred:
		e = new(serviceCred)
	default:
		return nil, fmt.Errorf("iam: unknown record kind %q", kind)
	}
	if err := json.Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("iam: decoding %s record: %w", kind, err)
	}
	return e, nil
}

// loadCurrent loads the state as load does, once no user record holds
// credentials itself any more (migrateCreds moves them out first).
func (svc *Service) loadCurrent(ctx context.Context) (*state, error) {
	for attempt := 1; ; attempt++ {
		st, err := svc.load(ctx)
		if err != nil {
			return nil, err
		}
		moved, err := svc.migrateCreds(ctx, st)
		switch {
		case err == nil && !moved:
			return st, nil
		case err == nil, errors.Is(err, store.ErrConflict) && attempt < maxAttempts:
			// Load what it, or another process, moved.
			svc.logger.Debug("loading again after moving credentials", "attempt", attempt, "err", err)
		default:
			return nil, err
		}
	}
}

// load fills the state from a snapshot of the store and returns it; the
// caller makes it the visible state.
func (svc *Service) load(ctx context.Context) (*state, error) {
	st := newState()
	// Decoding the records' JSON is most of a load's time: batches of
	// records are decoded on every core while the store is read, and
	// set into the state one by one in the store's order.
	type batch struct {
		recs []store.Record
		ents []entity
		err  error
		done chan struct{}
	}
	const batchLen = 512
	workers := runtime.GOMAXPROCS(0)
	todo, order := make(chan *batch, workers), make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range todo {
				b.ents = make([]entity, len(b.recs))
				for i, r := range b.recs {
					if b.ents[i], b.err = decodeEntity(r.Kind, r.Value); b.err != nil {
						break
					}
				}
				close(b.done)
			}
		})
	}
	applied := make(chan error, 1)
	go func() {
		var err error
		for b := range order {
			<-b.done
			if err == nil {
				err = b.err
			}
			for i := 0; err == nil && i < len(b.recs); i++ {
				r := b.recs[i]
				err = st.set(svc, recordKey{r.Account, r.Kind, r.Key}, b.ents[i], r.Version)
			}
		}
		applied <- err
	}()
	cur := &batch{done: make(chan struct{})}
	send := func() {
		order <- cur
		todo <- cur
		cur = &batch{done: make(chan struct{})}
	}
	pos, err := svc.store.Load(ctx, func(r store.Record) error {
		cur.recs = append(cur.recs, r)
		if len(cur.recs) == batchLen {
			send()
		}
		return nil
	})
	if len(cur.recs) > 0 {
		send()
	}
	close(todo)
	close(order)
	wg.Wait()
	if aerr := <-applied; err == nil {
		err = aerr
	}
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
			if u, ok := e.(*user); ok && u.legacy != nil {
				// An older program's write: reloading moves them out.
				return fmt.Errorf("iam: user record %s %q holds credentials itself", r.Account, r.Key)
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
	a := s.account(k.account)
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
	old := t[k.key]
	// The authorization view drops what depends on the record, on
	// every path out (set is its one hook).
	defer svc.principals.changed(k, old, e)
	if e == nil {
		delete(t, k.key)
		delete(s.versions, k)
	} else {
		t[k.key] = e
		s.versions[k] = v
	}
	a.index(k, old, e)
	if isCredKind(k.kind) {
		return s.setCred(svc, k, old, e)
	}
	return nil
}

// setCred keeps the indexes of credentials current: by owner, and
// access keys by ID.
func (s *state) setCred(svc *Service, k recordKey, old, e entity) error {
	own := ownerKey{k.account, k.kind, recordOwner(k.key)}
	owners := s.account(k.account).ix.owners(k.kind)
	if e == nil {
		delete(s.owned[own], k.key)
		if len(s.owned[own]) == 0 {
			delete(s.owned, own)
			owners.remove(own.user)
		}
	} else {
		m := s.owned[own]
		if m == nil {
			m = make(map[string]entity)
			s.owned[own] = m
			owners.put(own.user, own.user, nil)
		}
		m[k.key] = e
	}
	// A rename deletes a key's record and puts it under the new name:
	// the ID's entry goes only if it is still this record's.
	if ak, isKey := old.(*accessKey); isKey {
		if o, found := s.keys[ak.ID]; found && o.record(ak.ID) == k {
			delete(s.keys, ak.ID)
		}
	}
	if ak, isKey := e.(*accessKey); isKey {
		secret, err := svc.keyring.Open(ak.Secret, []byte(ak.ID))
		if err != nil {
			return fmt.Errorf("iam: opening secret of access key %s: %w", ak.ID, err)
		}
		s.keys[ak.ID] = keyOwner{account: k.account, userKey: own.user, userID: ak.UserID, secret: string(secret), status: ak.Status}
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
