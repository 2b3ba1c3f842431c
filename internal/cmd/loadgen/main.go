package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/sigv4"
)

type target struct {
	name    string
	addr    string // host:port
	creds   sigv4.Credentials
	metrics bool // serves Gatehouse's /metrics
	stop    func()
}

func main() {
	bin := flag.String("gatehouse", "", "path of the gatehouse binary to start")
	moto := flag.Bool("moto", false, "also start `python3 -m moto.server` and measure it")
	conc := flag.Int("c", 16, "concurrent clients (one keep-alive connection each)")
	dur := flag.Duration("d", 10*time.Second, "duration of each measurement")
	users := flag.Int("users", 100, "users to create before ListUsers")
	writes := flag.Bool("writes", true, "also measure writes: CreateUser, then CreateAccessKey for those users")
	flag.Parse()
	var targets []target
	if *bin != "" {
		targets = append(targets, startGatehouse(*bin))
	}
	if *moto {
		targets = append(targets, startMoto())
	}
	if len(targets) == 0 {
		log.Fatal("loadgen: nothing to measure (-gatehouse and/or -moto)")
	}
	defer func() {
		for _, t := range targets {
			t.stop()
		}
	}()
	fmt.Printf("%-10s %-15s %12s %10s %10s %12s %8s\n", "target", "operation", "requests/s", "p50", "p99", "server p50", "errors")
	for _, t := range targets {
		mustCall(t, "CreateUser", "UserName=loadtest")
		for i := range *users {
			mustCall(t, "CreateUser", fmt.Sprintf("UserName=user%04d", i))
		}
		for _, op := range []struct{ name, params string }{{"GetUser", "UserName=loadtest"}, {"ListUsers", ""}} {
			var before histogram
			if t.metrics {
				before = scrape(t, op.name)
			}
			rps, p50, p99, errs := measure(t, op.name, op.params, *conc, *dur)
			server := "-"
			if t.metrics {
				server = scrape(t, op.name).minus(before).quantile(0.5).String()
			}
			fmt.Printf("%-10s %-15s %12.0f %10s %10s %12s %8d\n", t.name, op.name, rps, p50, p99, server, errs)
		}
		if !*writes {
			continue
		}
		// Writes: new users with unique names, up to the account's quota
		// of 5,000, then one access key for each user made.
		var (
			mu    sync.Mutex
			names []string
			n     int
		)
		newUser := func() (string, bool) {
			mu.Lock()
			defer mu.Unlock()
			if n >= 4800-*users {
				return "", false
			}
			n++
			return fmt.Sprintf("UserName=w%07d", n), true
		}
		made := func(params string) {
			mu.Lock()
			defer mu.Unlock()
			if name, ok := strings.CutPrefix(params, "UserName=w"); ok {
				names = append(names, "w"+name)
			}
		}
		newKey := func() (string, bool) {
			mu.Lock()
			defer mu.Unlock()
			if len(names) == 0 {
				return "", false
			}
			name := names[len(names)-1]
			names = names[:len(names)-1]
			return "UserName=" + name, true
		}
		for _, op := range []struct {
			name string
			next func() (string, bool)
			done func(string)
		}{{"CreateUser", newUser, made}, {"CreateAccessKey", newKey, func(string) {}}} {
			var before histogram
			if t.metrics {
				before = scrape(t, op.name)
			}
			rps, p50, p99, errs := measureWrites(t, op.name, op.next, op.done, *conc, *dur)
			server := "-"
			if t.metrics {
				server = scrape(t, op.name).minus(before).quantile(0.5).String()
			}
			fmt.Printf("%-10s %-15s %12.0f %10s %10s %12s %8d\n", t.name, op.name, rps, p50, p99, server, errs)
		}
	}
}

// measureWrites sends op with the parameters next gives, each request
// signed on its own (a write is never sent twice), until d is over or
// next has no more; done is told the parameters of each success.
func measureWrites(t target, op string, next func() (string, bool), done func(string), conc int, d time.Duration) (rps float64, p50, p99 time.Duration, errs int) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu  sync.Mutex
		all []time.Duration
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			c := &conn{addr: t.addr}
			defer c.close()
			var lat []time.Duration
			e := 0
			for ctx.Err() == nil {
				params, ok := next()
				if !ok {
					break
				}
				t0 := time.Now()
				if err := c.do(request(t, op, params, t0)); err != nil {
					e++
					continue
				}
				lat = append(lat, time.Since(t0))
				done(params)
			}
			mu.Lock()
			all = append(all, lat...)
			errs += e
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(all)
	if len(all) == 0 {
		return 0, 0, 0, errs
	}
	return float64(len(all)) / elapsed.Seconds(), all[len(all)/2], all[len(all)*99/100], errs
}

// request returns a signed IAM request as HTTP/1.1 bytes. Signing is
// the client's cost, so a worker signs once a second and sends the same
// bytes meanwhile; the server verifies every request in full either way.
func request(t target, action, params string, now time.Time) []byte {
	body := "Action=" + action + "&Version=2010-05-08"
	if params != "" {
		body += "&" + params
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+t.addr+"/", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(req, []byte(body), t.creds, "us-east-1", "iam", now)
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", t.addr, len(body))
	for _, k := range []string{"Content-Type", "X-Amz-Date", "Authorization"} {
		fmt.Fprintf(&b, "%s: %s\r\n", k, req.Header.Get(k))
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.Bytes()
}

// conn is one client connection, reopened when the server closes it
// (moto's server answers HTTP/1.0 and closes after each response).
type conn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
}

var errStatus = errors.New("loadgen: status is not 200")

// do sends one request and reads the whole response.
func (c *conn) do(req []byte) error {
	if c.c == nil {
		nc, err := net.Dial("tcp", c.addr)
		if err != nil {
			return err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
	}
	if _, err := c.c.Write(req); err != nil {
		c.close()
		return err
	}
	status, err := c.r.ReadString('\n')
	if err != nil {
		c.close()
		return err
	}
	length, keep, chunked := -1, strings.HasPrefix(status, "HTTP/1.1"), false
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.close()
			return err
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
	switch {
	case chunked:
		_, err = io.Copy(io.Discard, httputil.NewChunkedReader(c.r))
		if err == nil {
			_, err = c.r.Discard(2) // the CRLF after the last chunk
		}
	case length >= 0:
		_, err = c.r.Discard(length)
	default:
		_, err = io.Copy(io.Discard, c.r)
		keep = false
	}
	if err != nil || !keep {
		c.close()
	}
	if err != nil {
		return err
	}
	if !strings.Contains(status, " 200 ") {
		return errStatus
	}
	return nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.r = nil, nil
	}
}

func mustCall(t target, action, params string) {
	c := &conn{addr: t.addr}
	defer c.close()
	if err := c.do(request(t, action, params, time.Now())); err != nil {
		log.Fatalf("loadgen: %s %s on %s: %v", action, params, t.name, err)
	}
}

func measure(t target, op, params string, conc int, d time.Duration) (rps float64, p50, p99 time.Duration, errs int) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu  sync.Mutex
		all []time.Duration
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &conn{addr: t.addr}
			defer c.close()
			signed := time.Now()
			req := request(t, op, params, signed)
			lat := make([]time.Duration, 0, 1<<16)
			e := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				if t0.Sub(signed) > time.Second {
					signed, req = t0, request(t, op, params, t0)
				}
				if err := c.do(req); err != nil {
					e++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += e
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(all)
	if len(all) == 0 {
		return 0, 0, 0, errs
	}
	return float64(len(all)) / elapsed.Seconds(), all[len(all)/2], all[len(all)*99/100], errs
}

// histogram is the server's latency histogram of one operation, from
// /metrics: cumulative counts per upper bound in seconds.
type histogram struct {
	bounds []float64
	counts []float64
}

func scrape(t target, op string) histogram {
	resp, err := http.Get("http://" + t.addr + "/metrics")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var h histogram
	prefix := `gatehouse_request_duration_seconds_bucket{operation="` + op + `",le="`
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		le, count, _ := strings.Cut(line, `"} `)
		b := math.Inf(1)
		if le != "+Inf" {
			b, _ = strconv.ParseFloat(le, 64)
		}
		n, _ := strconv.ParseFloat(count, 64)
		h.bounds, h.counts = append(h.bounds, b), append(h.counts, n)
	}
	return h
}

func (h histogram) minus(o histogram) histogram {
	out := histogram{bounds: h.bounds, counts: slices.Clone(h.counts)}
	for i := range out.counts {
		if i < len(o.counts) {
			out.counts[i] -= o.counts[i]
		}
	}
	return out
}

// quantile interpolates linearly within the bucket, as Prometheus's
// histogram_quantile does.
func (h histogram) quantile(q float64) time.Duration {
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

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitReady(url string) {
	for range 400 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	log.Fatalf("loadgen: %s never answered", url)
}

func startGatehouse(bin string) target {
	dir, err := os.MkdirTemp("", "loadgen")
	if err != nil {
		log.Fatal(err)
	}
	addr := freePort()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", dir, "--log-level", "error")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	waitReady("http://" + addr + "/readyz")
	data, err := os.ReadFile(filepath.Join(dir, "credentials"))
	if err != nil {
		log.Fatal(err)
	}
	var c sigv4.Credentials
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		k, v, _ := strings.Cut(string(line), " = ")
		switch k {
		case "aws_access_key_id":
			c.AccessKeyID = v
		case "aws_secret_access_key":
			c.SecretAccessKey = v
		}
	}
	return target{name: "gatehouse", addr: addr, creds: c, metrics: true, stop: func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}}
}

func startMoto() target {
	addr := freePort()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", port)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	waitReady("http://" + addr + "/moto-api/")
	return target{name: "moto", addr: addr, creds: sigv4.Credentials{AccessKeyID: "AKIAMOTOLOADTEST0000", SecretAccessKey: "secret"}, stop: func() {
		cmd.Process.Kill()
		cmd.Wait()
	}}
}
