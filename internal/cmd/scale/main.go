package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.bin, "gatehouse", "", "gatehouse binary to start (default: go build ./cmd/gatehouse into a temporary directory)")
	flag.StringVar(&cfg.dataDir, "data-dir", "", "data directory to build in, kept afterwards (default: a temporary one, removed)")
	flag.IntVar(&cfg.accounts, "accounts", 10, "accounts to add beside the first, with gatehouse account create")
	flag.IntVar(&cfg.sizes.Users, "users", 5000, "users per account, the admin included")
	flag.IntVar(&cfg.sizes.Groups, "groups", 300, "groups per account, Admins included")
	flag.IntVar(&cfg.sizes.Roles, "roles", 1000, "roles per account")
	flag.IntVar(&cfg.sizes.Policies, "policies", 1500, "customer managed policies per account")
	flag.IntVar(&cfg.sizes.PolicyChars, "policy-chars", 6144, "characters of the largest customer managed policy document")
	flag.IntVar(&cfg.sizes.GroupsPerUser, "groups-per-user", 10, "most groups a user is in")
	flag.IntVar(&cfg.sizes.ReadOnlyEvery, "readonly-every", 3, "every n-th group attaches ReadOnlyAccess (0: none)")
	flag.IntVar(&cfg.conc, "c", 16, "concurrent clients")
	flag.DurationVar(&cfg.d, "d", 5*time.Second, "duration of each read measurement and of the mixed writes (0: skip them)")
	maxRSS := flag.Uint64("max-rss-mib", 8192, "stop making principals active once the server's resident set passes this many MiB (0: no limit)")
	flag.BoolVar(&cfg.restart, "restart", true, "time a restart on the built data directory")
	flag.Parse()
	cfg.maxRSS = *maxRSS << 20
	cfg.progress = os.Stderr
	if cfg.bin == "" {
		dir, err := os.MkdirTemp("", "gatehouse-scale-bin")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		cfg.bin = filepath.Join(dir, "gatehouse")
		build := exec.Command("go", "build", "-o", cfg.bin, "./cmd/gatehouse")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("scale: go build ./cmd/gatehouse (run from the repository's root, or give -gatehouse): %v", err)
		}
	}
	rep, err := run(cfg)
	if err != nil {
		log.Fatalf("scale: %v", err)
	}
	rep.write(os.Stdout)
}

// write prints the report as Markdown tables.
func (r *report) write(w io.Writer) {
	sz := r.cfg.sizes
	fmt.Fprintf(w, "gatehouse scale: %d accounts of %d users, %d groups, %d roles, %d customer managed policies (up to %d characters), up to %d groups per user, ReadOnlyAccess on every %d. group; %d clients; GOMAXPROCS %d on %d CPUs\n\n",
		len(r.accounts), sz.Users, sz.Groups, sz.Roles, sz.Policies, sz.PolicyChars, sz.GroupsPerUser, sz.ReadOnlyEvery, r.cfg.conc, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Fprintf(w, "first start on an empty data directory: /readyz after %v\n", r.firstUp.Round(time.Millisecond))
	if len(r.create.lat) > 0 {
		fmt.Fprintf(w, "gatehouse account create beside the running server: %d accounts, %v each on average; the server accepted the new admin key %s after the command's exit at most (p50 %s)\n",
			len(r.create.lat), (r.create.wall / time.Duration(len(r.create.lat))).Round(time.Millisecond), ms(r.visible.quantile(1)), ms(r.visible.quantile(0.5)))
	}
	total := 0
	for _, o := range r.build.ops {
		total += len(o.lat)
	}
	fmt.Fprintf(w, "build: %d requests in %v (%.0f/s)\n\n", total, r.buildWall.Round(time.Second), float64(total)/r.buildWall.Seconds())
	fmt.Fprintln(w, "| build step | requests | requests/s | p50 | p99 | sent again |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, op := range r.build.order {
		o := r.build.ops[op]
		if len(o.lat) == 0 {
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %d |\n", op, len(o.lat), o.perSecond(), ms(o.quantile(0.5)), ms(o.quantile(0.99)), o.retries)
	}

	fmt.Fprintln(w)
	a := r.activation
	fmt.Fprintf(w, "activation: %d of %d users signed one GetUser each (%.0f/s, p50 %s, p99 %s)", r.activated, r.users, a.perSecond(), ms(a.quantile(0.5)), ms(a.quantile(0.99)))
	if r.stopped {
		fmt.Fprintf(w, "; STOPPED when the server's RSS passed -max-rss-mib %d", r.cfg.maxRSS>>20)
	}
	fmt.Fprintf(w, ".\nThe %d roles are not active: a role acts through STS sessions, which Gatehouse does not issue yet.\n\n", r.roles)
	fmt.Fprintln(w, "| server memory | RSS (VmRSS) | live heap (least of the GCs after) |")
	fmt.Fprintln(w, "|---|---|---|")
	fmt.Fprintf(w, "| all records loaded, admins active | %s | %s |\n", mib(r.rssBefore), mib(r.heapBefore))
	fmt.Fprintf(w, "| after %d users active | %s | %s |\n", r.activated, mib(r.rssAfter), mib(r.heapAfter))
	fmt.Fprintf(w, "| per active principal | %s | %s |\n", kib(perPrincipal(r.rssBefore, r.rssAfter, r.activated)), kib(perPrincipal(r.heapBefore, r.heapAfter, r.activated)))
	if r.restartTook > 0 {
		fmt.Fprintf(w, "| restarted, nothing active | %s | %s |\n", mib(r.rssRestart), mib(r.heapRestart))
	}
	if r.restartTook > 0 {
		fmt.Fprintf(w, "\nrestart on the built data directory (%.0f MiB of files): /readyz after %v\n", float64(r.dataBytes)/(1<<20), r.restartTook.Round(time.Millisecond))
	}

	for _, l := range r.loads {
		fmt.Fprintf(w, "\n%s: reads as admin of %s, %d clients, %v each\n\n", l.when, r.accounts[0], r.cfg.conc, r.cfg.d)
		fmt.Fprintln(w, "| read | requests/s | p50 | p99 | server p50 | errors |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for _, rd := range l.reads {
			name := rd.op
			if rd.params != "" {
				name += " " + strings.ReplaceAll(rd.params, "&", " ")
			}
			server := ms(rd.serverP50)
			if rd.serverP50 >= topBucket {
				server = "≥ " + server + " (the histogram's top bucket)"
			}
			fmt.Fprintf(w, "| %s | %.0f | %s | %s | %s | %d |\n", name, rd.rec.perSecond(), ms(rd.rec.quantile(0.5)), ms(rd.rec.quantile(0.99)), server, rd.errs)
		}
		fmt.Fprintf(w, "\n%s: mixed writes, %d clients, each making users in the fresh account %s: %d durable writes in %v\n\n", l.when, r.cfg.conc, l.mixedAccount, l.mixedWrites, l.mixedWall.Round(time.Millisecond))
		fmt.Fprintln(w, "| write | requests | requests/s | p50 | p99 | sent again |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for _, op := range l.mixed.order {
			o := l.mixed.ops[op]
			fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %d |\n", op, len(o.lat), o.perSecond(), ms(o.quantile(0.5)), ms(o.quantile(0.99)), o.retries)
		}
		all := l.mixed.ops["all three"]
		verdict := "met"
		if all.perSecond() < 3000 || all.quantile(0.99) > 20*time.Millisecond {
			verdict = "NOT met"
		}
		fmt.Fprintf(w, "\nissue 12's goal, >= 3,000 durable writes/s at p99 <= 20 ms: %s (%.0f/s, p99 %s)\n", verdict, all.perSecond(), ms(all.quantile(0.99)))
	}

}

// topBucket is the largest finite bound of the server's latency
// histogram: a quantile beyond it reads as it.
const topBucket = 2500 * time.Millisecond

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func kib(b float64) string { return fmt.Sprintf("%.1f KiB", b/1024) }
