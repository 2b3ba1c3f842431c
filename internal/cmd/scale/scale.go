package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/cmd/internal/loadclient"
	"github.com/gatehouse/gatehouse/sigv4"
)

// config is one run.
type config struct {
	// bin is the gatehouse binary; dataDir the data directory to build
	// in ("": a temporary one, removed at the end).
	bin, dataDir string
	// accounts is how many accounts to add beside the first.
	accounts int
	sizes    sizes
	// conc is the number of clients of every step.
	conc int
	// d is how long each read and the mixed writes are measured; 0
	// skips them.
	d time.Duration
	// maxRSS stops the activation once the server's resident set passes
	// it (0: no limit).
	maxRSS uint64
	// restart times a restart on the built data directory.
	restart bool
	// progress receives a line per step.
	progress io.Writer
}

// Account IDs: the server's first, the ones added, the mixed writes'
// (one per measurement, counting down).
const (
	firstAccount = 100000000001
	mixedAccount = 199999999999
	mixedGroups  = 10
	mixedUsers   = 4990 // below the quota of 5,000 with the admin
)

// report is what a run measured.
type report struct {
	cfg      config
	accounts []string
	firstUp  time.Duration // first start, empty directory
	// create is `gatehouse account create` beside the running server;
	// visible how long after its exit the server accepted the new key.
	create, visible *opRecord
	// build is every build step by operation; buildWall the whole build.
	build     *recorder
	buildWall time.Duration
	// users are the users that could sign (all but the admins, who
	// signed the build); roles the roles, which cannot.
	users, roles int
	// activated users, and whether -max-rss stopped the activation.
	activated  int
	stopped    bool
	activation *opRecord
	// The server's resident set and live heap before and after.
	rssBefore, rssAfter, heapBefore, heapAfter uint64
	// loads are the reads and mixed writes, measured before the
	// activation and after it.
	loads                   []load
	restartTook             time.Duration
	rssRestart, heapRestart uint64
	dataBytes               int64
}

// load is one measurement of the reads and the mixed writes.
type load struct {
	when         string
	reads        []readResult
	mixedAccount string
	mixed        *recorder
	mixedWall    time.Duration
	mixedWrites  int
}

type readResult struct {
	op, params string
	rec        *opRecord
	serverP50  time.Duration
	errs       int
}

func (cfg config) logf(format string, args ...any) {
	if cfg.progress != nil {
		fmt.Fprintf(cfg.progress, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

// run builds the accounts and measures; the server is stopped when it
// returns.
func run(cfg config) (*report, error) {
	if cfg.conc <= 0 {
		cfg.conc = 16
	}
	if cfg.dataDir == "" {
		dir, err := os.MkdirTemp("", "gatehouse-scale")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cfg.dataDir = dir
	}
	rep := &report{cfg: cfg, build: newRecorder(), create: &opRecord{}, visible: &opRecord{}}
	first := fmt.Sprintf("%012d", firstAccount)
	// The collector keeps the server below a quarter more than the
	// activation's limit: the garbage of the collections that settle
	// the heap would otherwise take it to twice the live heap.
	srv, took, err := startServer(cfg.bin, cfg.dataDir, first, cfg.maxRSS/4*5)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	rep.firstUp = took
	cfg.logf("gatehouse serve ready on %s after %v (data dir %s)", srv.addr, took.Round(time.Millisecond), cfg.dataDir)

	admins := map[string]sigv4.Credentials{}
	rep.accounts = append(rep.accounts, first)
	if admins[first], err = srv.adminKey(first); err != nil {
		return nil, err
	}
	for i := range cfg.accounts {
		id := fmt.Sprintf("%012d", firstAccount+1+i)
		t0 := time.Now()
		var visible time.Duration
		if admins[id], visible, err = srv.createAccount(id); err != nil {
			return nil, err
		}
		rep.create.lat = append(rep.create.lat, time.Since(t0)-visible)
		rep.create.wall += time.Since(t0) - visible
		rep.visible.lat = append(rep.visible.lat, visible)
		rep.accounts = append(rep.accounts, id)
	}
	rep.visible.lat = slices.Sorted(slices.Values(rep.visible.lat))
	if cfg.accounts > 0 {
		cfg.logf("gatehouse account create: %d accounts beside the running server", cfg.accounts)
	}

	// The build, account by account, phase by phase.
	type userKey struct {
		account string
		creds   sigv4.Credentials
	}
	var (
		keysMu sync.Mutex
		keys   []userKey
	)
	buildStart := time.Now()
	for n, account := range rep.accounts {
		admin := admins[account]
		t0 := time.Now()
		requests := 0
		for _, p := range phases(account, cfg.sizes) {
			rec, wall, err := pool(srv.addr, len(p.jobs), cfg.conc, nil, func(c *client, i int) error {
				for _, s := range p.jobs[i] {
					if _, _, err := c.call(admin, s.op, s.params); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("account %s: %w", account, err)
			}
			rep.build.merge(rec)
			rep.build.op(p.op).wall += wall
			requests += len(rec.op(p.op).lat)
		}
		users := max(cfg.sizes.Users-1, 0)
		rec, wall, err := pool(srv.addr, users, cfg.conc, nil, func(c *client, i int) error {
			body, _, err := c.call(admin, "CreateAccessKey", form("UserName", userName(i)))
			if err != nil {
				return err
			}
			k := sigv4.Credentials{AccessKeyID: element(body, "AccessKeyId"), SecretAccessKey: element(body, "SecretAccessKey")}
			if k.AccessKeyID == "" || k.SecretAccessKey == "" {
				return fmt.Errorf("CreateAccessKey: no key in %s", body)
			}
			keysMu.Lock()
			keys = append(keys, userKey{account, k})
			keysMu.Unlock()
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", account, err)
		}
		rep.build.merge(rec)
		rep.build.op("CreateAccessKey").wall += wall
		requests += users
		took := time.Since(t0)
		cfg.logf("account %d/%d (%s) built: %d requests in %v (%.0f/s)", n+1, len(rep.accounts), account, requests, took.Round(time.Millisecond), float64(requests)/took.Seconds())
		rep.users += users
		rep.roles += cfg.sizes.Roles
	}
	rep.buildWall = time.Since(buildStart)
	rep.build.sorted()

	// Memory with every record loaded and no principal but the admins
	// active, then every user signs one request.
	mem := func() (rss, heap uint64, err error) {
		heap, err = settledHeap(srv.addr, admins[first])
		if err != nil {
			return 0, 0, err
		}
		rss, err = srv.rss()
		return rss, heap, err
	}
	// The first measurement of the load comes before the memory's, so
	// that the records its writes add are not counted as activation's.
	if err := measureLoad(srv, cfg, rep, admins[first], "all records loaded, admins active"); err != nil {
		return nil, err
	}
	if rep.rssBefore, rep.heapBefore, err = mem(); err != nil {
		return nil, err
	}
	cfg.logf("before activation: RSS %s, live heap %s", mib(rep.rssBefore), mib(rep.heapBefore))
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if rss, err := srv.rss(); err == nil && cfg.maxRSS > 0 && rss > cfg.maxRSS {
				stop.Store(true)
			}
		}
	}()
	var activated atomic.Int64
	rec, wall, err := pool(srv.addr, len(keys), cfg.conc, func() bool { return !stop.Load() }, func(c *client, i int) error {
		// AccessDenied counts: the request was authenticated and its
		// principal's view entry compiled to decide it.
		if _, _, err := c.call(keys[i].creds, "GetUser", "", http.StatusOK, http.StatusForbidden); err != nil {
			return err
		}
		if n := activated.Add(1); n%5000 == 0 {
			cfg.logf("active: %d of %d users", n, len(keys))
		}
		return nil
	})
	close(done)
	if err != nil {
		return nil, fmt.Errorf("activation: %w", err)
	}
	rep.activated, rep.stopped = int(activated.Load()), stop.Load()
	rep.activation = rec.sorted().op("GetUser")
	rep.activation.wall = wall
	if rep.rssAfter, rep.heapAfter, err = mem(); err != nil {
		return nil, err
	}
	cfg.logf("after activating %d users: RSS %s, live heap %s", rep.activated, mib(rep.rssAfter), mib(rep.heapAfter))
	if err := measureLoad(srv, cfg, rep, admins[first], fmt.Sprintf("after %d users active", rep.activated)); err != nil {
		return nil, err
	}

	if cfg.restart {
		if rep.restartTook, err = srv.restart(); err != nil {
			return nil, err
		}
		if rep.rssRestart, rep.heapRestart, err = mem(); err != nil {
			return nil, err
		}
		cfg.logf("restarted: /readyz after %v, RSS %s", rep.restartTook.Round(time.Millisecond), mib(rep.rssRestart))
	}
	rep.dataBytes = srv.dataBytes()
	return rep, nil
}

// measureLoad measures the reads as admin of the first account, then
// the mixed writes; a d of 0 skips them.
func measureLoad(srv *server, cfg config, rep *report, admin sigv4.Credentials, when string) error {
	if cfg.d <= 0 {
		return nil
	}
	l := load{when: when, mixedAccount: fmt.Sprintf("%012d", mixedAccount-len(rep.loads))}
	for _, r := range []struct{ op, params string }{
		{"GetUser", form("UserName", userName(0))},
		{"ListUsers", ""},
		{"ListPolicies", ""},
		{"ListPolicies", form("Scope", "Local")},
	} {
		before, _ := loadclient.Scrape(srv.addr, r.op)
		rec, errs := measure(srv.addr, admin, r.op, r.params, cfg.conc, cfg.d)
		after, _ := loadclient.Scrape(srv.addr, r.op)
		l.reads = append(l.reads, readResult{r.op, r.params, rec, after.Minus(before).Quantile(0.5), errs})
		cfg.logf("%s %s: %.0f/s", r.op, r.params, rec.perSecond())
	}
	if err := mixed(srv, cfg, &l); err != nil {
		return err
	}
	rep.loads = append(rep.loads, l)
	return nil
}

// mixed runs the mixed writes: conc clients each making users in a
// fresh account (the others are at their quota), one after another:
// CreateUser, PutUserPolicy, AddUserToGroup.
func mixed(srv *server, cfg config, l *load) error {
	admin, _, err := srv.createAccount(l.mixedAccount)
	if err != nil {
		return err
	}
	c := &client{addr: srv.addr, conn: loadclient.Conn{Addr: srv.addr}, rec: newRecorder()}
	for g := range mixedGroups {
		if _, _, err := c.call(admin, "CreateGroup", form("GroupName", groupName(g))); err != nil {
			return err
		}
	}
	c.conn.Close()
	doc := document(l.mixedAccount, 1, inlineUserChars)
	start := time.Now()
	rec, wall, err := pool(srv.addr, mixedUsers, cfg.conc, func() bool { return time.Since(start) < cfg.d }, func(c *client, i int) error {
		name := fmt.Sprintf("mixed-%04d", i)
		for _, s := range []step{
			{"CreateUser", form("UserName", name)},
			{"PutUserPolicy", form("UserName", name, "PolicyName", "inline", "PolicyDocument", doc)},
			{"AddUserToGroup", form("UserName", name, "GroupName", groupName(i%mixedGroups))},
		} {
			if _, _, err := c.call(admin, s.op, s.params); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mixed writes: %w", err)
	}
	all := rec.op("all three")
	for _, op := range []string{"CreateUser", "PutUserPolicy", "AddUserToGroup"} {
		all.lat = append(all.lat, rec.op(op).lat...)
		all.retries += rec.op(op).retries
	}
	for _, o := range rec.ops {
		o.wall = wall
	}
	l.mixed, l.mixedWall, l.mixedWrites = rec.sorted(), wall, len(all.lat)
	cfg.logf("mixed writes: %d in %v (%.0f/s)", len(all.lat), wall.Round(time.Millisecond), all.perSecond())
	return nil
}

// settledHeap returns the server's live heap: the least that a
// garbage collection marked live among those that started after the
// call (from the third cycle on, up to six cycles or 15 s of them). It
// sends requests, whose garbage makes the runtime collect; what they
// allocate while a cycle marks counts as live in that cycle, which is
// why the least reading is taken.
func settledHeap(addr string, creds sigv4.Credentials) (uint64, error) {
	g, err := loadclient.Gauges(addr)
	if err != nil {
		return 0, err
	}
	first := g["go_gc_cycles_total"] + 2 // a cycle that started after the call has ended
	const more = 6
	var wg sync.WaitGroup
	var done atomic.Bool
	for range 2 {
		wg.Go(func() {
			c := &loadclient.Conn{Addr: addr}
			defer c.Close()
			for !done.Load() {
				c.Call(loadclient.Request(addr, creds, "ListUsers", "", time.Now()))
			}
		})
	}
	defer func() { done.Store(true); wg.Wait() }()
	deadline := time.Now().Add(5 * time.Minute)
	var (
		least    uint64
		seen     float64
		firstAt  time.Time
		readings int
	)
	for time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
		if g, err = loadclient.Gauges(addr); err != nil {
			return 0, err
		}
		cycles := g["go_gc_cycles_total"]
		if cycles < first || cycles == seen {
			continue
		}
		seen = cycles
		if live := uint64(g["go_gc_heap_live_bytes"]); readings == 0 || live < least {
			least = live
		}
		if readings++; readings == 1 {
			firstAt = time.Now()
		}
		if cycles >= first+more || time.Since(firstAt) > 15*time.Second {
			return least, nil
		}
	}
	if readings > 0 {
		return least, nil
	}
	return 0, fmt.Errorf("no garbage collection in 5 minutes")
}

// element returns the text of the first <name> element of an XML body.
func element(body []byte, name string) string {
	_, rest, ok := bytes.Cut(body, []byte("<"+name+">"))
	if !ok {
		return ""
	}
	v, _, _ := bytes.Cut(rest, []byte("</"+name+">"))
	return string(v)
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// perPrincipal is the memory that activation added per active user.
func perPrincipal(before, after uint64, n int) float64 {
	if n == 0 || after < before {
		return 0
	}
	return float64(after-before) / float64(n)
}
