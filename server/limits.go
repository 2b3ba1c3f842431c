package server

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Defaults of the Config limits.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultReadTimeout       = 30 * time.Second
	defaultWriteTimeout      = 60 * time.Second
	defaultIdleTimeout       = 120 * time.Second
	defaultMaxClientRequests = 32
)

// limits are the timeouts of the http.Server, after defaults (zero: none).
type limits struct {
	readHeader, read, write, idle time.Duration
}

func newLimits(cfg Config) (limits, *clientLimiter) {
	l := limits{
		readHeader: orDefault(cfg.ReadHeaderTimeout, defaultReadHeaderTimeout),
		read:       orDefault(cfg.ReadTimeout, defaultReadTimeout),
		write:      orDefault(cfg.WriteTimeout, defaultWriteTimeout),
		idle:       orDefault(cfg.IdleTimeout, defaultIdleTimeout),
	}
	max := cfg.MaxClientRequests
	if max == 0 {
		max = defaultMaxClientRequests
	}
	if max < 0 {
		return l, nil
	}
	return l, &clientLimiter{max: max, n: make(map[netip.Prefix]int)}
}

func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0 // net/http: no timeout
	}
	return d
}

// HTTPServer returns an http.Server that serves s with the timeouts of
// its Config; its error log goes to the Config's Logger as warnings.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.limits.readHeader,
		ReadTimeout:       s.limits.read,
		WriteTimeout:      s.limits.write,
		IdleTimeout:       s.limits.idle,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}

// acquire counts r in for the per-client cap; false if its client is
// at the cap. Release the returned key when done.
func (s *Server) acquire(r *http.Request) (netip.Prefix, bool) {
	if s.clients == nil {
		return netip.Prefix{}, true
	}
	return s.clients.acquire(r.RemoteAddr)
}

// clientLimiter counts the API requests each client has in flight.
type clientLimiter struct {
	max int
	mu  sync.Mutex
	n   map[netip.Prefix]int
}

// clientKey is who a request comes from for the cap: its IPv4 address,
// or the /64 of its IPv6 address (one host's share of a network). An
// address that does not parse counts as the zero Prefix, one client.
func clientKey(remoteAddr string) netip.Prefix {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return netip.Prefix{}
	}
	a := ap.Addr().Unmap()
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// acquire counts a request of the client at remoteAddr in, unless the
// client has the maximum in flight already.
func (l *clientLimiter) acquire(remoteAddr string) (netip.Prefix, bool) {
	k := clientKey(remoteAddr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[k] >= l.max {
		return k, false
	}
	l.n[k]++
	return k, true
}

// release counts a request of client k out.
func (l *clientLimiter) release(k netip.Prefix) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[k] <= 1 {
		delete(l.n, k)
		return
	}
	l.n[k]--
}

// isTimeout reports whether err is a read deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
