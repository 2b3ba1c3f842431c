package iam

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

// quotaAccount stages an account shaped like one at AWS's quotas, at a
// size the caller picks: customer managed policies of about 6,000
// characters, groups with an inline policy and two customer policies
// attached (every third ReadOnlyAccess too, every fifth
// SecurityAudit), users in 10 groups each with a customer policy
// attached and two tags, the even ones with an inline policy of their
// own, and roles with an inline policy and a customer policy.
func quotaAccount(t testing.TB, svc *Service, r *authn.Request, users, groups, roles, policies int) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	acct := r.Account
	// Each account's documents differ from every other's.
	var base int
	fmt.Sscan(acct[6:], &base)
	base *= 1000000
	policyARN := func(i int) string { return "arn:aws:iam::" + acct + fmt.Sprintf(":policy/p%05d", i) }
	stage(t, svc, r, func(tx *txn) {
		for i := range policies {
			tx.put(&managedPolicy{Path: "/", Name: fmt.Sprintf("p%05d", i), ID: uniqueID(prefixPolicy), Created: now, Updated: now,
				Versions: []policyVersion{{ID: "v1", Doc: bigDoc(base+i, 6000), Created: now}}, Default: "v1", NextVersion: 2})
		}
		gids := make([]string, groups)
		for i := range groups {
			g := &group{Path: "/", Name: fmt.Sprintf("g%04d", i), ID: uniqueID(prefixGroup), Created: now,
				Attached: []string{policyARN((2 * i) % policies), policyARN((2*i + 1) % policies)},
				Inline:   map[string]string{"team": bigDoc(base+100000+i, 1000)}}
			if i%3 == 0 {
				g.Attached = append(g.Attached, "arn:aws:iam::aws:policy/ReadOnlyAccess")
			}
			if i%5 == 0 {
				g.Attached = append(g.Attached, "arn:aws:iam::aws:policy/SecurityAudit")
			}
			gids[i] = g.ID
			tx.put(g)
		}
		for i := range users {
			u := &user{Path: "/", Name: fmt.Sprintf("u%05d", i), ID: uniqueID(prefixUser), Created: now,
				Attached: []string{policyARN((7 * i) % policies)},
				Tags:     []Tag{{Key: "team", Value: fmt.Sprint(i % 10)}, {Key: "cost", Value: fmt.Sprint(i % 7)}}}
			if i%2 == 0 {
				u.Inline = map[string]string{"own": bigDoc(base+200000+i, 300)}
			}
			for j := range 10 {
				u.Groups = append(u.Groups, gids[(i*7+j*31)%groups])
			}
			tx.put(u)
		}
		for i := range roles {
			tx.put(&role{Path: "/", Name: fmt.Sprintf("r%05d", i), ID: uniqueID(prefixRole), Created: now,
				Trust:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
				Attached: []string{policyARN((3 * i) % policies)},
				Inline:   map[string]string{"work": bigDoc(base+300000+i, 500)}})
		}
	})
}

// bigDoc is an identity policy of about n characters, its actions and
// resources varied by seed.
func bigDoc(seed, n int) string {
	services := []string{"s3", "ec2", "dynamodb", "sqs", "sns", "kms", "lambda", "logs", "cloudwatch", "secretsmanager"}
	verbs := []string{"Get", "List", "Describe", "Put", "Create", "Delete", "Update"}
	var stmts []string
	size := 50
	for i := 0; size < n; i++ {
		svc := services[(seed+i)%len(services)]
		st := fmt.Sprintf(`{"Sid":"S%d","Effect":"%s","Action":["%s:%s*","%s:%sItem"],"Resource":"arn:aws:%s:us-east-1:111122223333:res%d/%d/*"}`,
			i, map[bool]string{true: "Deny", false: "Allow"}[i%9 == 8], svc, verbs[(seed+i)%len(verbs)], svc, verbs[(seed+2*i)%len(verbs)], svc, seed, i)
		stmts = append(stmts, st)
		size += len(st) + 1
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryPerPrincipal: what a principal's compiled view costs once
// the policies it shares with others are compiled — issue 12's bound is
// 16 KB beyond its own records. A first set of users is made active
// (their groups', managed and customer policies compiled once, for
// everyone), then the others, those without an inline policy of their
// own and those with one apart; their growth of the heap, per user, is
// the cost of one more active principal. The bound is checked on the
// users without: a user's own inline policy is its own record, whose
// compiled form (about 9 KB for one of 300 characters here) it alone
// uses.
func TestMemoryPerPrincipal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an account of 1,200 users")
	}
	const users, warm, bound = 1200, 400, 16 << 10
	svc, _, r := newInternalService(t)
	quotaAccount(t, svc, r, users, 100, 0, 300)
	activate := func(from, to, parity int) {
		for i := from; i < to; i++ {
			if parity < 0 || i%2 == parity {
				if _, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, fmt.Sprintf("u%05d", i)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	h0 := heapInUse()
	activate(0, warm, -1)
	h1 := heapInUse()
	activate(warm, users, 1)
	h2 := heapInUse()
	activate(warm, users, 0)
	h3 := heapInUse()
	n := int64(users-warm) / 2
	first := (int64(h1) - int64(h0)) / warm
	without, with := (int64(h2)-int64(h1))/n, (int64(h3)-int64(h2))/n
	t.Logf("first %d users: %d B each (the shared policies' compilation included); then %d B each without an inline policy of their own, %d B with one; %d compiled policies shared",
		warm, first, without, with, svc.sets.len())
	if without > bound {
		t.Errorf("an active principal costs %d bytes of heap beyond its own records, over the bound of %d", without, bound)
	}
}

// BenchmarkFirstRequest is what a principal's first request costs more
// than its next ones: its entry compiled from the state, the policies it
// shares with others compiled already (issue 12's bound: 1 ms). Each
// iteration drops the entry of one of 1,000 users in 10 groups and
// compiles it again.
//
//	go test ./iam -run '^$' -bench 'FirstRequest' -benchmem
func BenchmarkFirstRequest(b *testing.B) {
	svc, _, r := newInternalService(b)
	const users = 1000
	quotaAccount(b, svc, r, users, 100, 0, 300)
	for i := range users {
		if _, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, fmt.Sprintf("u%05d", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		name := fmt.Sprintf("u%05d", i%users)
		k := recordKey{internalAccount, kindUser, name}
		svc.principals.changed(k, nil, nil)
		if _, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, name); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAuthorizeQuotaUser is one warm decision of a user of
// quotaAccount: its inline and customer policy, and 10 groups' inline,
// customer and AWS managed policies (ReadOnlyAccess among them), each a
// set shared with other principals and evaluated in turn.
//
//	go test ./iam -run '^$' -bench 'AuthorizeQuotaUser' -benchmem
func BenchmarkAuthorizeQuotaUser(b *testing.B) {
	svc, _, r := newInternalService(b)
	quotaAccount(b, svc, r, 100, 100, 0, 300)
	req := userRequest(b, svc, internalAccount, "u00001")
	tx := svc.reader(req)
	p, err := tx.caller()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(p.Policies.Identity.Policies())), "policies")
	for _, action := range []iamapi.Action{iamapi.ActionGetUser, iamapi.ActionCreateUser} {
		b.Run(action.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				err := tx.authorize(action, "arn:aws:iam::111122223333:user/u00001", nil)
				if (err == nil) != (action == iamapi.ActionGetUser) {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAWSManagedCompiledAhead: attaching an AWS managed policy compiles
// it in the background, for good, before any member's request needs it;
// a principal's entry then holds that very set.
func TestAWSManagedCompiledAhead(t *testing.T) {
	svc, ctx, r := newInternalService(t)
	const ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	if _, err := svc.CreateGroup(ctx, r, &iamapi.CreateGroupInput{GroupName: "readers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "reader"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddUserToGroup(ctx, r, &iamapi.AddUserToGroupInput{GroupName: "readers", UserName: "reader"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AttachGroupPolicy(ctx, r, &iamapi.AttachGroupPolicyInput{GroupName: "readers", PolicyArn: ro}); err != nil {
		t.Fatal(err)
	}
	k := setKey{ro, svc.catalog.ManagedPolicy(ro).Document}
	var pinned *policy.Set
	for deadline := time.Now().Add(30 * time.Second); pinned == nil; {
		svc.sets.mu.Lock()
		pinned = svc.sets.pinned[k]
		svc.sets.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("ReadOnlyAccess was not compiled ahead of use")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p, err := svc.PrincipalPolicies(internalAccount, UserPrincipal, "reader")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pol := range p.Policies.Identity.Policies() {
		found = found || pol == pinned.Policies()[0]
	}
	if !found {
		t.Error("the user's entry does not hold the set compiled ahead")
	}
}

// BenchmarkQuotaAccounts builds accounts at AWS's default quotas — 5,000
// users in 10 of 300 groups each, 1,000 roles, 1,500 customer managed
// policies of about 6,000 characters, ReadOnlyAccess and SecurityAudit
// attached to groups — in one SQLite store, then opens the store again
// and reports: how long the snapshot load takes (start-ms), the heap
// with the state loaded (state-MB), the heap with every user and role
// active (active-MB), and the heap each active principal adds
// (B/principal). One iteration; QUOTA_ACCOUNTS sets how many accounts
// (default 11: the one plus 10 more), QUOTA_HEAPPROFILE a file
// for the heap profile with every principal active, QUOTA_CPUPROFILE one
// for the CPU profile of the snapshot load.
//
//	go test ./iam -run '^$' -bench 'QuotaAccounts' -benchtime 1x -timeout 60m
func BenchmarkQuotaAccounts(b *testing.B) {
	accounts := 11
	if v := os.Getenv("QUOTA_ACCOUNTS"); v != "" {
		fmt.Sscan(v, &accounts)
	}
	const users, groups, roles, policies = 5000, 300, 1000, 1500
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "gatehouse.db")
		ctx := context.Background()
		k, err := secret.GenerateKey("k1")
		if err != nil {
			b.Fatal(err)
		}
		kr := secret.NewKeyring(k)
		open := func() (*Service, func()) {
			st, err := sqlite.Open(ctx, path, sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			svc, err := New(ctx, Config{Store: st, Keyring: kr})
			if err != nil {
				b.Fatal(err)
			}
			return svc, func() { svc.Close(); st.Close() }
		}
		svc, closeSvc := open()
		for a := range accounts {
			acct := fmt.Sprintf("%012d", 200000000000+a)
			if _, err := svc.Bootstrap(ctx, Bootstrap{Account: acct, RootPassword: "correct horse battery staple"}); err != nil {
				b.Fatal(err)
			}
			quotaAccount(b, svc, unchecked(acct), users, groups, roles, policies)
		}
		closeSvc()
		h0 := heapInUse()
		if path := os.Getenv("QUOTA_CPUPROFILE"); path != "" {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(f)
			defer f.Close()
		}
		start := time.Now()
		svc, closeSvc = open()
		load := time.Since(start)
		pprof.StopCPUProfile()
		h1 := heapInUse()
		for a := range accounts {
			acct := fmt.Sprintf("%012d", 200000000000+a)
			for i := range users {
				if _, err := svc.PrincipalPolicies(acct, UserPrincipal, fmt.Sprintf("u%05d", i)); err != nil {
					b.Fatal(err)
				}
			}
			for i := range roles {
				if _, err := svc.PrincipalPolicies(acct, RolePrincipal, fmt.Sprintf("r%05d", i)); err != nil {
					b.Fatal(err)
				}
			}
		}
		h2 := heapInUse()
		if path := os.Getenv("QUOTA_HEAPPROFILE"); path != "" {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			pprof.WriteHeapProfile(f)
			f.Close()
		}
		principals := int64(accounts * (users + roles))
		b.ReportMetric(float64(load.Milliseconds()), "start-ms")
		b.ReportMetric(float64(int64(h1)-int64(h0))/(1<<20), "state-MB")
		b.ReportMetric(float64(h2)/(1<<20), "active-MB")
		b.ReportMetric(float64(int64(h2)-int64(h1))/float64(principals), "B/principal")
		closeSvc()
	}
}

// readCounter is a store that counts the calls that read or write it
// other than the follower's tail of the log.
type readCounter struct {
	store.Store
	n atomic.Int64
}

func (c *readCounter) Load(ctx context.Context, fn func(store.Record) error) (int64, error) {
	c.n.Add(1)
	return c.Store.Load(ctx, fn)
}

func (c *readCounter) Commit(ctx context.Context, b store.Batch) (int64, error) {
	c.n.Add(1)
	return c.Store.Commit(ctx, b)
}

func (c *readCounter) LastSeq(ctx context.Context) (int64, error) {
	c.n.Add(1)
	return c.Store.LastSeq(ctx)
}

// TestDecisionsReadNoStore: once loaded, the service decides without the
// store — a principal's first request compiles its entry from memory,
// and reads answer from memory — so decisions cost the same on SQLite
// and, later, on a database across a network.
func TestDecisionsReadNoStore(t *testing.T) {
	rc := new(readCounter)
	svc, ctx, _ := newServiceOn(t, func(st store.Store) store.Store { rc.Store = st; return rc })
	quotaAccount(t, svc, unchecked(internalAccount), 200, 30, 20, 50)
	before := rc.n.Load()
	for i := range 200 {
		r := userRequest(t, svc, internalAccount, fmt.Sprintf("u%05d", i))
		if _, err := svc.GetUser(ctx, r, &iamapi.GetUserInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ListRoles(ctx, r, &iamapi.ListRolesInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "denied"}); err == nil {
			t.Fatal("a reader created a user")
		}
	}
	for i := range 20 {
		if _, err := svc.PrincipalPolicies(internalAccount, RolePrincipal, fmt.Sprintf("r%05d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := rc.n.Load() - before; n != 0 {
		t.Errorf("600 decisions of 200 principals' first requests called the store %d times", n)
	}
}
