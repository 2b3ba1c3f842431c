package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// boundPerPrincipal is issue 12's bound on what an active principal may
// cost the server beyond its own records: 16 KB.
const boundPerPrincipal = 16 << 10

// TestScale is the CI version of the scale run: one account of 300 users
// (and the admin), each in 1 to 3 of 10 groups that all attach
// ReadOnlyAccess and three customer managed policies (of 6,144
// characters at most), a few with policies of their own, every one
// with an access key; then every user signs one request. The server's
// live heap (as of a collection after the build, and one after the
// activation) may grow by at most the bound per active user: the
// records were loaded before, so what grows is what being active costs
// (the compiled authorization view entry, the signing key, the key's
// last use).
func TestScale(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gatehouse")
	build := exec.Command("go", "build", "-o", bin, "../../../cmd/gatehouse")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	rep, err := run(config{
		bin:      bin,
		sizes:    sizes{Users: 301, Groups: 11, Roles: 10, Policies: 30, PolicyChars: 6144, GroupsPerUser: 3, ReadOnlyEvery: 1},
		conc:     16,
		progress: testWriter{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.activated != 300 || rep.stopped {
		t.Fatalf("%d of %d users active (stopped: %v)", rep.activated, rep.users, rep.stopped)
	}
	heap := perPrincipal(rep.heapBefore, rep.heapAfter, rep.activated)
	rss := perPrincipal(rep.rssBefore, rep.rssAfter, rep.activated)
	t.Logf("live heap %s before, %s after %d users active: %s per active principal (RSS %s → %s, %s per principal)",
		mib(rep.heapBefore), mib(rep.heapAfter), rep.activated, kib(heap), mib(rep.rssBefore), mib(rep.rssAfter), kib(rss))
	if heap > boundPerPrincipal {
		t.Errorf("an active principal costs %s of live heap beyond its records, over issue 12's bound of %s", kib(heap), kib(boundPerPrincipal))
	}
}

// testWriter writes progress lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}
