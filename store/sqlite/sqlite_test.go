package sqlite_test

import (
	"context"
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
