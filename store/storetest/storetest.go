package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// Opener opens one more Store over the same database.
type Opener func(t *testing.T) store.Store

// Bound is how soon a commit made through one Store must be applied by
// a follower of another over the same database.
const Bound = time.Second

var at = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func put(acct, kind, key, value string) store.Change {
	return store.Change{Op: store.Put, Record: store.Record{Account: acct, Kind: kind, Key: key, Value: []byte(value)}}
}

func del(acct, kind, key string) store.Change {
	return store.Change{Op: store.Delete, Record: store.Record{Account: acct, Kind: kind, Key: key}}
}

func batch(changes ...store.Change) store.Batch { return store.Batch{Changes: changes, Time: at} }

func load(t *testing.T, s store.Store) ([]string, int64) {
	t.Helper()
	var out []string
	pos, err := s.Load(context.Background(), func(r store.Record) error {
		out = append(out, fmt.Sprintf("%s/%s/%s=%s@%d", r.Account, r.Kind, r.Key, r.Value, r.Version))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, pos
}

func logSeqs(t *testing.T, s store.Store, after int64, limit int) []int64 {
	t.Helper()
	var seqs []int64
	if err := s.Log(context.Background(), after, limit, func(e store.Entry) error {
		seqs = append(seqs, e.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return seqs
}

// Run runs the conformance suite. Each subtest calls newDB for a new,
// empty database and opens Stores over it with the Opener it returns;
// the rules about several writers use two Stores over one database, as
// two processes would.
// race commits 20 batches at once, batch(i) on stores[i%len(stores)],
// and returns how many were committed; every other one must conflict.
func race(t *testing.T, stores []store.Store, batch func(i int) store.Batch) int {
	const n = 20
	var (
		wg   sync.WaitGroup
		wins atomic.Int32
	)
	for i := range n {
		wg.Go(func() {
			_, err := stores[i%len(stores)].Commit(context.Background(), batch(i))
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	return int(wins.Load())
}

func Run(t *testing.T, newDB func(t *testing.T) Opener) {
	ctx := context.Background()
	t.Run("commit load log", func(t *testing.T) {
		s := newDB(t)(t)
		seq, err := s.Commit(ctx, batch(put("2", "user", "b", "1"), put("1", "user", "a", "1"), put("1", "group", "g", "x")))
		if err != nil || seq != 3 {
			t.Fatalf("Commit = %d, %v", seq, err)
		}
		if seq, err = s.Commit(ctx, batch(put("1", "user", "a", "2"), del("2", "user", "b"), del("2", "user", "missing"))); err != nil || seq != 6 {
			t.Fatalf("Commit = %d, %v", seq, err)
		}
		got, pos := load(t, s)
		if want := "[1/group/g=x@3 1/user/a=2@4]"; fmt.Sprint(got) != want || pos != 6 {
			t.Fatalf("Load = %s at %d, want %s at 6", got, pos, want)
		}
		var entries []string
		if err := s.Log(ctx, 2, 0, func(e store.Entry) error {
			if !e.Time.Equal(at) || e.Change.Record.Version != e.Seq {
				return fmt.Errorf("entry %d: time %v version %d", e.Seq, e.Time, e.Change.Record.Version)
			}
			entries = append(entries, fmt.Sprintf("%d:%s:%s:%v", e.Seq, e.Change.Op, e.Change.Record.Key, e.Last))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if want := "[3:put:g:true 4:put:a:false 5:delete:b:false 6:delete:missing:true]"; fmt.Sprint(entries) != want {
			t.Fatalf("Log after 2 = %v, want %s", entries, want)
		}
		if last, err := s.LastSeq(ctx); err != nil || last != 6 {
			t.Fatalf("LastSeq = %d, %v", last, err)
		}
	})
	t.Run("log limit ends on a commit", func(t *testing.T) {
		s := newDB(t)(t)
		for range 3 {
			if _, err := s.Commit(ctx, batch(put("1", "k", "a", "v"), put("1", "k", "b", "v"), put("1", "k", "c", "v"))); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			after int64
			limit int
			want  string
		}{
			{0, 1, "[1 2 3]"}, {0, 3, "[1 2 3]"}, {0, 4, "[1 2 3 4 5 6]"}, {3, 2, "[4 5 6]"}, {6, 100, "[7 8 9]"}, {9, 1, "[]"},
		} {
			if got := fmt.Sprint(logSeqs(t, s, c.after, c.limit)); got != c.want {
				t.Errorf("Log(after %d, limit %d) = %s, want %s", c.after, c.limit, got, c.want)
			}
		}
	})
	t.Run("invalid batches change nothing", func(t *testing.T) {
		s := newDB(t)(t)
		for _, b := range []store.Batch{
			batch(put("1", "user", "a", "1"), put("1", "", "k", "v")),
			batch(put("1", "user", "a", "1"), store.Change{Op: 9, Record: store.Record{Kind: "k", Key: "x"}}),
			{Changes: []store.Change{put("1", "user", "a", "1")}, Conds: []store.Cond{{Account: "1", Kind: "user"}}},
			{Changes: []store.Change{put("1", "user", "a", "1")}, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a", Version: -1}}},
			{Changes: []store.Change{put("1", "user", "a", "1")}, Unchanged: []store.Unchanged{{Account: "1"}}},
			{Changes: []store.Change{put("1", "user", "a", "1")}, Limits: []store.Limit{{Account: "1", Kind: "user", Max: -1}}},
			{},
		} {
			if _, err := s.Commit(ctx, b); !errors.Is(err, store.ErrInvalidChange) {
				t.Errorf("Commit(%+v) = %v, want ErrInvalidChange", b, err)
			}
		}
		if got, pos := load(t, s); len(got) != 0 || pos != 0 {
			t.Fatalf("half a batch committed: %v at %d", got, pos)
		}
	})
	t.Run("conditions", func(t *testing.T) {
		s := newDB(t)(t)
		seq, err := s.Commit(ctx, store.Batch{Changes: []store.Change{put("1", "user", "a", "1")}, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a"}}})
		if err != nil {
			t.Fatalf("create with version 0 on an absent record: %v", err)
		}
		reject := func(name string, b store.Batch) {
			t.Helper()
			before, pos := load(t, s)
			if _, err := s.Commit(ctx, b); !errors.Is(err, store.ErrConflict) {
				t.Errorf("%s: Commit = %v, want ErrConflict", name, err)
			}
			if after, pos2 := load(t, s); !slices.Equal(before, after) || pos2 != pos {
				t.Errorf("%s: a rejected commit changed the store: %v at %d, was %v at %d", name, after, pos2, before, pos)
			}
		}
		accept := func(name string, b store.Batch) int64 {
			t.Helper()
			seq, err := s.Commit(ctx, b)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return seq
		}
		change := []store.Change{put("1", "user", "b", "1"), put("1", "user", "a", "2")}
		reject("create over an existing record", store.Batch{Changes: change[1:], Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a"}}})
		reject("a stale version", store.Batch{Changes: change, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a", Version: seq - 1}}})
		reject("a read record changed (the write is elsewhere)", store.Batch{Changes: []store.Change{put("1", "group", "g", "1")}, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a", Version: seq + 7}}})
		seq = accept("the version read", store.Batch{Changes: change, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "a", Version: seq}, {Account: "1", Kind: "user", Key: "b"}}})
		reject("a kind changed after the scan", store.Batch{Changes: []store.Change{put("1", "group", "g", "1")}, Unchanged: []store.Unchanged{{Account: "1", Kind: "user", Since: seq - 1}}})
		accept("other kinds and accounts are not the scan", store.Batch{Changes: []store.Change{put("2", "user", "x", "1"), put("1", "role", "r", "1")}, Unchanged: []store.Unchanged{{Account: "1", Kind: "user", Since: seq}, {Account: "1", Kind: "group", Since: 0}}})
		reject("a deletion is a change to the kind", store.Batch{Changes: []store.Change{put("1", "group", "h", "1")}, Unchanged: []store.Unchanged{{Account: "2", Kind: "user", Since: accept("delete", batch(del("2", "user", "x"))) - 1}}})
		reject("a limit the commit would pass", store.Batch{Changes: []store.Change{put("1", "user", "c", "1")}, Limits: []store.Limit{{Account: "1", Kind: "user", Max: 2}}})
		accept("a limit the commit reaches", store.Batch{Changes: []store.Change{put("1", "user", "c", "1")}, Limits: []store.Limit{{Account: "1", Kind: "user", Max: 3}, {Account: "2", Kind: "user", Max: 0}}})
		accept("a limit met by deleting in the same commit", store.Batch{Changes: []store.Change{del("1", "user", "c"), put("1", "user", "d", "1")}, Limits: []store.Limit{{Account: "1", Kind: "user", Max: 3}}})
		// Keys under a prefix: "k/1" and "k/2" are; "k", "k0", "kk/1"
		// and another kind's or account's "k/3" are not.
		accept("records around a prefix", batch(put("1", "key", "k/1", "1"), put("1", "key", "k", "1"), put("1", "key", "k0", "1"), put("1", "key", "kk/1", "1"), put("1", "other", "k/3", "1"), put("2", "key", "k/3", "1")))
		limit := func(max int) []store.Limit { return []store.Limit{{Account: "1", Kind: "key", Prefix: "k/", Max: max}} }
		reject("a prefix limit the commit would pass", store.Batch{Changes: []store.Change{put("1", "key", "k/2", "1")}, Limits: limit(1)})
		accept("a prefix limit the commit reaches", store.Batch{Changes: []store.Change{put("1", "key", "k/2", "1"), put("1", "key", "k1", "1")}, Limits: limit(2)})
		accept("a prefix limit met by deleting in the same commit", store.Batch{Changes: []store.Change{del("1", "key", "k/1"), put("1", "key", "k/9", "1")}, Limits: limit(2)})
		accept("an update is no new record", store.Batch{Changes: []store.Change{put("1", "key", "k/9", "2")}, Limits: limit(2)})
		accept("a prefix that holds none", store.Batch{Changes: []store.Change{del("1", "key", "k/2"), del("1", "key", "k/9")}, Limits: limit(0)})
		reject("a prefix limit of 0", store.Batch{Changes: []store.Change{put("1", "key", "k/\xff", "1")}, Limits: limit(0)})
		accept("a prefix of 0xff bytes", store.Batch{Changes: []store.Change{put("1", "key", "\xff\xff", "1")}, Limits: []store.Limit{{Account: "1", Kind: "key", Prefix: "\xff", Max: 1}}})
	})
	t.Run("two writers race on one name", func(t *testing.T) {
		open := newDB(t)
		stores := []store.Store{open(t), open(t)}
		if wins := race(t, stores, func(i int) store.Batch {
			return store.Batch{Changes: []store.Change{put("1", "user", "alice", fmt.Sprint(i))}, Conds: []store.Cond{{Account: "1", Kind: "user", Key: "alice"}}, Time: at}
		}); wins != 1 {
			t.Fatalf("%d writers created alice, want exactly 1", wins)
		}
		if seqs := logSeqs(t, stores[1], 0, 0); len(seqs) != 1 {
			t.Fatalf("log holds %v, want one entry", seqs)
		}
	})
	t.Run("two writers race past a prefix limit", func(t *testing.T) {
		open := newDB(t)
		stores := []store.Store{open(t), open(t)}
		// One owner's records, one short of the limit, and records
		// beside them that do not count.
		const max = 5
		b := batch(put("1", "key", "alice", "0"), put("1", "key", "alice2/x", "0"), put("1", "key", "bob/x", "0"))
		for i := range max - 1 {
			b.Changes = append(b.Changes, put("1", "key", fmt.Sprintf("alice/%d", i), "0"))
		}
		if _, err := stores[0].Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		if wins := race(t, stores, func(i int) store.Batch {
			return store.Batch{Changes: []store.Change{put("1", "key", fmt.Sprintf("alice/w%02d", i), "1")},
				Limits: []store.Limit{{Account: "1", Kind: "key", Prefix: "alice/", Max: max}}, Time: at}
		}); wins != 1 {
			t.Fatalf("%d writers added the last record under the prefix, want exactly 1", wins)
		}
		got, _ := load(t, stores[1])
		if len(got) != 3+max {
			t.Fatalf("the store holds %v", got)
		}
	})
	t.Run("concurrent commits: the ones that conflict fail alone", func(t *testing.T) {
		s := newDB(t)(t)
		if _, err := s.Commit(ctx, batch(put("1", "user", "taken", "0"))); err != nil {
			t.Fatal(err)
		}
		// Commits that may share a transaction (a backend may group
		// them): every second one conflicts.
		const n = 40
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprintf("u%02d", i)
				if i%2 == 1 {
					key = "taken"
				}
				_, errs[i] = s.Commit(ctx, store.Batch{Changes: []store.Change{put("1", "user", key, "1"), put("1", "log", key+"-log", "1")},
					Conds: []store.Cond{{Account: "1", Kind: "user", Key: key}}, Limits: []store.Limit{{Account: "1", Kind: "user", Max: n/2 + 1}}, Time: at})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if i%2 == 0 && err != nil {
				t.Errorf("commit %d: %v", i, err)
			}
			if i%2 == 1 && !errors.Is(err, store.ErrConflict) {
				t.Errorf("commit %d over an existing record: %v, want ErrConflict", i, err)
			}
		}
		got, pos := load(t, s)
		if len(got) != 1+n/2*2 || pos != 1+n/2*2 {
			t.Fatalf("%d records at %d, want %d: a failed commit left something or took a good one with it", len(got), pos, 1+n)
		}
		// The limit is the store's count, with the commits before in
		// the same transaction counted.
		if _, err := s.Commit(ctx, store.Batch{Changes: []store.Change{put("1", "user", "one-more", "1")}, Limits: []store.Limit{{Account: "1", Kind: "user", Max: n/2 + 1}}, Time: at}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a commit past the limit: %v", err)
		}
	})
	t.Run("a follower of another store applies a commit within the bound", func(t *testing.T) {
		open := newDB(t)
		a, b := open(t), open(t)
		var (
			mu      sync.Mutex
			applied []string
		)
		f := store.NewFollower(b, 0, func(es []store.Entry) error {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range es {
				applied = append(applied, fmt.Sprintf("%d:%s", e.Seq, e.Change.Record.Key))
			}
			return nil
		}, store.FollowerOptions{})
		stop := run(t, f)
		defer stop()
		seq, err := a.Commit(ctx, batch(put("1", "user", "alice", "1"), put("1", "group", "devs", "1")))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		// No Poke: the follower learns of another store's commit by
		// itself.
		for f.Pos() < seq {
			if time.Since(start) > Bound {
				t.Fatalf("after %v the follower of b stands at %d, a committed %d", Bound, f.Pos(), seq)
			}
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(applied) != "[1:alice 2:devs]" {
			t.Fatalf("applied %v", applied)
		}
	})
	t.Run("a crash between commit and apply loses nothing", func(t *testing.T) {
		open := newDB(t)
		a := open(t)
		// a commits and goes away before applying anything.
		seq, err := a.Commit(ctx, batch(put("1", "user", "alice", "1")))
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		b := open(t)
		got, pos := load(t, b)
		if pos != seq || fmt.Sprint(got) != fmt.Sprintf("[1/user/alice=1@%d]", seq) {
			t.Fatalf("after the crash: %v at %d", got, pos)
		}
		// A follower that stood before the commit gets it from the log.
		var keys []string
		f := store.NewFollower(b, 0, func(es []store.Entry) error {
			keys = append(keys, es[0].Change.Record.Key)
			return nil
		}, store.FollowerOptions{})
		stop := run(t, f)
		wait(t, f, seq)
		stop()
		if fmt.Sprint(keys) != "[alice]" {
			t.Fatalf("follower applied %v", keys)
		}
	})
	t.Run("followers apply every commit once in log order", func(t *testing.T) {
		open := newDB(t)
		stores := []store.Store{open(t), open(t)}
		type seen struct {
			mu   sync.Mutex
			seqs []int64
			last map[string]string
		}
		var (
			views     [2]*seen
			followers [2]*store.Follower
			stops     [2]func()
		)
		for i, s := range stores {
			v := &seen{last: make(map[string]string)}
			views[i] = v
			followers[i] = store.NewFollower(s, 0, func(es []store.Entry) error {
				v.mu.Lock()
				defer v.mu.Unlock()
				for _, e := range es {
					v.seqs = append(v.seqs, e.Seq)
					v.last[e.Change.Record.Key] = string(e.Change.Record.Value)
				}
				if !es[len(es)-1].Last {
					return errors.New("a commit handed over without its last entry")
				}
				return nil
			}, store.FollowerOptions{Batch: 7})
			stops[i] = run(t, followers[i])
		}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := range 10 {
					// Two changes per commit: a commit is applied whole.
					b := batch(put("1", "k", fmt.Sprintf("%d-%d", w, i), "v"), put("1", "k", fmt.Sprintf("w%d", w), fmt.Sprint(i)))
					if _, err := stores[w%2].Commit(ctx, b); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		last, err := stores[0].LastSeq(ctx)
		if err != nil || last != 160 {
			t.Fatalf("LastSeq = %d, %v; want 160", last, err)
		}
		want, _ := load(t, stores[0])
		for i, f := range followers {
			wait(t, f, last)
			stops[i]()
			v := views[i]
			for j, s := range v.seqs {
				if s != int64(j+1) {
					t.Fatalf("follower %d applied %v: not every seq once in order", i, v.seqs)
				}
			}
			var got []string
			for k, val := range v.last {
				got = append(got, k+"="+val)
			}
			if len(got) != len(want) {
				t.Fatalf("follower %d holds %d records, the store %d", i, len(got), len(want))
			}
		}
	})
	t.Run("a follower waits at a gap until it fills", func(t *testing.T) {
		s := newDB(t)(t)
		for i := range 3 {
			if _, err := s.Commit(ctx, batch(put("1", "k", fmt.Sprint(i), "v"))); err != nil {
				t.Fatal(err)
			}
		}
		// Entry 2 is committed but not yet visible, as when a backend's
		// sequence values commit out of order.
		hidden := &hideSeq{Store: s}
		hidden.hide.Store(2)
		var (
			mu   sync.Mutex
			seqs []int64
		)
		f := store.NewFollower(hidden, 0, func(es []store.Entry) error {
			mu.Lock()
			defer mu.Unlock()
			seqs = append(seqs, es[0].Seq)
			return nil
		}, store.FollowerOptions{Interval: time.Millisecond, GapTimeout: time.Hour})
		stop := run(t, f)
		defer stop()
		wait(t, f, 1)
		time.Sleep(50 * time.Millisecond)
		if p := f.Pos(); p != 1 {
			t.Fatalf("follower moved to %d past the gap at 2", p)
		}
		hidden.hide.Store(0)
		wait(t, f, 3)
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(seqs) != "[1 2 3]" {
			t.Fatalf("applied %v", seqs)
		}
	})
	t.Run("a gap no commit fills is skipped after the timeout", func(t *testing.T) {
		s := newDB(t)(t)
		for i := range 3 {
			if _, err := s.Commit(ctx, batch(put("1", "k", fmt.Sprint(i), "v"))); err != nil {
				t.Fatal(err)
			}
		}
		hidden := &hideSeq{Store: s}
		hidden.hide.Store(2)
		var seqs []int64
		f := store.NewFollower(hidden, 0, func(es []store.Entry) error {
			seqs = append(seqs, es[0].Seq)
			return nil
		}, store.FollowerOptions{Interval: time.Millisecond, GapTimeout: 20 * time.Millisecond})
		stop := run(t, f)
		wait(t, f, 3)
		stop()
		if fmt.Sprint(seqs) != "[1 3]" {
			t.Fatalf("applied %v", seqs)
		}
	})
	t.Run("an apply failure stops the follower and Wait says so", func(t *testing.T) {
		s := newDB(t)(t)
		boom := errors.New("cannot apply")
		f := store.NewFollower(s, 0, func([]store.Entry) error { return boom }, store.FollowerOptions{})
		done := make(chan error, 1)
		go func() { done <- f.Run(ctx) }()
		seq, err := s.Commit(ctx, batch(put("1", "k", "a", "v")))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Wait(ctx, seq); !errors.Is(err, boom) {
			t.Fatalf("Wait = %v, want the apply error", err)
		}
		if err := <-done; !errors.Is(err, boom) {
			t.Fatalf("Run = %v", err)
		}
		if f.Pos() != 0 {
			t.Fatalf("a failed commit counted as applied: pos %d", f.Pos())
		}
		f.Restart(seq)
		if err := f.Wait(ctx, seq); err != nil {
			t.Fatalf("Wait after Restart: %v", err)
		}
	})
	t.Run("large value and reset", func(t *testing.T) {
		s := newDB(t)(t)
		big := make([]byte, 1<<20)
		if _, err := s.Commit(ctx, batch(store.Change{Op: store.Put, Record: store.Record{Account: "1", Kind: "k", Key: "big", Value: big}})); err != nil {
			t.Fatal(err)
		}
		r, ok := s.(store.Resetter)
		if !ok {
			t.Skip("not a Resetter")
		}
		if err := r.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		got, pos := load(t, s)
		if len(got) != 0 || pos != 1 {
			t.Fatalf("after Reset: %d records at %d, want none at 1 (positions go on)", len(got), pos)
		}
		if seq, err := s.Commit(ctx, batch(put("1", "k", "a", "v"))); err != nil || seq != 2 {
			t.Fatalf("Commit after Reset = %d, %v; want 2", seq, err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		s := newDB(t)(t)
		s.Close()
		if _, err := s.Commit(ctx, batch(put("1", "k", "a", "v"))); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Commit after Close: %v", err)
		}
	})
}

// hideSeq is a Store whose log does not show one entry yet.
type hideSeq struct {
	store.Store
	hide atomic.Int64
}

func (h *hideSeq) Log(ctx context.Context, after int64, limit int, fn func(store.Entry) error) error {
	hide := h.hide.Load()
	return h.Store.Log(ctx, after, limit, func(e store.Entry) error {
		if e.Seq == hide {
			return nil
		}
		return fn(e)
	})
}

func run(t *testing.T, f *store.Follower) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("follower: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func wait(t *testing.T, f *store.Follower, seq int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.Wait(ctx, seq); err != nil {
		t.Fatalf("waiting for %d (at %d): %v", seq, f.Pos(), err)
	}
}
