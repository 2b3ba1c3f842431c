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

// Change is one record put or deleted. Delete ignores Record.Value.
type Change struct {
	Op     Op
	Record Record
}

// Entry is one change-log row.
type Entry struct {
	Seq    int64
	Time   time.Time
	Change Change
}

// Store persists records and the change log. Implementations are safe
// for concurrent use.
type Store interface {
	// Load calls fn for every record, ordered by (Account, Kind, Key).
	Load(ctx context.Context, fn func(Record) error) error
	// Commit applies changes in order and appends one log entry per
	// change (Time = at) in a single transaction: all or nothing. It
	// returns the Seq of the last entry. A nil error means the changes
	// are durable.
	Commit(ctx context.Context, changes []Change, at time.Time) (seq int64, err error)
	// Log calls fn for each entry with Seq > after, in Seq order.
	Log(ctx context.Context, after int64, fn func(Entry) error) error
	// LastSeq returns the highest Seq committed, 0 if none.
	LastSeq(ctx context.Context) (int64, error)
	// Reset deletes every record and log entry.
	Reset(ctx context.Context) error
	Close() error
}

// Errors.
var (
	ErrClosed        = errors.New("store: closed")
	ErrInvalidChange = errors.New("store: invalid change")
)

// Validate checks a batch before it is committed: every change needs an
// op, a kind and a key.
func Validate(changes []Change) error {
	for _, c := range changes {
		if (c.Op != Put && c.Op != Delete) || c.Record.Kind == "" || c.Record.Key == "" {
			return ErrInvalidChange
		}
	}
	return nil
}
