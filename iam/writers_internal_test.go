package iam

import (
	"context"
	"errors"
	"fmt"
	"github.com/gatehouse/gatehouse/authn"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

// twoServices returns two services, each on its own Store over one
// SQLite file: two processes sharing a data directory.
func twoServices(t testing.TB) (a, b *Service, ctx context.Context, r *authn.Request) {
	t.Helper()
	ctx = context.Background()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	k, err := secret.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	open := func() *Service {
		st, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := New(ctx, Config{Store: st, Keyring: secret.NewKeyring(k)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Close(); st.Close() })
		return svc
	}
	a = open()
	if _, err := a.Bootstrap(ctx, Bootstrap{Account: internalAccount, RootPassword: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	b = open()
	return a, b, ctx, unchecked(internalAccount)
}

func TestTwoServicesRaceOnOneName(t *testing.T) {
	a, b, ctx, r := twoServices(t)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[string]int{}
	)
	for i := range 20 {
		svc := []*Service{a, b}[i%2]
		wg.Go(func() {
			_, err := svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "Racer"})
			var ae awsapi.APIError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				codes["ok"]++
			case errors.As(err, &ae):
				codes[ae.ErrorCode()]++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if codes["ok"] != 1 || codes["EntityAlreadyExists"] != 19 {
		t.Fatalf("20 CreateUser of one name on two services: %v", codes)
	}
	// Names are unique without regard to case, across writers too.
	if _, err := b.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "racer"}); err == nil {
		t.Fatal("racer created beside Racer")
	}
}

// A quota is the store's to keep: two writers each below it in memory
// cannot pass it together.
func TestTwoServicesKeepAQuota(t *testing.T) {
	a, b, ctx, r := twoServices(t)
	const quota = maxInstanceProfiles
	stage(t, a, r, func(tx *txn) {
		for i := range quota - 1 {
			tx.put(&instanceProfile{Path: "/", Name: fmt.Sprintf("p%04d", i), ID: uniqueID(prefixInstanceProfile)})
		}
	})
	if err := b.follower.Wait(ctx, a.follower.Pos()); err != nil {
		t.Fatal(err)
	}
	// b stops following, so it decides from a state without a's last
	// profile: in memory it is one below the quota.
	pause(b)
	if _, err := a.CreateInstanceProfile(ctx, r, &iamapi.CreateInstanceProfileInput{InstanceProfileName: "last"}); err != nil {
		t.Fatal(err)
	}
	go func() {
		// b learns what a did only after its own commit was refused.
		time.Sleep(50 * time.Millisecond)
		resume(b)
	}()
	_, err := b.CreateInstanceProfile(ctx, r, &iamapi.CreateInstanceProfileInput{InstanceProfileName: "one-too-many"})
	var ae awsapi.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "LimitExceeded" {
		t.Fatalf("CreateInstanceProfile past the quota on the second writer = %v, want LimitExceeded", err)
	}
	n := 0
	if _, err := b.store.Load(ctx, func(r store.Record) error {
		if r.Kind == kindInstanceProfile {
			n++
		}
		return nil
	}); err != nil || n != quota {
		t.Fatalf("the store holds %d instance profiles (%v), want the quota %d", n, err, quota)
	}
}

// Two processes bootstrapping one account at once (an admin command
// beside a server, say): one wins, the other, which decided from a state
// without the account, is refused on commit, runs again on the fresh
// state and answers ErrAccountExists; the account keeps the winner's one
// administrator and key.
func TestTwoServicesBootstrapOneAccount(t *testing.T) {
	a, b, ctx, _ := twoServices(t)
	const other = "444455556666"
	pause(b)
	won, err := a.Bootstrap(ctx, Bootstrap{Account: other, RootPassword: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	if b.HasAccount(other) {
		t.Fatal("the paused service already has the account")
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		resume(b)
	}()
	if _, err := b.Bootstrap(ctx, Bootstrap{Account: other, RootPassword: "another horse battery staple"}); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("second Bootstrap of %s from a stale state = %v, want ErrAccountExists", other, err)
	}
	var users, keys []string
	if _, err := b.store.Load(ctx, func(r store.Record) error {
		switch {
		case r.Account == other && r.Kind == kindUser:
			users = append(users, r.Key)
		case r.Account == other && r.Kind == kindAccessKey:
			keys = append(keys, r.Key)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || len(keys) != 1 {
		t.Fatalf("account %s holds users %v and access keys %v, want one of each", other, users, keys)
	}
	if k, ok := b.AccessKey(won.AccessKeyID); !ok || k.Account != other {
		t.Fatalf("the winner's key %s: %+v %v", won.AccessKeyID, k, ok)
	}
}

// pause stops svc following the log; resume lets it go on.
func pause(svc *Service) {
	svc.stop()
	<-svc.done
	svc.follower.Restart(svc.follower.Pos()) // Wait waits rather than report the stop
}

func resume(svc *Service) {
	fctx, stop := context.WithCancel(context.Background())
	svc.stop, svc.done = stop, make(chan struct{})
	go svc.follow(fctx)
}

// A commit this process cannot apply makes it answer ServiceFailure,
// not stale state, until it has reloaded.
func TestUnappliableCommitReloads(t *testing.T) {
	a, b, ctx, r := twoServices(t)
	// A record b cannot decode, committed by a: as a newer program's
	// record kind would be.
	if _, err := a.store.Commit(ctx, store.Batch{Changes: []store.Change{{Op: store.Put, Record: store.Record{Account: internalAccount, Kind: "future", Key: "x", Value: []byte("{}")}}}, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.failed() == nil {
		if time.Now().After(deadline) {
			t.Fatal("b never noticed the commit it cannot apply")
		}
		time.Sleep(time.Millisecond)
	}
	_, err := b.GetUser(ctx, r, &iamapi.GetUserInput{UserName: "admin"})
	wantAPIError(t, err, "ServiceFailure", "The request processing has failed because of an unknown error, exception or failure.")
	_, err = b.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "x"})
	wantAPIError(t, err, "ServiceFailure", "The request processing has failed because of an unknown error, exception or failure.")
	// Once the record is gone, the reload (every second) succeeds.
	if _, err := a.store.Commit(ctx, store.Batch{Changes: []store.Change{{Op: store.Delete, Record: store.Record{Account: internalAccount, Kind: "future", Key: "x"}}}, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for b.failed() != nil {
		if time.Now().After(deadline) {
			t.Fatal("b never reloaded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := b.GetUser(ctx, r, &iamapi.GetUserInput{UserName: "admin"}); err != nil {
		t.Fatalf("after the reload: %v", err)
	}
	// And it follows again.
	if _, err := a.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: "later"}); err != nil {
		t.Fatal(err)
	}
	if err := b.follower.Wait(ctx, a.follower.Pos()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetUser(ctx, r, &iamapi.GetUserInput{UserName: "later"}); err != nil {
		t.Fatalf("after the reload b does not follow: %v", err)
	}
}

// BenchmarkWrite is the cost of a durable write through the service
// (prepare, conditional SQLite commit, apply by the follower), from
// parallel writers.
func BenchmarkWrite(b *testing.B) {
	b.Run("CreateUser", func(b *testing.B) {
		svc, ctx, _ := newInternalService(b)
		var n atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				// A new account every 4,000 users: the quota is 5,000.
				r := unchecked(fmt.Sprintf("%012d", 100000+i/4000))
				if _, err := svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: fmt.Sprintf("u%07d", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("TagUser", func(b *testing.B) {
		svc, ctx, r := newInternalService(b)
		var n atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			// Each writer its own user: no conflicts.
			name := fmt.Sprintf("t%03d", n.Add(1))
			if _, err := svc.CreateUser(ctx, r, &iamapi.CreateUserInput{UserName: name}); err != nil {
				b.Fatal(err)
			}
			i := 0
			for pb.Next() {
				i++
				if _, err := svc.TagUser(ctx, r, &iamapi.TagUserInput{UserName: name, Tags: []iamapi.Tag{{Key: "n", Value: fmt.Sprint(i % 10)}}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	benchAccessKeys(b)
}

// conflictCounter is a store that counts the commits refused for a
// conflict: how often writers met.
type conflictCounter struct {
	store.Store
	n atomic.Int64
}

func (c *conflictCounter) Commit(ctx context.Context, b store.Batch) (int64, error) {
	seq, err := c.Store.Commit(ctx, b)
	if errors.Is(err, store.ErrConflict) {
		c.n.Add(1)
	}
	return seq, err
}

// countingService is a service on a real SQLite file whose store
// counts the commits refused for a conflict.
func countingService(b *testing.B) (*Service, *conflictCounter) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "gatehouse.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	k, err := secret.GenerateKey("k1")
	if err != nil {
		b.Fatal(err)
	}
	cc := &conflictCounter{Store: st}
	svc, err := New(ctx, Config{Store: cc, Keyring: secret.NewKeyring(k)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })
	return svc, cc
}

// benchAccessKeys is the cost of CreateAccessKey from parallel writers:
// each key for a user of its own (made beforehand), and two writers at
// a time on one shared user (its quota), each op a key created and
// deleted again. conflicts/op counts the commits refused because
// writers met, gaveup/op the ConcurrentModification answers (the op is
// then run again).
func benchAccessKeys(b *testing.B) {
	ctx := context.Background()
	request := func(i int) *authn.Request {
		// A new account every 4,000 users: the quota is 5,000.
		return unchecked(fmt.Sprintf("%012d", 100000+i/4000))
	}
	b.Run("CreateAccessKey/own-user", func(b *testing.B) {
		svc, cc := countingService(b)
		for i := 0; i < b.N; i += 4000 {
			stage(b, svc, request(i), func(t *txn) {
				for j := i; j < min(i+4000, b.N); j++ {
					t.put(&user{Path: "/", Name: fmt.Sprintf("u%07d", j), ID: uniqueID(prefixUser)})
				}
			})
		}
		before := cc.n.Load()
		var n atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(n.Add(1) - 1)
				if _, err := svc.CreateAccessKey(ctx, request(i), &iamapi.CreateAccessKeyInput{UserName: fmt.Sprintf("u%07d", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.ReportMetric(float64(cc.n.Load()-before)/float64(b.N), "conflicts/op")
	})
	b.Run("CreateAccessKey/shared-user", func(b *testing.B) {
		svc, cc := countingService(b)
		r := request(0)
		stage(b, svc, r, func(t *txn) { t.put(&user{Path: "/", Name: "shared", ID: uniqueID(prefixUser)}) })
		// As many writers at once as the user may have keys: each op
		// is a key created and deleted again, never LimitExceeded.
		slots := make(chan struct{}, maxAccessKeys)
		var gaveUp atomic.Int64
		before := cc.n.Load()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				slots <- struct{}{}
				var out *iamapi.CreateAccessKeyOutput
				again(b, &gaveUp, func() (err error) {
					out, err = svc.CreateAccessKey(ctx, r, &iamapi.CreateAccessKeyInput{UserName: "shared"})
					return err
				})
				again(b, &gaveUp, func() error {
					_, err := svc.DeleteAccessKey(ctx, r, &iamapi.DeleteAccessKeyInput{UserName: "shared", AccessKeyId: out.AccessKey.AccessKeyId})
					return err
				})
				<-slots
			}
		})
		b.ReportMetric(float64(cc.n.Load()-before)/float64(b.N), "conflicts/op")
		b.ReportMetric(float64(gaveUp.Load())/float64(b.N), "gaveup/op")
	})
}

// again runs op until it does not answer ConcurrentModification (the
// service gave up retrying), counting those answers.
func again(b *testing.B, gaveUp *atomic.Int64, op func() error) {
	for {
		err := op()
		var ae awsapi.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ConcurrentModification" {
			gaveUp.Add(1)
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		return
	}
}
