package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// FollowerOptions configure a Follower. The zero value is the default.
type FollowerOptions struct {
	// Interval is how often the log is polled for other writers'
	// commits; 0 means 20ms. A Poke or Wait reads at once.
	Interval time.Duration
	// GapTimeout is how long a gap in the log (a Seq not yet visible
	// while later ones are, as a backend whose sequence values commit
	// out of order shows it) is waited on before it is taken for a
	// value no commit will use; 0 means 10s.
	GapTimeout time.Duration
	// Batch is how many entries one read takes at most; 0 means 1000.
	Batch int
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
}

// A Follower tails a store's change log and hands every commit, whole
// and in log order, to its apply function: other writers' commits and
// this process's own alike. Entries are never applied twice nor
// skipped, even when a backend makes a later Seq visible before an
// earlier one.
type Follower struct {
	s     Store
	apply func([]Entry) error
	opts  FollowerOptions

	poke chan struct{}

	mu      sync.Mutex
	pos     int64         // every entry <= pos is applied
	moved   chan struct{} // closed and replaced when pos moves
	gapSeen time.Time     // when the gap after pos was first seen
	err     error         // why Run stopped, if it did
}

// NewFollower returns a follower that applies the entries after pos
// (the position Load returned) with apply. apply is called from Run's
// goroutine, one commit at a time; an error stops Run.
func NewFollower(s Store, pos int64, apply func([]Entry) error, opts FollowerOptions) *Follower {
	if opts.Interval <= 0 {
		opts.Interval = 20 * time.Millisecond
	}
	if opts.GapTimeout <= 0 {
		opts.GapTimeout = 10 * time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Follower{s: s, apply: apply, opts: opts, pos: pos, poke: make(chan struct{}, 1), moved: make(chan struct{})}
}

// Pos returns the position up to which every entry is applied.
func (f *Follower) Pos() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pos
}

// Restart moves the follower to pos, the position of a fresh Load (after
// an apply failure), and lets Run go on from there.
func (f *Follower) Restart(pos int64) {
	f.mu.Lock()
	f.pos, f.err, f.gapSeen = pos, nil, time.Time{}
	close(f.moved)
	f.moved = make(chan struct{})
	f.mu.Unlock()
	f.Poke()
}

// Poke makes Run read the log now.
func (f *Follower) Poke() {
	select {
	case f.poke <- struct{}{}:
	default:
	}
}

// Wait returns once every entry up to seq is applied (read your own
// writes), or with ctx's error, or with the error that stopped Run.
func (f *Follower) Wait(ctx context.Context, seq int64) error {
	for {
		f.mu.Lock()
		pos, moved, err := f.pos, f.moved, f.err
		f.mu.Unlock()
		if pos >= seq {
			return nil
		}
		if err != nil {
			return err
		}
		f.Poke()
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Run follows the log until ctx is done (returning nil) or an apply or
// read fails (returning the error; Wait then fails with it until
// Restart).
func (f *Follower) Run(ctx context.Context) error {
	t := time.NewTicker(f.opts.Interval)
	defer t.Stop()
	for {
		if err := f.catchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			f.mu.Lock()
			f.err = err
			close(f.moved)
			f.moved = make(chan struct{})
			f.mu.Unlock()
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-f.poke:
		}
	}
}

// catchUp applies every whole commit visible after pos, stopping at a
// gap until it fills or times out.
func (f *Follower) catchUp(ctx context.Context) error {
	for {
		pos := f.Pos()
		var (
			batch []Entry
			n     int
			gap   bool
		)
		next := pos + 1
		err := f.s.Log(ctx, pos, f.opts.Batch, func(e Entry) error {
			n++
			if gap {
				return nil
			}
			if e.Seq != next {
				if len(batch) > 0 {
					return fmt.Errorf("store: log entry %d inside a commit follows %d", e.Seq, next-1)
				}
				if !f.gapTimedOut(pos, e.Seq) {
					gap = true
					return nil
				}
			}
			next = e.Seq + 1
			batch = append(batch, e)
			if !e.Last {
				return nil
			}
			if err := f.apply(batch); err != nil {
				return fmt.Errorf("store: applying log entries %d..%d: %w", batch[0].Seq, e.Seq, err)
			}
			f.advance(e.Seq)
			batch = batch[:0]
			return nil
		})
		if err != nil {
			return err
		}
		if gap || n < f.opts.Batch {
			return nil
		}
	}
}

// gapTimedOut reports whether the entries between pos and seq have been
// missing for longer than the gap timeout; the first call for a gap
// starts its clock.
func (f *Follower) gapTimedOut(pos, seq int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gapSeen.IsZero() {
		f.gapSeen = time.Now()
		return false
	}
	if time.Since(f.gapSeen) < f.opts.GapTimeout {
		return false
	}
	f.opts.Logger.Warn("skipping a gap in the change log: no commit used these positions", "from", pos+1, "to", seq-1, "waited", f.opts.GapTimeout)
	return true
}

func (f *Follower) advance(seq int64) {
	f.mu.Lock()
	f.pos, f.gapSeen = seq, time.Time{}
	close(f.moved)
	f.moved = make(chan struct{})
	f.mu.Unlock()
}
