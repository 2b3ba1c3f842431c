package store

import (
	"context"
	"errors"
	"time"
)

// Record is one persisted entity.
type Record struct {
	Kind    string // "user", "group", ... chosen by the service
	Account string // 12-digit account ID; "" for records outside any account
	Key     string // unique within (Account, Kind)
	Value   []byte // opaque to the store
	// Version is the Seq of the log entry that last wrote the record;
	// the store sets it. A record that does not exist has version 0.
	Version int64
}

// Op is what a change does to its record.
type Op uint8

// Ops.
const (
	Put Op = iota + 1
	Delete
)

func (o Op) String() string {
	switch o {
	case Put:
		return "put"
	case Delete:
		return "delete"
	}
	return "invalid"
}

// Change is one record put or deleted. Delete ignores Record.Value;
// both ignore Record.Version.
type Change struct {
	Op     Op
	Record Record
}

// Entry is one change-log row. Change.Record.Version is Seq.
type Entry struct {
	Seq    int64
	Time   time.Time
	Change Change
	// Last marks the last entry of its commit: a reader applies a
	// commit's entries together, up to and including the Last one.
	Last bool
}

// Cond is a precondition on one record: it still has the version the
// writer read (0: it still does not exist).
type Cond struct {
	Account, Kind, Key string
	Version            int64
}

// Unchanged is a precondition on a whole kind of an account: no record
// of it was put or deleted after the log position Since (what a writer
// that scanned the kind read).
type Unchanged struct {
	Account, Kind string
	Since         int64
}

// Limit is a postcondition: after the commit the account holds at most
// Max records of the kind whose key starts with Prefix ("": all of the
// kind). A prefix is how a quota of one owner is kept across writers:
// the records an owner has are keyed "<owner>/...".
type Limit struct {
	Account, Kind string
	Prefix        string
	Max           int
}

// Batch is one commit: its changes, applied in order, and the
// conditions under which they may be.
type Batch struct {
	Changes   []Change
	Conds     []Cond
	Unchanged []Unchanged
	Limits    []Limit
	// Time is the time of the batch's log entries.
	Time time.Time
}

// Store persists records and the change log. Implementations are safe
// for concurrent use, also by several processes on one database: a
// commit's conditions are checked and its changes applied atomically,
// and log order is the order in which commits became visible.
type Store interface {
	// Load calls fn for every record, ordered by (Account, Kind, Key),
	// all from one consistent snapshot, and returns the log position
	// the snapshot stands at: every entry with Seq <= pos is in it, none
	// after.
	Load(ctx context.Context, fn func(Record) error) (pos int64, err error)
	// Commit checks the batch's conditions and applies its changes,
	// appending one log entry per change, in a single transaction: all
	// or nothing. It returns the Seq of the last entry. A failed
	// condition returns an error that wraps ErrConflict and changes
	// nothing. A nil error means the changes are durable.
	Commit(ctx context.Context, b Batch) (seq int64, err error)
	// Log calls fn for up to limit entries (limit <= 0: all) with
	// Seq > after, in Seq order, whole commits only.
	Log(ctx context.Context, after int64, limit int, fn func(Entry) error) error
	// LastSeq returns the highest Seq committed, 0 if none.
	LastSeq(ctx context.Context) (int64, error)
	Close() error
}

// Resetter is a store that can delete everything it holds (dev mode's
// reset; not part of Store).
type Resetter interface {
	// Reset deletes every record and log entry.
	Reset(ctx context.Context) error
}

// Errors.
var (
	ErrClosed        = errors.New("store: closed")
	ErrInvalidChange = errors.New("store: invalid change")
	// ErrConflict reports a commit whose conditions did not hold: a
	// concurrent writer changed what it read.
	ErrConflict = errors.New("store: conflict")
)

// Validate checks a batch before it is committed: every change needs an
// op, a kind and a key, and every condition a kind.
func Validate(b Batch) error {
	for _, c := range b.Changes {
		if (c.Op != Put && c.Op != Delete) || c.Record.Kind == "" || c.Record.Key == "" {
			return ErrInvalidChange
		}
	}
	for _, c := range b.Conds {
		if c.Kind == "" || c.Key == "" || c.Version < 0 {
			return ErrInvalidChange
		}
	}
	for _, u := range b.Unchanged {
		if u.Kind == "" {
			return ErrInvalidChange
		}
	}
	for _, l := range b.Limits {
		if l.Kind == "" || l.Max < 0 {
			return ErrInvalidChange
		}
	}
	return nil
}
