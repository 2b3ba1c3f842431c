package server

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMetricsClosedSets: an operation or code outside the sets counts
// in the "unknown" or "other" bucket, and observing allocates nothing.
func TestMetricsClosedSets(t *testing.T) {
	m := newMetrics([]string{"GetUser", "ListUsers", "GetUser"}, []string{"NoSuchEntity", "AccessDenied", ""})
	m.observe("GetUser", "", time.Millisecond)
	m.observe("GetUser", "NoSuchEntity", time.Millisecond)
	m.observe("GetUser", "SomethingNew", time.Millisecond)
	m.observe("Nope", "InvalidAction", time.Millisecond)
	m.observe("", "MissingAction", time.Millisecond)
	m.observe("unknown", "other", time.Millisecond)
	var b bytes.Buffer
	m.write(&b)
	for _, want := range []string{
		`gatehouse_requests_total{operation="unknown",code="other"} 3` + "\n",
		`gatehouse_requests_total{operation="GetUser",code=""} 1` + "\n",
		`gatehouse_requests_total{operation="GetUser",code="NoSuchEntity"} 1` + "\n",
		`gatehouse_requests_total{operation="GetUser",code="other"} 1` + "\n",
		`gatehouse_request_duration_seconds_count{operation="GetUser"} 3` + "\n",
		`gatehouse_request_duration_seconds_count{operation="unknown"} 3` + "\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "ListUsers") || strings.Contains(b.String(), "Nope") {
		t.Errorf("unused or unknown labels written:\n%s", b.String())
	}
	if n := testing.AllocsPerRun(100, func() { m.observe("ListUsers", "AccessDenied", time.Microsecond) }); n != 0 {
		t.Errorf("observe allocates %v times", n)
	}
}

// TestProcessGauges: /metrics carries the runtime's and the process's
// memory figures, read at each scrape.
func TestProcessGauges(t *testing.T) {
	m := newMetrics([]string{"GetUser"}, nil)
	read := func() map[string]uint64 {
		var b bytes.Buffer
		m.write(&b)
		got := map[string]uint64{}
		for line := range strings.SplitSeq(b.String(), "\n") {
			name, value, ok := strings.Cut(line, " ")
			if !ok || strings.HasPrefix(name, "#") || strings.HasPrefix(name, "gatehouse_") {
				continue
			}
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			got[name] = n
		}
		return got
	}
	before := read()
	runtime.GC()
	after := read()
	want := []string{"go_memstats_heap_inuse_bytes", "go_gc_heap_live_bytes", "go_gc_cycles_total", "go_goroutines"}
	if runtime.GOOS == "linux" {
		want = append(want, "process_resident_memory_bytes")
	}
	for _, name := range want {
		if after[name] == 0 {
			t.Errorf("%s = 0 (%v)", name, after)
		}
	}
	if after["go_gc_cycles_total"] <= before["go_gc_cycles_total"] {
		t.Errorf("go_gc_cycles_total %d after a GC, %d before", after["go_gc_cycles_total"], before["go_gc_cycles_total"])
	}
	if len(after) != len(want) {
		t.Errorf("series %v, want %v", after, want)
	}
}
