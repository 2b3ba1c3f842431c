package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/store"
)

// Config configures a Service. Store and Keyring are required.
type Config struct {
	// Store persists the records and the change log.
	Store store.Store
	// Keyring seals access-key secrets, MFA seeds and private keys at rest.
	Keyring *secret.Keyring
	// Catalog provides the AWS managed policies; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
	// Follow configures how the service follows the store's change log
	// (other writers' commits and its own); the zero value is the
	// default.
	Follow store.FollowerOptions
}

// Service is the IAM service. It is safe for concurrent use.
type Service struct {
	store   store.Store
	keyring *secret.Keyring
	catalog *catalog.Catalog
	// awsPolicies are the catalog's managed policies sorted by ARN,
	// as ListPolicies lists them.
	awsPolicies []*catalog.ManagedPolicy
	clock       func() time.Time
	logger      *slog.Logger

	mu    sync.RWMutex // guards state; the follower alone writes it
	state *state
	// follower applies the change log to state; stop ends it and done
	// is closed when it has.
	follower *store.Follower
	stop     context.CancelFunc
	done     chan struct{}
	// broken is why the state cannot be trusted (a commit could not be
	// applied and reloading failed); while set every operation fails.
	broken atomic.Pointer[error]

	principals principalView
	usage      usage
	// contexts recycles request contexts: a decision's context is
	// built, used and dropped within one authorization.
	contexts sync.Pool
	sets     setCache // compiled policies, shared by the view's entries
}

// ErrConfig reports a Config that cannot work.
var ErrConfig = errors.New("iam: invalid config")

// New returns a service with the state loaded from cfg.Store.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Keyring == nil {
		return nil, ErrConfig
	}
	svc := &Service{
		store:   cfg.Store,
		keyring: cfg.Keyring,
		catalog: cfg.Catalog,
		clock:   cfg.Clock,
		logger:  cfg.Logger,
	}
	svc.contexts.New = func() any { return policy.NewContext(nil) }
	svc.principals.warm = svc.warmManaged
	if svc.catalog == nil {
		svc.catalog = catalog.Default()
	}
	svc.awsPolicies = slices.SortedFunc(slices.Values(svc.catalog.ManagedPolicies()), func(a, b *catalog.ManagedPolicy) int { return strings.Compare(a.ARN, b.ARN) })
	if svc.clock == nil {
		svc.clock = time.Now
	}
	if svc.logger == nil {
		svc.logger = slog.New(slog.DiscardHandler)
	}
	st, err := svc.loadCurrent(ctx)
	if err != nil {
		return nil, err
	}
	svc.state = st
	svc.follower = store.NewFollower(svc.store, st.pos, svc.apply, cfg.Follow)
	fctx, stop := context.WithCancel(context.Background())
	svc.stop, svc.done = stop, make(chan struct{})
	go svc.follow(fctx)
	return svc, nil
}

// Close stops following the store's log. It does not close the store.
func (svc *Service) Close() error {
	svc.stop()
	<-svc.done
	return nil
}

// follow runs the follower. A commit that cannot be applied leaves the
// state behind the store: the service says so, stops answering from it
// and reloads it from a fresh snapshot, again every second until that
// works.
func (svc *Service) follow(ctx context.Context) {
	defer close(svc.done)
	for {
		err := svc.follower.Run(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		if errors.Is(err, store.ErrClosed) {
			svc.logger.Warn("store closed: no longer following its log")
			svc.fail(err)
			return
		}
		svc.logger.Error("a committed change cannot be applied: reloading the state from the store", "err", err)
		svc.fail(err)
		for {
			if err := svc.reload(ctx); err == nil {
				break
			} else if ctx.Err() != nil {
				return
			} else {
				svc.logger.Error("reloading the state failed: the service answers ServiceFailure until it works", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		svc.logger.Info("state reloaded from the store", "pos", svc.follower.Pos())
	}
}

// reload replaces the state by a fresh snapshot and moves the follower
// to it.
func (svc *Service) reload(ctx context.Context) error {
	st, err := svc.loadCurrent(ctx)
	if err != nil {
		return err
	}
	svc.mu.Lock()
	svc.state = st
	svc.principals.reset()
	svc.broken.Store(nil)
	svc.mu.Unlock()
	svc.follower.Restart(st.pos)
	return nil
}

func (svc *Service) fail(err error) { svc.broken.Store(&err) }

// failed returns ServiceFailure while the state cannot be trusted.
func (svc *Service) failed() error {
	if p := svc.broken.Load(); p != nil {
		return iamapi.ServiceFailure("The request processing has failed because of an unknown error, exception or failure.")
	}
	return nil
}

func (svc *Service) now() time.Time { return svc.clock().UTC().Truncate(time.Second) }

// ErrNoReset is returned by Reset when the store cannot reset.
var ErrNoReset = errors.New("iam: the store cannot be reset")

// Reset deletes every account and all their state, in the store and in
// memory (a test server's reset; dev mode only).
func (svc *Service) Reset(ctx context.Context) error {
	r, ok := svc.store.(store.Resetter)
	if !ok {
		return ErrNoReset
	}
	if err := r.Reset(ctx); err != nil {
		return err
	}
	svc.usage.mu.Lock()
	svc.usage.dirty = nil
	svc.usage.mu.Unlock()
	return svc.reload(ctx)
}

// HasAccount reports whether the account has any state.
func (svc *Service) HasAccount(id string) bool {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	return svc.state.accounts[id] != nil
}

// AccessKey is what authentication needs to know about an access key.
type AccessKey struct {
	Account  string
	UserName string
	UserID   string
	Path     string
	Secret   string
	Active   bool
}

// LogValue implements slog.LogValuer: an access key logs without its
// secret.
func (k AccessKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("account", k.Account), slog.String("user", k.UserName),
		slog.Bool("active", k.Active), slog.String("secret", "REDACTED"))
}

// AccessKey looks an access key up for authentication.
func (svc *Service) AccessKey(id string) (AccessKey, bool) {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	o, ok := svc.state.keys[id]
	if !ok {
		return AccessKey{}, false
	}
	u, _ := svc.state.lookup(recordKey{o.account, kindUser, o.userKey}).(*user)
	if u == nil || u.ID != o.userID {
		return AccessKey{}, false
	}
	return AccessKey{
		Account:  o.account,
		UserName: u.Name,
		UserID:   u.ID,
		Path:     u.Path,
		Secret:   o.secret,
		Active:   o.status == statusActive,
	}, true
}

const (
	statusActive   = "Active"
	statusInactive = "Inactive"
)

// ID alphabets and lengths as AWS uses them: unique IDs are a four-letter
// prefix and 17 characters; access key IDs a prefix and 16.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// Unique ID prefixes.
const (
	prefixUser            = "AIDA"
	prefixGroup           = "AGPA"
	prefixRole            = "AROA"
	prefixPolicy          = "ANPA"
	prefixInstanceProfile = "AIPA"
	prefixAccessKey       = "AKIA"
	prefixServerCert      = "ASCA"
	prefixSSHKey          = "APKA"
	prefixServiceCred     = "ACCA"
)

func newID(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	var sb strings.Builder
	sb.Grow(len(prefix) + n)
	sb.WriteString(prefix)
	for _, c := range b {
		sb.WriteByte(idAlphabet[int(c)%len(idAlphabet)])
	}
	return sb.String()
}

// uniqueID returns a new unique ID with the prefix (AIDA, AGPA, ...).
func uniqueID(prefix string) string { return newID(prefix, 17) }

// newSecretKey returns a new 40-character secret access key.
func newSecretKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 40)
	rand.Read(b)
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(b)
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func groupByID(t *txn, id string) *group { return byID[*group](t, kindGroup, id) }

func roleByID(t *txn, id string) *role { return byID[*role](t, kindRole, id) }

// awsPolicyPrefix begins the canonical ARN of every AWS managed policy;
// awsPolicyEnd is the first string after all of them ('0' follows '/').
const (
	awsPolicyPrefix = "arn:aws:iam::aws:policy/"
	awsPolicyEnd    = "arn:aws:iam::aws:policy0"
)

// isAWSManagedARN reports whether a is the ARN of an AWS managed policy.
func isAWSManagedARN(a string) bool {
	return strings.HasPrefix(a, awsPolicyPrefix)
}

// customerPolicyByARN finds a customer managed policy by canonical ARN.
func customerPolicyByARN(t *txn, a string) *managedPolicy {
	k, rest, ok := customerPolicyKey(t.acct, a)
	if !ok {
		return nil
	}
	p, ok := get[*managedPolicy](t, kindPolicy, k.key)
	if !ok || p.Path+p.Name != rest {
		return nil
	}
	return p
}

// customerPolicyKey is the record a customer managed policy of account
// acct with the canonical ARN a would be held under.
func customerPolicyKey(acct, a string) (k recordKey, rest string, ok bool) {
	f, ok := arn.Split(a)
	if !ok || f[0] != "arn" || f[1] != canonicalPartition || f[2] != "iam" || f[3] != "" || f[4] != acct || !strings.HasPrefix(f[5], "policy/") {
		return recordKey{}, "", false
	}
	rest = f[5][len("policy"):] // "/path/name"
	return recordKey{acct, kindPolicy, nameKey(rest[strings.LastIndexByte(rest, '/')+1:])}, rest, true
}
