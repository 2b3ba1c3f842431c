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
	defaultMaxClientConns    = 256
)

// limits are the timeouts of the http.Server, after defaults (zero: none).
type limits struct {
	readHeader, read, write, idle time.Duration
}

func newLimits(cfg Config) (limits, *clientLimiter, *connLimiter) {
	l := limits{
		readHeader: orDefault(cfg.ReadHeaderTimeout, defaultReadHeaderTimeout),
		read:       orDefault(cfg.ReadTimeout, defaultReadTimeout),
		write:      orDefault(cfg.WriteTimeout, defaultWriteTimeout),
		idle:       orDefault(cfg.IdleTimeout, defaultIdleTimeout),
	}
	var reqs *clientLimiter
	if max := orDefaultInt(cfg.MaxClientRequests, defaultMaxClientRequests); max > 0 {
		reqs = &clientLimiter{max: max, n: make(map[netip.Prefix]int)}
	}
	var conns *connLimiter
	if max := orDefaultInt(cfg.MaxClientConns, defaultMaxClientConns); max > 0 {
		conns = &connLimiter{max: max, n: make(map[netip.Prefix]int), counted: make(map[net.Conn]netip.Prefix)}
	}
	return l, reqs, conns
}

// orDefaultInt is n, or def for zero; negative stays (no limit).
func orDefaultInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
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
		ConnState:         s.conns.connState,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}

// connLimiter caps the connections each client (clientKey) holds open,
// so that one address cannot hold the server's file descriptors with
// connections that never finish their headers (each bounded only by
// ReadHeaderTimeout). A connection over the cap is closed as it is
// accepted, before a byte is read: there is no request to answer yet.
type connLimiter struct {
	max     int
	mu      sync.Mutex
	n       map[netip.Prefix]int
	counted map[net.Conn]netip.Prefix
}

// connState is the http.Server's ConnState hook: new connections are
// counted in (or closed over the cap), closed and hijacked ones out.
func (l *connLimiter) connState(c net.Conn, state http.ConnState) {
	if l == nil {
		return
	}
	switch state {
	case http.StateNew:
		k := clientKey(c.RemoteAddr().String())
		l.mu.Lock()
		over := l.n[k] >= l.max
		if !over {
			l.n[k]++
			l.counted[c] = k
		}
		l.mu.Unlock()
		if over {
			c.Close()
		}
	case http.StateClosed, http.StateHijacked:
		l.mu.Lock()
		if k, ok := l.counted[c]; ok {
			delete(l.counted, c)
			if l.n[k] <= 1 {
				delete(l.n, k)
			} else {
				l.n[k]--
			}
		}
		l.mu.Unlock()
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
