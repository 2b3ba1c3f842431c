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

	"github.com/gatehouse/gatehouse/sigv4"
)

type target struct {
	name     string
	endpoint string
	creds    sigv4.Credentials
	stop     func()
}

func main() {
	bin := flag.String("gatehouse", "", "path of the gatehouse binary to start")
	moto := flag.Bool("moto", false, "also start `python3 -m moto.server` and measure it")
	conc := flag.Int("c", 16, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "duration of each measurement")
	users := flag.Int("users", 100, "users to create before ListUsers")
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
	fmt.Printf("%-10s %-10s %12s %10s %10s %8s\n", "target", "operation", "requests/s", "p50", "p99", "errors")
	for _, t := range targets {
		call(t, "CreateUser", "UserName=loadtest")
		for i := range *users {
			call(t, "CreateUser", fmt.Sprintf("UserName=user%04d", i))
		}
		for _, op := range []struct{ name, params string }{{"GetUser", "UserName=loadtest"}, {"ListUsers", ""}} {
			rps, p50, p99, errs := measure(t, op.name, op.params, *conc, *dur)
			fmt.Printf("%-10s %-10s %12.0f %10s %10s %8d\n", t.name, op.name, rps, p50, p99, errs)
		}
	}
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 1024}}

// call sends one signed IAM request and returns its status.
func call(t target, action, params string) (int, error) {
	body := "Action=" + action + "&Version=2010-05-08"
	if params != "" {
		body += "&" + params
	}
	req, err := http.NewRequest(http.MethodPost, t.endpoint+"/", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(req, []byte(body), t.creds, "us-east-1", "iam", time.Now())
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
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
			var lat []time.Duration
			e := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				status, err := call(t, op, params)
				if err != nil || status != 200 {
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
	return target{name: "gatehouse", endpoint: "http://" + addr, creds: c, stop: func() {
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
	return target{name: "moto", endpoint: "http://" + addr, creds: sigv4.Credentials{AccessKeyID: "AKIAMOTOLOADTEST0000", SecretAccessKey: "secret"}, stop: func() {
		cmd.Process.Kill()
		cmd.Wait()
	}}
}
