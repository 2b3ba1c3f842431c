package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configure Open. The zero value is the default.
type Options struct {
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
}

// Store is a store.Store in one SQLite file.
type Store struct {
	db     *sql.DB // readers
	w      *sql.DB // the one writer connection
	mu     sync.Mutex
	closed bool
	logger *slog.Logger
}

var _ store.Store = (*Store)(nil)

// migrations are applied in order, each in a transaction; the database's
// user_version is the number applied.
var migrations = []string{
	`CREATE TABLE records (
		account TEXT NOT NULL,
		kind    TEXT NOT NULL,
		key     TEXT NOT NULL,
		value   BLOB NOT NULL,
		PRIMARY KEY (account, kind, key)
	) WITHOUT ROWID;
	CREATE TABLE log (
		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
		time    INTEGER NOT NULL,
		op      INTEGER NOT NULL,
		account TEXT NOT NULL,
		kind    TEXT NOT NULL,
		key     TEXT NOT NULL,
		value   BLOB
	);`,
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, w: w, logger: opts.Logger}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this program (%d)", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	return nil
}

// Load implements store.Store.
func (s *Store) Load(ctx context.Context, fn func(store.Record) error) error {
	if err := s.check(); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT account, kind, key, value FROM records ORDER BY account, kind, key")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.Record
		if err := rows.Scan(&r.Account, &r.Kind, &r.Key, &r.Value); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Commit implements store.Store.
func (s *Store) Commit(ctx context.Context, changes []store.Change, at time.Time) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if err := store.Validate(changes); err != nil {
		return 0, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	put, err := tx.PrepareContext(ctx, "INSERT INTO records (account, kind, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (account, kind, key) DO UPDATE SET value = excluded.value")
	if err != nil {
		return 0, err
	}
	del, err := tx.PrepareContext(ctx, "DELETE FROM records WHERE account = ? AND kind = ? AND key = ?")
	if err != nil {
		return 0, err
	}
	logStmt, err := tx.PrepareContext(ctx, "INSERT INTO log (time, op, account, kind, key, value) VALUES (?, ?, ?, ?, ?, ?)")
	if err != nil {
		return 0, err
	}
	var seq int64
	for _, c := range changes {
		r := c.Record
		var value []byte
		if c.Op == store.Put {
			value = r.Value
			if value == nil {
				value = []byte{}
			}
			if _, err := put.ExecContext(ctx, r.Account, r.Kind, r.Key, value); err != nil {
				return 0, err
			}
		} else if _, err := del.ExecContext(ctx, r.Account, r.Kind, r.Key); err != nil {
			return 0, err
		}
		res, err := logStmt.ExecContext(ctx, at.UnixNano(), int(c.Op), r.Account, r.Kind, r.Key, value)
		if err != nil {
			return 0, err
		}
		if seq, err = res.LastInsertId(); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return seq, nil
}

// Log implements store.Store.
func (s *Store) Log(ctx context.Context, after int64, fn func(store.Entry) error) error {
	if err := s.check(); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT seq, time, op, account, kind, key, value FROM log WHERE seq > ? ORDER BY seq", after)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e  store.Entry
			ns int64
			op int
		)
		if err := rows.Scan(&e.Seq, &ns, &op, &e.Change.Record.Account, &e.Change.Record.Kind, &e.Change.Record.Key, &e.Change.Record.Value); err != nil {
			return err
		}
		e.Time = time.Unix(0, ns).UTC()
		e.Change.Op = store.Op(op)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LastSeq implements store.Store.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var seq sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT MAX(seq) FROM log").Scan(&seq)
	return seq.Int64, err
}

// Reset implements store.Store.
func (s *Store) Reset(ctx context.Context) error {
	if err := s.check(); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{"DELETE FROM records", "DELETE FROM log"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	return errors.Join(s.db.Close(), s.w.Close())
}
