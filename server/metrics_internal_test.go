package server

import (
	"bytes"
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
