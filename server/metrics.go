package server

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	rtmetrics "runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram.
var latencyBuckets = [...]float64{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// Labels of the buckets for values outside the closed sets.
const (
	unknownOperation = "unknown" // an Action no served model has, or none
	otherCode        = "other"   // an error code none of the sets has
)

// metrics counts requests by operation and error code and keeps a latency
// histogram per operation, written in the Prometheus text format.
//
// Labels come from closed sets fixed at construction: the operations of
// the served models (and "unknown" for any other Action) and the error
// codes of their exceptions and of the common errors (and "other"), so
// what a caller sends cannot grow the series: there are at most
// len(ops)×len(codes) request counters and len(ops) histograms, all
// allocated up front. Observing a request is two map lookups and atomic
// adds: no lock, no allocation.
//
// The process's memory gauges (processGauges) have no labels and are
// read from the runtime only when /metrics is scraped.
type metrics struct {
	ops   map[string]int // operation -> index into opNames
	codes map[string]int // error code -> index into codeNames
	// opNames[0] is unknownOperation; codeNames[0] is "" (success),
	// codeNames[1] is otherCode.
	opNames, codeNames []string
	reqs               []atomic.Uint64 // [op*len(codeNames)+code]
	lat                []histogram     // [op]
	process            processGauges
}

type histogram struct {
	counts [len(latencyBuckets) + 1]atomic.Uint64 // one per bucket, then +Inf
	sum    atomic.Uint64                          // nanoseconds
}

// newMetrics returns metrics labelled with the operations ops and the
// error codes codes (duplicates are dropped).
func newMetrics(ops, codes []string) *metrics {
	m := &metrics{ops: map[string]int{}, codes: map[string]int{}}
	m.opNames = append([]string{unknownOperation}, sortedUnique(ops)...)
	m.codeNames = append([]string{"", otherCode}, sortedUnique(codes)...)
	for i, op := range m.opNames[1:] {
		m.ops[op] = i + 1
	}
	for i, c := range m.codeNames[2:] {
		m.codes[c] = i + 2
	}
	m.reqs = make([]atomic.Uint64, len(m.opNames)*len(m.codeNames))
	m.lat = make([]histogram, len(m.opNames))
	return m
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	s = slices.Compact(s)
	return slices.DeleteFunc(s, func(x string) bool { return x == "" || x == unknownOperation || x == otherCode })
}

// observe records one request: its operation (any string: one not in
// the set counts as "unknown"), its error code ("" on success; one not
// in the set counts as "other") and how long it took.
func (m *metrics) observe(op, code string, d time.Duration) {
	o := m.ops[op] // 0, unknown, if absent
	c := 0
	if code != "" {
		if c = m.codes[code]; c == 0 {
			c = 1
		}
	}
	m.reqs[o*len(m.codeNames)+c].Add(1)
	h := &m.lat[o]
	i, _ := slices.BinarySearch(latencyBuckets[:], d.Seconds())
	h.counts[i].Add(1)
	h.sum.Add(uint64(d.Nanoseconds()))
}

// write renders the metrics in the Prometheus text exposition format.
// Only the series that have counted a request are written.
func (m *metrics) write(w io.Writer) {
	fmt.Fprintln(w, "# HELP gatehouse_requests_total API requests by operation and error code (empty code: success).")
	fmt.Fprintln(w, "# TYPE gatehouse_requests_total counter")
	for o, op := range m.opNames {
		for c, code := range m.codeNames {
			if n := m.reqs[o*len(m.codeNames)+c].Load(); n > 0 {
				fmt.Fprintf(w, "gatehouse_requests_total{operation=%q,code=%q} %d\n", op, code, n)
			}
		}
	}
	fmt.Fprintln(w, "# HELP gatehouse_request_duration_seconds API request latency by operation, measured in the server.")
	fmt.Fprintln(w, "# TYPE gatehouse_request_duration_seconds histogram")
	for o, op := range m.opNames {
		h := &m.lat[o]
		var counts [len(latencyBuckets) + 1]uint64
		var total uint64
		for i := range h.counts {
			counts[i] = h.counts[i].Load()
			total += counts[i]
		}
		if total == 0 {
			continue
		}
		var cum uint64
		for i, le := range latencyBuckets {
			cum += counts[i]
			fmt.Fprintf(w, "gatehouse_request_duration_seconds_bucket{operation=%q,le=%q} %d\n", op, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += counts[len(latencyBuckets)]
		fmt.Fprintf(w, "gatehouse_request_duration_seconds_bucket{operation=%q,le=\"+Inf\"} %d\n", op, cum)
		fmt.Fprintf(w, "gatehouse_request_duration_seconds_sum{operation=%q} %g\n", op, float64(h.sum.Load())/1e9)
		fmt.Fprintf(w, "gatehouse_request_duration_seconds_count{operation=%q} %d\n", op, cum)
	}
	m.process.write(w)
}

// processGauges are the Go runtime's and the process's memory figures,
// read when /metrics is scraped (so serving requests costs nothing for
// them), under the names Prometheus's Go client gives them: what a
// capacity test reads to tell the cost of an active principal.
type processGauges struct {
	mu      sync.Mutex // one scrape at a time reads into samples
	samples []rtmetrics.Sample
}

// The runtime metrics read, in the order of processGauges.samples.
const (
	heapObjects = iota // live and not yet swept objects
	heapUnused         // in spans holding objects, not used by one
	heapLive           // marked live by the last GC
	gcCycles
	goroutines
	numRuntimeSamples
)

var runtimeSampleNames = [numRuntimeSamples]string{
	heapObjects: "/memory/classes/heap/objects:bytes",
	heapUnused:  "/memory/classes/heap/unused:bytes",
	heapLive:    "/gc/heap/live:bytes",
	gcCycles:    "/gc/cycles/total:gc-cycles",
	goroutines:  "/sched/goroutines:goroutines",
}

func (g *processGauges) write(w io.Writer) {
	g.mu.Lock()
	if g.samples == nil {
		g.samples = make([]rtmetrics.Sample, numRuntimeSamples)
		for i, name := range runtimeSampleNames {
			g.samples[i].Name = name
		}
	}
	rtmetrics.Read(g.samples)
	var v [numRuntimeSamples]uint64
	for i, s := range g.samples {
		if s.Value.Kind() == rtmetrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	g.mu.Unlock()
	series := func(name, help, typ string, value uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", name, help, name, typ, name, value)
	}
	series("go_memstats_heap_inuse_bytes", "Bytes in heap spans in use (objects, live or not yet swept, and the free space of their spans).", "gauge", v[heapObjects]+v[heapUnused])
	series("go_gc_heap_live_bytes", "Bytes of heap objects marked live by the last garbage collection.", "gauge", v[heapLive])
	series("go_gc_cycles_total", "Garbage collection cycles completed.", "counter", v[gcCycles])
	series("go_goroutines", "Goroutines that currently exist.", "gauge", v[goroutines])
	if rss, ok := residentBytes(); ok {
		series("process_resident_memory_bytes", "Resident set size of the process (Linux: /proc/self/statm).", "gauge", rss)
	}
}

// residentBytes is the process's resident set size, where the system
// tells it (Linux).
func residentBytes() (uint64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	fields := bytes.Fields(b)
	if len(fields) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseUint(string(fields[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * uint64(os.Getpagesize()), true
}
