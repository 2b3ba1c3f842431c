package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// Run runs the conformance suite against stores made by open; each
// subtest gets a new, empty store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	put := func(acct, kind, key, value string) store.Change {
		return store.Change{Op: store.Put, Record: store.Record{Account: acct, Kind: kind, Key: key, Value: []byte(value)}}
	}
	del := func(acct, kind, key string) store.Change {
		return store.Change{Op: store.Delete, Record: store.Record{Account: acct, Kind: kind, Key: key}}
	}
	load := func(t *testing.T, s store.Store) []string {
		var out []string
		if err := s.Load(ctx, func(r store.Record) error {
			out = append(out, r.Account+"/"+r.Kind+"/"+r.Key+"="+string(r.Value))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("commit load log", func(t *testing.T) {
		s := open(t)
		seq, err := s.Commit(ctx, []store.Change{put("2", "user", "b", "1"), put("1", "user", "a", "1"), put("1", "group", "g", "x")}, at)
		if err != nil || seq != 3 {
			t.Fatalf("Commit = %d, %v", seq, err)
		}
		if _, err := s.Commit(ctx, []store.Change{put("1", "user", "a", "2"), del("2", "user", "b"), del("2", "user", "missing")}, at); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(load(t, s)), "[1/group/g=x 1/user/a=2]"; got != want {
			t.Fatalf("Load = %s, want %s", got, want)
		}
		var seqs []int64
		if err := s.Log(ctx, 2, func(e store.Entry) error {
			seqs = append(seqs, e.Seq)
			if !e.Time.Equal(at) {
				return fmt.Errorf("time %v", e.Time)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(seqs) != "[3 4 5 6]" {
			t.Fatalf("Log after 2 = %v", seqs)
		}
		if last, err := s.LastSeq(ctx); err != nil || last != 6 {
			t.Fatalf("LastSeq = %d, %v", last, err)
		}
	})
	t.Run("atomic", func(t *testing.T) {
		s := open(t)
		_, err := s.Commit(ctx, []store.Change{put("1", "user", "a", "1"), put("1", "", "k", "v")}, at)
		if !errors.Is(err, store.ErrInvalidChange) {
			t.Fatalf("invalid batch: %v", err)
		}
		if got := load(t, s); len(got) != 0 {
			t.Fatalf("half a batch committed: %v", got)
		}
	})
	t.Run("concurrent commits have no gaps", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					if _, err := s.Commit(ctx, []store.Change{put("1", "k", fmt.Sprintf("%d-%d", w, i), "v")}, at); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		next := int64(1)
		s.Log(ctx, 0, func(e store.Entry) error {
			if e.Seq != next {
				t.Fatalf("seq %d, want %d", e.Seq, next)
			}
			next++
			return nil
		})
		if next != 81 {
			t.Fatalf("%d entries, want 80", next-1)
		}
	})
	t.Run("large value and reset", func(t *testing.T) {
		s := open(t)
		big := make([]byte, 1<<20)
		if _, err := s.Commit(ctx, []store.Change{{Op: store.Put, Record: store.Record{Account: "1", Kind: "k", Key: "big", Value: big}}}, at); err != nil {
			t.Fatal(err)
		}
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if got := load(t, s); len(got) != 0 {
			t.Fatalf("after Reset: %d records", len(got))
		}
	})
	t.Run("closed", func(t *testing.T) {
		s := open(t)
		s.Close()
		if _, err := s.Commit(ctx, []store.Change{put("1", "k", "a", "v")}, at); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Commit after Close: %v", err)
		}
	})
}
