package loadclient

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sigv4"
)

// Request returns an IAM Query request of action with the form-encoded
// params ("" for none) to addr, signed with c at now, as HTTP/1.1 bytes.
func Request(addr string, c sigv4.Credentials, action, params string, now time.Time) []byte {
	body := "Action=" + action + "&Version=2010-05-08"
	if params != "" {
		body += "&" + params
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		panic(err) // the URL is built here
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(req, []byte(body), c, "us-east-1", "iam", now)
	var b bytes.Buffer
	b.Grow(len(body) + 512)
	fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", addr, len(body))
	for _, k := range []string{"Content-Type", "X-Amz-Date", "Authorization"} {
		fmt.Fprintf(&b, "%s: %s\r\n", k, req.Header.Get(k))
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.Bytes()
}

// Conn is one client connection to Addr, dialled on first use and again
// after the server closed it. It is not safe for concurrent use.
type Conn struct {
	Addr string
	c    net.Conn
	r    *bufio.Reader
	body bytes.Buffer
}

// ErrStatus is returned by Call for a response that is not 200 OK.
var ErrStatus = errors.New("loadclient: status is not 200")

// Call sends req and reads the whole response; a status other than 200
// is ErrStatus (wrapped with the status and body).
func (c *Conn) Call(req []byte) error {
	status, body, err := c.Do(req)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("%w: %d %s", ErrStatus, status, body)
	}
	return nil
}

// Do sends one request and reads the whole response: its status and
// body, which is valid until the next Do.
func (c *Conn) Do(req []byte) (status int, body []byte, err error) {
	if c.c == nil {
		nc, err := net.Dial("tcp", c.Addr)
		if err != nil {
			return 0, nil, err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
	}
	if _, err := c.c.Write(req); err != nil {
		c.Close()
		return 0, nil, err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.Close()
		return 0, nil, err
	}
	// "HTTP/1.1 200 OK"
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	if status, err = strconv.Atoi(strings.TrimSpace(code)); err != nil {
		c.Close()
		return 0, nil, fmt.Errorf("loadclient: status line %q", line)
	}
	length, keep, chunked := -1, proto == "HTTP/1.1", false
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.Close()
			return 0, nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		switch strings.ToLower(k) {
		case "content-length":
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		case "connection":
			keep = !strings.EqualFold(strings.TrimSpace(v), "close")
		case "transfer-encoding":
			chunked = strings.EqualFold(strings.TrimSpace(v), "chunked")
		}
	}
	c.body.Reset()
	switch {
	case chunked:
		_, err = io.Copy(&c.body, httputil.NewChunkedReader(c.r))
		if err == nil {
			_, err = c.r.Discard(2) // the CRLF after the last chunk
		}
	case length >= 0:
		_, err = io.CopyN(&c.body, c.r, int64(length))
	default:
		_, err = io.Copy(&c.body, c.r)
		keep = false
	}
	if err != nil || !keep {
		c.Close()
	}
	if err != nil {
		return 0, nil, err
	}
	return status, c.body.Bytes(), nil
}

// Close closes the connection; the next Do dials again.
func (c *Conn) Close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.r = nil, nil
	}
}

// Histogram is a server's latency histogram of one operation, from
// /metrics: cumulative counts per upper bound in seconds.
type Histogram struct {
	bounds []float64
	counts []float64
}

// Scrape reads the latency histogram of op from the server at addr.
func Scrape(addr, op string) (Histogram, error) {
	var h Histogram
	prefix := `gatehouse_request_duration_seconds_bucket{operation="` + op + `",le="`
	err := scrapeLines(addr, func(line string) {
		line, ok := strings.CutPrefix(line, prefix)
		if !ok {
			return
		}
		le, count, _ := strings.Cut(line, `"} `)
		b := math.Inf(1)
		if le != "+Inf" {
			b, _ = strconv.ParseFloat(le, 64)
		}
		n, _ := strconv.ParseFloat(count, 64)
		h.bounds, h.counts = append(h.bounds, b), append(h.counts, n)
	})
	return h, err
}

// Gauges reads the unlabelled series of the server at addr (the
// process's gauges: go_gc_heap_live_bytes, process_resident_memory_bytes
// and the like) by name.
func Gauges(addr string) (map[string]float64, error) {
	g := map[string]float64{}
	err := scrapeLines(addr, func(line string) {
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			return
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			g[name] = v
		}
	})
	return g, err
}

func scrapeLines(addr string, fn func(string)) error {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		fn(sc.Text())
	}
	return sc.Err()
}

// Minus returns what h counted since o.
func (h Histogram) Minus(o Histogram) Histogram {
	out := Histogram{bounds: h.bounds, counts: slices.Clone(h.counts)}
	for i := range out.counts {
		if i < len(o.counts) {
			out.counts[i] -= o.counts[i]
		}
	}
	return out
}

// Quantile interpolates linearly within the bucket, as Prometheus's
// histogram_quantile does.
func (h Histogram) Quantile(q float64) time.Duration {
	if len(h.counts) == 0 || h.counts[len(h.counts)-1] == 0 {
		return 0
	}
	rank := q * h.counts[len(h.counts)-1]
	lower, prev := 0.0, 0.0
	for i, c := range h.counts {
		if c >= rank {
			upper := h.bounds[i]
			if math.IsInf(upper, 1) {
				upper = lower
			}
			frac := (rank - prev) / max(c-prev, 1)
			return time.Duration((lower + (upper-lower)*frac) * float64(time.Second))
		}
		lower, prev = h.bounds[i], c
	}
	return 0
}
