package main

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/cmd/internal/loadclient"
	"github.com/gatehouse/gatehouse/sigv4"
)

// opRecord is what the clients saw of one operation: the latency of
// every answered request, the requests sent again (a conflict or
// throttling answered first), and the time the operation's phases took.
type opRecord struct {
	lat     []time.Duration
	retries int
	wall    time.Duration
}

func (r *opRecord) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(int(float64(len(r.lat))*q), len(r.lat)-1)]
}

// perSecond is the operation's throughput over the wall time of its
// phases.
func (r *opRecord) perSecond() float64 {
	if r.wall <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.wall.Seconds()
}

// recorder keeps opRecords by operation, in the order first seen.
type recorder struct {
	ops   map[string]*opRecord
	order []string
}

func newRecorder() *recorder { return &recorder{ops: map[string]*opRecord{}} }

func (r *recorder) op(name string) *opRecord {
	o := r.ops[name]
	if o == nil {
		o = &opRecord{}
		r.ops[name] = o
		r.order = append(r.order, name)
	}
	return o
}

func (r *recorder) merge(o *recorder) {
	for _, name := range o.order {
		src, dst := o.ops[name], r.op(name)
		dst.lat = append(dst.lat, src.lat...)
		dst.retries += src.retries
	}
}

// sorted sorts every record's latencies (for quantiles).
func (r *recorder) sorted() *recorder {
	for _, o := range r.ops {
		slices.Sort(o.lat)
	}
	return r
}

// client is one load client: a keep-alive connection and what it saw.
type client struct {
	addr string
	conn loadclient.Conn
	rec  *recorder
}

// maxAttempts bounds how often a request answered with a conflict,
// throttling or a server error is sent again.
const maxAttempts = 5

// call sends a signed request and returns the body of its answer, which
// must have one of the statuses ok (200 when none is given). A 409
// (ConcurrentModification), a Throttling or a 5xx is sent again, signed
// anew, up to maxAttempts times.
func (c *client) call(creds sigv4.Credentials, op, params string, ok ...int) ([]byte, int, error) {
	if len(ok) == 0 {
		ok = []int{http.StatusOK}
	}
	rec := c.rec.op(op)
	for attempt := 1; ; attempt++ {
		t0 := time.Now()
		status, body, err := c.conn.Do(loadclient.Request(c.addr, creds, op, params, t0))
		d := time.Since(t0)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", op, err)
		}
		if slices.Contains(ok, status) {
			rec.lat = append(rec.lat, d)
			return body, status, nil
		}
		again := status == http.StatusConflict || status >= 500 || bytes.Contains(body, []byte("<Code>Throttling</Code>"))
		if !again || attempt == maxAttempts {
			return nil, status, fmt.Errorf("%s %s: %d %s", op, params, status, body)
		}
		rec.retries++
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
}

// pool runs tasks 0..n-1 on conc clients of addr, each task on one
// client, until all ran, one failed or more is false. It returns what
// the clients recorded and the wall time.
func pool(addr string, n, conc int, more func() bool, task func(c *client, i int) error) (*recorder, time.Duration, error) {
	var (
		next    atomic.Int64
		mu      sync.Mutex
		firstEr error
		wg      sync.WaitGroup
	)
	all := newRecorder()
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstEr != nil
	}
	start := time.Now()
	for range conc {
		wg.Go(func() {
			c := &client{addr: addr, conn: loadclient.Conn{Addr: addr}, rec: newRecorder()}
			defer c.conn.Close()
			for !failed() && (more == nil || more()) {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				if err := task(c, i); err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			all.merge(c.rec)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, time.Since(start), firstEr
}

// measure sends one read from conc clients for d, each client signing
// its request once a second and sending those bytes meanwhile (signing
// is the client's cost; the server verifies every request in full).
func measure(addr string, creds sigv4.Credentials, op, params string, conc int, d time.Duration) (*opRecord, int) {
	var (
		mu   sync.Mutex
		rec  = &opRecord{}
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			c := &loadclient.Conn{Addr: addr}
			defer c.Close()
			signed := time.Now()
			req := loadclient.Request(addr, creds, op, params, signed)
			lat := make([]time.Duration, 0, 1<<14)
			e := 0
			for time.Since(start) < d {
				t0 := time.Now()
				if t0.Sub(signed) > time.Second {
					signed, req = t0, loadclient.Request(addr, creds, op, params, t0)
				}
				if err := c.Call(req); err != nil {
					e++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			rec.lat = append(rec.lat, lat...)
			errs += e
			mu.Unlock()
		})
	}
	wg.Wait()
	rec.wall = time.Since(start)
	slices.Sort(rec.lat)
	return rec, errs
}
