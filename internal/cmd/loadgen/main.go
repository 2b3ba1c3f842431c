package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/cmd/internal/loadclient"
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
			var before loadclient.Histogram
			if t.metrics {
				before = scrape(t, op.name)
			}
			rps, p50, p99, errs := measure(t, op.name, op.params, *conc, *dur)
			server := "-"
			if t.metrics {
				server = scrape(t, op.name).Minus(before).Quantile(0.5).String()
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
			var before loadclient.Histogram
			if t.metrics {
				before = scrape(t, op.name)
			}
			rps, p50, p99, errs := measureWrites(t, op.name, op.next, op.done, *conc, *dur)
			server := "-"
			if t.metrics {
				server = scrape(t, op.name).Minus(before).Quantile(0.5).String()
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
			c := &loadclient.Conn{Addr: t.addr}
			defer c.Close()
			var lat []time.Duration
			e := 0
			for ctx.Err() == nil {
				params, ok := next()
				if !ok {
					break
				}
				t0 := time.Now()
				if err := c.Call(request(t, op, params, t0)); err != nil {
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
	return loadclient.Request(t.addr, t.creds, action, params, now)
}

// scrape reads the server's latency histogram of op.
func scrape(t target, op string) loadclient.Histogram {
	h, err := loadclient.Scrape(t.addr, op)
	if err != nil {
		log.Fatal(err)
	}
	return h
}

func mustCall(t target, action, params string) {
	c := &loadclient.Conn{Addr: t.addr}
	defer c.Close()
	if err := c.Call(request(t, action, params, time.Now())); err != nil {
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
			c := &loadclient.Conn{Addr: t.addr}
			defer c.Close()
			signed := time.Now()
			req := request(t, op, params, signed)
			lat := make([]time.Duration, 0, 1<<16)
			e := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				if t0.Sub(signed) > time.Second {
					signed, req = t0, request(t, op, params, t0)
				}
				if err := c.Call(req); err != nil {
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
