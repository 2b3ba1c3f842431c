package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/store/sqlite"
	"github.com/gatehouse/gatehouse/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "test.db")
		return func(t *testing.T) store.Store {
			s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

// BenchmarkCommit is one durable commit of a new record with its
// conditions (absent before, a limit on the kind), from parallel
// writers: concurrent commits share a transaction and its fsync.
func BenchmarkCommit(b *testing.B) {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := strconv.FormatInt(n.Add(1), 10)
			_, err := s.Commit(context.Background(), store.Batch{
				Changes: []store.Change{{Op: store.Put, Record: store.Record{Account: "1", Kind: "user", Key: key, Value: []byte(`{"Name":"` + key + `"}`)}}},
				Conds:   []store.Cond{{Account: "1", Kind: "user", Key: key}},
				Limits:  []store.Limit{{Account: "1", Kind: "user", Max: 1 << 30}},
				Time:    time.Now(),
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A database written by the first schema (no versions) opens with every
// record at the log's end, the kinds counted, and conditional commits
// working on it.
func TestMigrationFromUnversioned(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE records (account TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (account, kind, key)) WITHOUT ROWID`,
		`CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, op INTEGER NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB)`,
		`INSERT INTO records VALUES ('1', 'user', 'a', '{}'), ('1', 'user', 'b', '{}'), ('1', 'group', 'g', '{}')`,
		`INSERT INTO log (time, op, account, kind, key, value) VALUES (0, 1, '1', 'user', 'a', '{}'), (0, 1, '1', 'user', 'b', '{}'), (0, 1, '1', 'group', 'g', '{}')`,
		`PRAGMA user_version = 1`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	versions := map[string]int64{}
	pos, err := s.Load(ctx, func(r store.Record) error { versions[r.Kind+"/"+r.Key] = r.Version; return nil })
	if err != nil || pos != 3 || len(versions) != 3 || versions["user/a"] != 3 {
		t.Fatalf("Load after migration: %v at %d, %v", versions, pos, err)
	}
	put := store.Change{Op: store.Put, Record: store.Record{Account: "1", Kind: "user", Key: "a", Value: []byte("{}")}}
	if _, err := s.Commit(ctx, store.Batch{Changes: []store.Change{put}, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a", Version: 2}}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale version on a migrated record: %v", err)
	}
	if _, err := s.Commit(ctx, store.Batch{Changes: []store.Change{put}, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a", Version: 3}}, Unchanged: []store.Unchanged{{Account: "1", Kind: "user", Since: pos}}}); err != nil {
		t.Fatalf("the version Load gave: %v", err)
	}
	c := store.Change{Op: store.Put, Record: store.Record{Account: "1", Kind: "user", Key: "c", Value: []byte("{}")}}
	if _, err := s.Commit(ctx, store.Batch{Changes: []store.Change{c}, Limits: []store.Limit{{Account: "1", Kind: "user", Max: 2}}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the migrated count is not kept: a third user under a limit of 2: %v", err)
	}
}
