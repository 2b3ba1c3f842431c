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

var (
	_ store.Store    = (*Store)(nil)
	_ store.Resetter = (*Store)(nil)
)

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
	// Versions for conditional commits: a record's version is the seq
	// of the entry that last wrote it, kinds.version the seq of the last
	// change to any record of an (account, kind); log.last marks the
	// last entry of a commit. Records and kinds written before this
	// migration stand at the log's end.
	`ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
	UPDATE records SET version = (SELECT COALESCE(MAX(seq), 1) FROM log);
	ALTER TABLE log ADD COLUMN last INTEGER NOT NULL DEFAULT 1;
	CREATE TABLE kinds (
		account TEXT NOT NULL,
		kind    TEXT NOT NULL,
		version INTEGER NOT NULL,
		PRIMARY KEY (account, kind)
	) WITHOUT ROWID;
	INSERT INTO kinds (account, kind, version)
		SELECT account, kind, (SELECT COALESCE(MAX(seq), 0) FROM log) FROM records GROUP BY account, kind;`,
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	// Readers use deferred transactions (a snapshot from the first
	// read); the writer takes the write lock at BEGIN, so a commit's
	// conditions are checked under it.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)"
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
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

// Load implements store.Store. The position and the records are read
// in one read transaction, so from one snapshot.
func (s *Store) Load(ctx context.Context, fn func(store.Record) error) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	pos, err := lastSeq(ctx, tx)
	if err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT account, kind, key, value, version FROM records ORDER BY account, kind, key")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.Record
		if err := rows.Scan(&r.Account, &r.Kind, &r.Key, &r.Value, &r.Version); err != nil {
			return 0, err
		}
		if err := fn(r); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return pos, nil
}

// Commit implements store.Store. The writer's transaction holds
// SQLite's write lock from BEGIN, across processes, so its conditions
// cannot change between the check and the write, and log order is
// commit order.
func (s *Store) Commit(ctx context.Context, b store.Batch) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if err := store.Validate(b); err != nil {
		return 0, err
	}
	if len(b.Changes) == 0 {
		return 0, store.ErrInvalidChange
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for _, c := range b.Conds {
		var v int64
		err := tx.QueryRowContext(ctx, "SELECT version FROM records WHERE account = ? AND kind = ? AND key = ?", c.Account, c.Kind, c.Key).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		if v != c.Version {
			return 0, fmt.Errorf("%w: %s %s %q is at version %d, read at %d", store.ErrConflict, c.Account, c.Kind, c.Key, v, c.Version)
		}
	}
	for _, u := range b.Unchanged {
		var v int64
		err := tx.QueryRowContext(ctx, "SELECT version FROM kinds WHERE account = ? AND kind = ?", u.Account, u.Kind).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		if v > u.Since {
			return 0, fmt.Errorf("%w: %s %s changed at %d, read at %d", store.ErrConflict, u.Account, u.Kind, v, u.Since)
		}
	}
	logStmt, err := tx.PrepareContext(ctx, "INSERT INTO log (time, op, account, kind, key, value, last) VALUES (?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return 0, err
	}
	put, err := tx.PrepareContext(ctx, "INSERT INTO records (account, kind, key, value, version) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, kind, key) DO UPDATE SET value = excluded.value, version = excluded.version")
	if err != nil {
		return 0, err
	}
	del, err := tx.PrepareContext(ctx, "DELETE FROM records WHERE account = ? AND kind = ? AND key = ?")
	if err != nil {
		return 0, err
	}
	kinds, err := tx.PrepareContext(ctx, "INSERT INTO kinds (account, kind, version) VALUES (?, ?, ?) ON CONFLICT (account, kind) DO UPDATE SET version = excluded.version")
	if err != nil {
		return 0, err
	}
	var seq int64
	for i, c := range b.Changes {
		r := c.Record
		var value []byte
		if c.Op == store.Put {
			value = r.Value
			if value == nil {
				value = []byte{}
			}
		}
		res, err := logStmt.ExecContext(ctx, b.Time.UnixNano(), int(c.Op), r.Account, r.Kind, r.Key, value, i == len(b.Changes)-1)
		if err != nil {
			return 0, err
		}
		if seq, err = res.LastInsertId(); err != nil {
			return 0, err
		}
		if c.Op == store.Put {
			_, err = put.ExecContext(ctx, r.Account, r.Kind, r.Key, value, seq)
		} else {
			_, err = del.ExecContext(ctx, r.Account, r.Kind, r.Key)
		}
		if err != nil {
			return 0, err
		}
		if _, err := kinds.ExecContext(ctx, r.Account, r.Kind, seq); err != nil {
			return 0, err
		}
	}
	for _, l := range b.Limits {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM records WHERE account = ? AND kind = ?", l.Account, l.Kind).Scan(&n); err != nil {
			return 0, err
		}
		if n > l.Max {
			return 0, fmt.Errorf("%w: %s %s would hold %d records, at most %d", store.ErrConflict, l.Account, l.Kind, n, l.Max)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return seq, nil
}

// Log implements store.Store. A limit that ends inside a commit is
// extended to the commit's last entry.
func (s *Store) Log(ctx context.Context, after int64, limit int, fn func(store.Entry) error) error {
	if err := s.check(); err != nil {
		return err
	}
	q, args := "SELECT seq, time, op, account, kind, key, value, last FROM log WHERE seq > ? ORDER BY seq", []any{after}
	if limit > 0 {
		// Whole commits only: up to the first Last entry at or after the
		// limit-th one.
		q = `SELECT seq, time, op, account, kind, key, value, last FROM log WHERE seq > ?1 AND seq <= COALESCE(
			(SELECT MIN(seq) FROM log WHERE last AND seq >= (SELECT seq FROM log WHERE seq > ?1 ORDER BY seq LIMIT 1 OFFSET ?2)),
			(SELECT MAX(seq) FROM log)) ORDER BY seq`
		args = append(args, limit-1)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
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
		if err := rows.Scan(&e.Seq, &ns, &op, &e.Change.Record.Account, &e.Change.Record.Kind, &e.Change.Record.Key, &e.Change.Record.Value, &e.Last); err != nil {
			return err
		}
		e.Time = time.Unix(0, ns).UTC()
		e.Change.Op = store.Op(op)
		e.Change.Record.Version = e.Seq
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
	return lastSeq(ctx, s.db)
}

// lastSeq is the highest seq ever given to a log entry: AUTOINCREMENT
// never gives one twice, also after Reset emptied the log.
func lastSeq(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var seq sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT MAX(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = 'log' UNION ALL SELECT MAX(seq) FROM log)").Scan(&seq)
	return seq.Int64, err
}

// Reset implements store.Resetter. Log positions go on from where
// they were, so a follower's position stays meaningful.
func (s *Store) Reset(ctx context.Context) error {
	if err := s.check(); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{"DELETE FROM records", "DELETE FROM log", "DELETE FROM kinds"} {
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
