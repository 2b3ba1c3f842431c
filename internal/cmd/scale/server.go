package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/cmd/internal/loadclient"
	"github.com/gatehouse/gatehouse/sigv4"
)

// server is a running `gatehouse serve`.
type server struct {
	bin, dataDir, addr, account string
	// memLimit, when not 0, is the server's GOMEMLIMIT in bytes.
	memLimit uint64
	cmd      *exec.Cmd
	exited   chan error
}

// startServer starts bin on dataDir (bootstrapping account on first
// start) with the Go runtime's soft memory limit at memLimit bytes (0:
// none) and returns once /readyz answers, with the time that took.
func startServer(bin, dataDir, account string, memLimit uint64) (*server, time.Duration, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{bin: bin, dataDir: dataDir, addr: addr, account: account, memLimit: memLimit}
	d, err := s.start()
	return s, d, err
}

func (s *server) start() (time.Duration, error) {
	s.cmd = exec.Command(s.bin, "serve", "--addr", s.addr, "--data-dir", s.dataDir, "--account", s.account, "--log-level", "error")
	s.cmd.Stderr = os.Stderr
	if s.memLimit > 0 {
		s.cmd.Env = append(os.Environ(), fmt.Sprintf("GOMEMLIMIT=%dMiB", s.memLimit>>20))
	}
	t0 := time.Now()
	if err := s.cmd.Start(); err != nil {
		return 0, err
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	for {
		if resp, err := http.Get("http://" + s.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0), nil
			}
		}
		select {
		case err := <-s.exited:
			return 0, fmt.Errorf("gatehouse serve exited before it was ready: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Since(t0) > 5*time.Minute {
			return 0, errors.New("gatehouse serve not ready after 5 minutes")
		}
	}
}

// stop ends the server with SIGTERM (it flushes and closes its store)
// and waits for it.
func (s *server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		s.cmd = nil
		return err
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		s.cmd = nil
		return errors.New("gatehouse serve did not stop within 30s of SIGTERM; killed")
	}
}

// restart stops the server and starts it again on its data directory,
// returning how long the new process took until /readyz answered.
func (s *server) restart() (time.Duration, error) {
	if err := s.stop(); err != nil {
		return 0, err
	}
	return s.start()
}

// rss is the server's resident set in bytes (VmRSS of /proc/PID/status).
func (s *server) rss() (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := strings.Fields(string(rest)) // "123456 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseUint(f[0], 10, 64)
				return kb << 10, err
			}
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}

// adminKey reads the key of the admin of the server's first account
// (DIR/credentials) or of an account added by account create
// (DIR/credentials-ID).
func (s *server) adminKey(account string) (sigv4.Credentials, error) {
	name := "credentials"
	if account != s.account {
		name += "-" + account
	}
	data, err := os.ReadFile(filepath.Join(s.dataDir, name))
	if err != nil {
		return sigv4.Credentials{}, err
	}
	var c sigv4.Credentials
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v, _ := strings.Cut(line, " = ")
		switch k {
		case "aws_access_key_id":
			c.AccessKeyID = v
		case "aws_secret_access_key":
			c.SecretAccessKey = v
		}
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, fmt.Errorf("%s: no key", name)
	}
	return c, nil
}

// createAccount adds an account with `gatehouse account create` while
// the server runs, and returns its admin's key once the server accepts
// it, with how long after the command's exit that was (the server
// applies the commit from the store's change log).
func (s *server) createAccount(account string) (sigv4.Credentials, time.Duration, error) {
	out, err := exec.Command(s.bin, "account", "create", "--data-dir", s.dataDir, "--account", account, "--root-password", "scale-test Root-password-1").CombinedOutput()
	if err != nil {
		return sigv4.Credentials{}, 0, fmt.Errorf("gatehouse account create --account %s: %v\n%s", account, err, out)
	}
	created := time.Now()
	key, err := s.adminKey(account)
	if err != nil {
		return key, 0, err
	}
	c := &loadclient.Conn{Addr: s.addr}
	defer c.Close()
	for {
		err := c.Call(loadclient.Request(s.addr, key, "GetUser", "", time.Now()))
		if err == nil {
			return key, time.Since(created), nil
		}
		if time.Since(created) > 10*time.Second {
			return key, 0, fmt.Errorf("the server does not accept account %s's key 10s after account create: %w", account, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// dataBytes is the size of the data directory's files (the database and
// its write-ahead log).
func (s *server) dataBytes() int64 {
	var n int64
	entries, _ := os.ReadDir(s.dataDir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}
