package server

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram.
var latencyBuckets = []float64{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// metrics counts requests by operation and error code and keeps a latency
// histogram per operation, written in the Prometheus text format.
type metrics struct {
	mu   sync.RWMutex
	reqs map[reqLabel]*atomic.Uint64
	lat  map[string]*histogram
}

type reqLabel struct{ op, code string }

type histogram struct {
	counts []atomic.Uint64 // one per bucket, then +Inf
	sum    atomic.Uint64   // nanoseconds
}

func newMetrics() *metrics {
	return &metrics{reqs: make(map[reqLabel]*atomic.Uint64), lat: make(map[string]*histogram)}
}

// observe records one request: its operation ("" when unknown), its
// error code ("" on success) and how long it took.
func (m *metrics) observe(op, code string, d time.Duration) {
	if op == "" {
		op = "unknown"
	}
	// Every label exists after its first request: the common path takes
	// the read lock only.
	m.mu.RLock()
	c, h := m.reqs[reqLabel{op, code}], m.lat[op]
	m.mu.RUnlock()
	if c == nil || h == nil {
		m.mu.Lock()
		c = m.reqs[reqLabel{op, code}]
		if c == nil {
			c = new(atomic.Uint64)
			m.reqs[reqLabel{op, code}] = c
		}
		h = m.lat[op]
		if h == nil {
			h = &histogram{counts: make([]atomic.Uint64, len(latencyBuckets)+1)}
			m.lat[op] = h
		}
		m.mu.Unlock()
	}
	c.Add(1)
	s := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, s)
	h.counts[i].Add(1)
	h.sum.Add(uint64(d.Nanoseconds()))
}

// write renders the metrics in the Prometheus text exposition format.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	labels := make([]reqLabel, 0, len(m.reqs))
	for l := range m.reqs {
		labels = append(labels, l)
	}
	ops := make([]string, 0, len(m.lat))
	for op := range m.lat {
		ops = append(ops, op)
	}
	m.mu.Unlock()
	slices.SortFunc(labels, func(a, b reqLabel) int {
		return cmp.Or(cmp.Compare(a.op, b.op), cmp.Compare(a.code, b.code))
	})
	slices.Sort(ops)

	fmt.Fprintln(w, "# HELP gatehouse_requests_total API requests by operation and error code (empty code: success).")
	fmt.Fprintln(w, "# TYPE gatehouse_requests_total counter")
	for _, l := range labels {
		m.mu.Lock()
		c := m.reqs[l]
		m.mu.Unlock()
		fmt.Fprintf(w, "gatehouse_requests_total{operation=%q,code=%q} %d\n", l.op, l.code, c.Load())
	}
	fmt.Fprintln(w, "# HELP gatehouse_request_duration_seconds API request latency by operation, measured in the server.")
	fmt.Fprintln(w, "# TYPE gatehouse_request_duration_seconds histogram")
	for _, op := range ops {
		m.mu.Lock()
		h := m.lat[op]
		m.mu.Unlock()
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i].Load()
			fmt.Fprintf(w, "gatehouse_request_duration_seconds_bucket{operation=%q,le=%q} %d\n", op, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += h.counts[len(latencyBuckets)].Load()
		fmt.Fprintf(w, "gatehouse_request_duration_seconds_bucket{operation=%q,le=\"+Inf\"} %d\n", op, cum)
		fmt.Fprintf(w, "gatehouse_request_duration_seconds_sum{operation=%q} %g\n", op, float64(h.sum.Load())/1e9)
		fmt.Fprintf(w, "gatehouse_request_duration_seconds_count{operation=%q} %d\n", op, cum)
	}
}
