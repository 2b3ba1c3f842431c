package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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
	db    *sql.DB // readers
	w     *sql.DB // the one writer connection
	stmts statements
	// queue feeds the committer; quit stops it, stopped says it has.
	queue         chan *commit
	quit, stopped chan struct{}
	mu            sync.Mutex
	closed        bool
	logger        *slog.Logger
}

// statements are prepared once: parsing SQL is most of a small
// commit's cost otherwise.
type statements struct {
	record, kind, count, countRange, countFrom, logAppend, update, insert, del, kinds *sql.Stmt // writer's
	log, logLimit, lastSeq                                                            *sql.Stmt // readers'
}

var statementSQL = []struct {
	reader bool
	dst    func(*statements) **sql.Stmt
	sql    string
}{
	{false, func(s *statements) **sql.Stmt { return &s.record }, "SELECT version FROM records WHERE account = ? AND kind = ? AND key = ?"},
	{false, func(s *statements) **sql.Stmt { return &s.kind }, "SELECT version FROM kinds WHERE account = ? AND kind = ?"},
	{false, func(s *statements) **sql.Stmt { return &s.count }, "SELECT count FROM kinds WHERE account = ? AND kind = ?"},
	// A range of the primary key: the records of a key prefix, from
	// the prefix to the first key after all that start with it, or to
	// the kind's end when there is none (the prefix is all 0xff bytes).
	// Two statements: with "?4 IS NULL OR key < ?4" SQLite searches the
	// index from the prefix to the kind's end, whatever ?4 is.
	{false, func(s *statements) **sql.Stmt { return &s.countRange }, "SELECT COUNT(*) FROM records WHERE account = ? AND kind = ? AND key >= ? AND key < ?"},
	{false, func(s *statements) **sql.Stmt { return &s.countFrom }, "SELECT COUNT(*) FROM records WHERE account = ? AND kind = ? AND key >= ?"},
	{false, func(s *statements) **sql.Stmt { return &s.logAppend }, "INSERT INTO log (time, op, account, kind, key, value, last) VALUES (?, ?, ?, ?, ?, ?, ?)"},
	{false, func(s *statements) **sql.Stmt { return &s.update }, "UPDATE records SET value = ?, version = ? WHERE account = ? AND kind = ? AND key = ?"},
	{false, func(s *statements) **sql.Stmt { return &s.insert }, "INSERT INTO records (account, kind, key, value, version) VALUES (?, ?, ?, ?, ?)"},
	{false, func(s *statements) **sql.Stmt { return &s.del }, "DELETE FROM records WHERE account = ? AND kind = ? AND key = ?"},
	{false, func(s *statements) **sql.Stmt { return &s.kinds }, "INSERT INTO kinds (account, kind, version, count) VALUES (?, ?, ?, ?) ON CONFLICT (account, kind) DO UPDATE SET version = excluded.version, count = count + excluded.count"},
	{true, func(s *statements) **sql.Stmt { return &s.log }, "SELECT seq, time, op, account, kind, key, value, last FROM log WHERE seq > ? ORDER BY seq"},
	// Whole commits only: up to the first Last entry at or after the
	// limit-th one.
	{true, func(s *statements) **sql.Stmt { return &s.logLimit }, `SELECT seq, time, op, account, kind, key, value, last FROM log WHERE seq > ?1 AND seq <= COALESCE(
		(SELECT MIN(seq) FROM log WHERE last AND seq >= (SELECT seq FROM log WHERE seq > ?1 ORDER BY seq LIMIT 1 OFFSET ?2)),
		(SELECT MAX(seq) FROM log)) ORDER BY seq`},
	// The highest seq ever given: AUTOINCREMENT never gives one twice,
	// also after Reset emptied the log.
	{true, func(s *statements) **sql.Stmt { return &s.lastSeq }, "SELECT MAX(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = 'log' UNION ALL SELECT MAX(seq) FROM log)"},
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
	// change to any record of an (account, kind) and kinds.count how
	// many records it has (limits); log.last marks the
	// last entry of a commit. Records and kinds written before this
	// migration stand at the log's end.
	`ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
	UPDATE records SET version = (SELECT COALESCE(MAX(seq), 1) FROM log);
	ALTER TABLE log ADD COLUMN last INTEGER NOT NULL DEFAULT 1;
	CREATE TABLE kinds (
		account TEXT NOT NULL,
		kind    TEXT NOT NULL,
		version INTEGER NOT NULL,
		count   INTEGER NOT NULL,
		PRIMARY KEY (account, kind)
	) WITHOUT ROWID;
	INSERT INTO kinds (account, kind, version, count)
		SELECT account, kind, (SELECT COALESCE(MAX(seq), 0) FROM log), COUNT(*) FROM records GROUP BY account, kind;`,
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
	s := &Store{db: db, w: w, logger: opts.Logger, queue: make(chan *commit, maxGroup), quit: make(chan struct{}), stopped: make(chan struct{})}
	for _, st := range statementSQL {
		on := w
		if st.reader {
			on = db
		}
		stmt, err := on.PrepareContext(ctx, st.sql)
		if err != nil {
			db.Close()
			w.Close()
			return nil, fmt.Errorf("sqlite: preparing %q: %w", st.sql, err)
		}
		*st.dst(&s.stmts) = stmt
	}
	go s.committer()
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
	var pos sql.NullInt64
	if err := tx.StmtContext(ctx, s.stmts.lastSeq).QueryRowContext(ctx).Scan(&pos); err != nil {
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
	return pos.Int64, nil
}

// Commit implements store.Store. The writer's transaction holds
// SQLite's write lock from BEGIN, across processes, so its conditions
// cannot change between the check and the write, and log order is
// commit order. Concurrent commits share one transaction (see
// committer).
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
	c := &commit{ctx: ctx, b: b, done: make(chan struct{})}
	select {
	case s.queue <- c:
	case <-s.quit:
		return 0, store.ErrClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	// Once queued, a commit is answered: it may already be durable.
	<-c.done
	return c.seq, c.err
}

// commit is one Commit waiting for the committer.
type commit struct {
	ctx  context.Context
	b    store.Batch
	seq  int64
	err  error
	done chan struct{}
}

// maxGroup is how many commits one SQLite transaction carries at most.
const maxGroup = 256

// committer writes the queued commits, as many as are waiting, in one
// SQLite transaction each group: one fsync for all of them. Each
// commit's conditions are checked after the commits before it in the
// group (a savepoint each), so a group is the same as its commits one
// after another; one that fails is rolled back alone. A commit is
// answered only after the transaction is durable.
func (s *Store) committer() {
	defer close(s.stopped)
	group := make([]*commit, 0, maxGroup)
	for {
		select {
		case c := <-s.queue:
			group = append(group[:0], c)
		case <-s.quit:
			for {
				select {
				case c := <-s.queue:
					c.err = store.ErrClosed
					close(c.done)
				default:
					return
				}
			}
		}
	more:
		for len(group) < maxGroup {
			select {
			case c := <-s.queue:
				group = append(group, c)
			default:
				break more
			}
		}
		s.writeGroup(group)
		for _, c := range group {
			close(c.done)
		}
	}
}

func (s *Store) writeGroup(group []*commit) {
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		for _, c := range group {
			c.err = err
		}
		return
	}
	defer tx.Rollback()
	written := 0
	for _, c := range group {
		if c.err = c.ctx.Err(); c.err != nil {
			continue
		}
		c.seq, c.err = s.write(ctx, tx, c.b)
		var failed *writeError
		if errors.As(c.err, &failed) {
			// Half written: the transaction cannot be kept.
			for _, c := range group {
				c.seq, c.err = 0, failed.err
			}
			return
		}
		if c.err == nil {
			written++
		}
	}
	if written == 0 {
		return
	}
	if err := tx.Commit(); err != nil {
		for _, c := range group {
			if c.err == nil {
				c.seq, c.err = 0, err
			}
		}
	}
}

// writeError is a failure after a commit began to write: the rest of
// its group cannot be committed either.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// write checks b's conditions and applies it within tx. Every check is
// made before anything is written, so a commit that fails a condition
// leaves tx as it found it and the group goes on without it.
func (s *Store) write(ctx context.Context, tx *sql.Tx, b store.Batch) (int64, error) {
	st := func(s *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, s) }
	type rkey struct{ account, kind, key string }
	type kkey struct{ account, kind string }
	exists := make(map[rkey]bool, len(b.Changes))
	version := func(k rkey) (int64, error) {
		var v int64
		err := st(s.stmts.record).QueryRowContext(ctx, k.account, k.kind, k.key).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		exists[k] = v != 0
		return v, nil
	}
	for _, c := range b.Conds {
		v, err := version(rkey{c.Account, c.Kind, c.Key})
		if err != nil {
			return 0, err
		}
		if v != c.Version {
			return 0, fmt.Errorf("%w: %s %s %q is at version %d, read at %d", store.ErrConflict, c.Account, c.Kind, c.Key, v, c.Version)
		}
	}
	for _, u := range b.Unchanged {
		var v int64
		err := st(s.stmts.kind).QueryRowContext(ctx, u.Account, u.Kind).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		if v > u.Since {
			return 0, fmt.Errorf("%w: %s %s changed at %d, read at %d", store.ErrConflict, u.Account, u.Kind, v, u.Since)
		}
	}
	// What each change does: insert, update or delete (a delete of a
	// missing record is logged but changes no row), and so the count
	// each kind will have.
	const (
		doInsert = iota
		doUpdate
		doDelete
		doNothing
	)
	do := make([]int, len(b.Changes))
	delta := make(map[kkey]int64)
	for i, c := range b.Changes {
		k := rkey{c.Record.Account, c.Record.Kind, c.Record.Key}
		e, ok := exists[k]
		if !ok {
			if _, err := version(k); err != nil {
				return 0, err
			}
			e = exists[k]
		}
		switch {
		case c.Op == store.Put && e:
			do[i] = doUpdate
		case c.Op == store.Put:
			do[i], exists[k] = doInsert, true
			delta[kkey{k.account, k.kind}]++
		case e:
			do[i], exists[k] = doDelete, false
			delta[kkey{k.account, k.kind}]--
		default:
			do[i] = doNothing
		}
	}
	for _, l := range b.Limits {
		var n int64
		if l.Prefix == "" {
			if err := st(s.stmts.count).QueryRowContext(ctx, l.Account, l.Kind).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return 0, err
			}
			n += delta[kkey{l.Account, l.Kind}]
		} else {
			var row *sql.Row
			if end, ok := prefixEnd(l.Prefix); ok {
				row = st(s.stmts.countRange).QueryRowContext(ctx, l.Account, l.Kind, l.Prefix, end)
			} else {
				row = st(s.stmts.countFrom).QueryRowContext(ctx, l.Account, l.Kind, l.Prefix)
			}
			if err := row.Scan(&n); err != nil {
				return 0, err
			}
			for i, c := range b.Changes {
				if r := c.Record; r.Account == l.Account && r.Kind == l.Kind && strings.HasPrefix(r.Key, l.Prefix) {
					switch do[i] {
					case doInsert:
						n++
					case doDelete:
						n--
					}
				}
			}
		}
		if n > int64(l.Max) {
			return 0, fmt.Errorf("%w: %s %s %q would hold %d records, at most %d", store.ErrConflict, l.Account, l.Kind, l.Prefix, n, l.Max)
		}
	}
	logAppend, update, insert, del, kinds := st(s.stmts.logAppend), st(s.stmts.update), st(s.stmts.insert), st(s.stmts.del), st(s.stmts.kinds)
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
		res, err := logAppend.ExecContext(ctx, b.Time.UnixNano(), int(c.Op), r.Account, r.Kind, r.Key, value, i == len(b.Changes)-1)
		if err != nil {
			return 0, &writeError{err}
		}
		if seq, err = res.LastInsertId(); err != nil {
			return 0, &writeError{err}
		}
		var d int64
		switch do[i] {
		case doInsert:
			_, err = insert.ExecContext(ctx, r.Account, r.Kind, r.Key, value, seq)
			d = 1
		case doUpdate:
			_, err = update.ExecContext(ctx, value, seq, r.Account, r.Kind, r.Key)
		case doDelete:
			_, err = del.ExecContext(ctx, r.Account, r.Kind, r.Key)
			d = -1
		}
		if err != nil {
			return 0, &writeError{err}
		}
		if _, err := kinds.ExecContext(ctx, r.Account, r.Kind, seq, d); err != nil {
			return 0, &writeError{err}
		}
	}
	return seq, nil
}

// prefixEnd returns the least key after every key that starts with p;
// false if there is none (p is all 0xff bytes). Keys compare as bytes
// (SQLite's BINARY collation), so it need not be UTF-8.
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// Log implements store.Store. A limit that ends inside a commit is
// extended to the commit's last entry.
func (s *Store) Log(ctx context.Context, after int64, limit int, fn func(store.Entry) error) error {
	if err := s.check(); err != nil {
		return err
	}
	var (
		rows *sql.Rows
		err  error
	)
	if limit > 0 {
		rows, err = s.stmts.logLimit.QueryContext(ctx, after, limit-1)
	} else {
		rows, err = s.stmts.log.QueryContext(ctx, after)
	}
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
	var seq sql.NullInt64
	err := s.stmts.lastSeq.QueryRowContext(ctx).Scan(&seq)
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
	close(s.quit)
	<-s.stopped
	return errors.Join(s.db.Close(), s.w.Close())
}
