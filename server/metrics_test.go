package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestMetricsBounded: /metrics labels come from closed sets, so hostile
// input cannot grow it. Thousands of unsigned requests with distinct
// Action values (before, 5,000 of them grew /metrics to 8 MB) all count
// as operation "unknown" with code InvalidAction; distinct garbage in
// other parameters of a known operation adds nothing either.
func TestMetricsBounded(t *testing.T) {
	h := start(t, false)
	c := &http.Client{}
	post := func(form url.Values) {
		resp, err := c.Post(h.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	scrape := func() string {
		resp, err := c.Get(h.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	series := func(m string) int {
		n := 0
		for _, l := range strings.Split(m, "\n") {
			if strings.HasPrefix(l, "gatehouse_") {
				n++
			}
		}
		return n
	}
	post(url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}})
	before := scrape()

	const hostile = 3000
	for i := range hostile {
		post(url.Values{"Action": {fmt.Sprintf("Evil%d\n\"}{", i)}, "Version": {"2010-05-08"}})
		post(url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}, "Marker": {fmt.Sprintf("m%d", i)}})
	}
	after := scrape()
	if !strings.Contains(after, fmt.Sprintf(`gatehouse_requests_total{operation="unknown",code="InvalidAction"} %d`, hostile)) {
		t.Errorf("no unknown bucket with %d requests:\n%s", hostile, after)
	}
	if !strings.Contains(after, fmt.Sprintf(`gatehouse_requests_total{operation="ListUsers",code="MissingAuthenticationToken"} %d`, hostile+1)) {
		t.Errorf("ListUsers not counted:\n%s", after)
	}
	if strings.Contains(after, "Evil") {
		t.Errorf("a hostile Action became a label")
	}
	// One more operation (unknown) with its counter and histogram: 1
	// counter + 17 buckets + +Inf + sum + count.
	if got, want := series(after), series(before)+21; got != want {
		t.Errorf("series: %d before, %d after, want %d\n%s", series(before), got, want, after)
	}
	if len(after) > 8<<10 {
		t.Errorf("/metrics is %d bytes after %d hostile requests", len(after), 2*hostile)
	}
}
