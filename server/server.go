package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/iam"
)

// Config configures a Server. IAM is required; the zero value of every
// other field is a useful default.
type Config struct {
	// IAM is the service the server exposes.
	IAM *iam.Service
	// Logger receives one line per request and operational messages;
	// nil discards them.
	Logger *slog.Logger
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// MaxSkew is how far a signature's time may be from the server's,
	// and how long a presigned URL lives at most; zero means AWS's 15
	// minutes (sigv4.DefaultMaxSkew).
	MaxSkew time.Duration
	// Dev makes the server a drop-in for test suites written against
	// moto's server mode (see dev.go). Never on by default.
	Dev bool
	// DevAccount is the account of unknown access keys in dev mode;
	// empty means 123456789012.
	DevAccount string
	// MaxBodyBytes bounds a request body; zero means 16 MiB (a SAML
	// metadata document may have 10 million characters).
	MaxBodyBytes int64
	// Timeouts of the http.Server that HTTPServer returns (see limits.go);
	// zero means the default, negative means none.
	// ReadHeaderTimeout bounds reading a request's headers (default 10 s).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included, from
	// its first byte (default 30 s): a body that does not arrive in time
	// is answered RequestTimeoutException and its connection closed.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its response (default 60 s).
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request (default 120 s, longer than the SDKs' 90 s, so that
	// clients close idle connections first).
	IdleTimeout time.Duration
	// MaxClientRequests caps the API requests one client (a source IPv4
	// address, or IPv6 /64) may have in flight at once, a slow body
	// being read included; a request over the cap is answered
	// Throttling ("Rate exceeded", 400), which the SDKs retry with
	// backoff. Zero means 32; negative means no cap.
	MaxClientRequests int
	// MaxClientConns caps the connections one client (as for
	// MaxClientRequests) may hold open at once, with the http.Server that
	// HTTPServer returns; a connection over the cap is closed as it is
	// accepted. Zero means 256 (an SDK pools 10 to 100); negative means
	// no cap.
	MaxClientConns int
}

// Server serves the AWS APIs over HTTP. It is safe for concurrent use.
type Server struct {
	iam      *iam.Service
	logger   *slog.Logger
	clock    func() time.Time
	maxBody  int64
	services map[string]*service // by API version
	auth     *authenticator
	metrics  *metrics
	limits   limits
	clients  *clientLimiter // nil without a cap
	conns    *connLimiter   // nil without a cap
	dev      *devMode       // nil unless Config.Dev
	bufs     sync.Pool
	ready    atomic.Bool
}

// New returns a server for cfg.
func New(cfg Config) *Server {
	s := &Server{
		iam:      cfg.IAM,
		logger:   cfg.Logger,
		clock:    cfg.Clock,
		maxBody:  cfg.MaxBodyBytes,
		services: newServices(cfg.IAM),
	}
	s.metrics = newMetrics(labels(s.services))
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.maxBody == 0 {
		s.maxBody = 16 << 20
	}
	s.limits, s.clients, s.conns = newLimits(cfg)
	if cfg.Dev {
		account := cfg.DevAccount
		if account == "" {
			account = DevAccount
		}
		s.dev = newDevMode(account)
	}
	if cfg.MaxSkew > 0 {
		for _, svc := range s.services {
			svc.signing.MaxSkew = cfg.MaxSkew
		}
	}
	s.auth = newAuthenticator(cfg.IAM, s.dev)
	s.bufs.New = func() any { return new(bytes.Buffer) }
	s.ready.Store(true)
	return s
}

// SetReady sets what /readyz answers; a server shutting down is not ready.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		io.WriteString(w, "ok\n")
		return
	case "/readyz":
		if !s.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
		return
	case "/metrics":
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.metrics.write(w)
		return
	}
	if s.dev != nil && strings.HasPrefix(r.URL.Path, "/moto-api/") {
		s.serveMotoAPI(w, r)
		return
	}
	s.serveAPI(w, r)
}

// serveAPI serves one AWS Query protocol request.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	now := s.clock()
	reqID := newRequestID()
	buf := s.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer s.bufs.Put(buf)

	var op string
	var svc *service
	var err error
	info := requestLog{debug: s.logger.Enabled(r.Context(), slog.LevelDebug)}
	if client, ok := s.acquire(r); ok {
		defer s.clients.release(client)
		op, svc, err = s.handle(r, reqID, now, buf, &info)
	} else {
		// Its body stays unread: the connection closes after the answer.
		w.Header()["Connection"] = []string{"close"}
		err = awsapi.Throttling()
	}
	code, status := "", http.StatusOK
	if err != nil {
		code, status = s.writeError(w, r, op, errorNamespace(svc), reqID, err)
	} else {
		h := w.Header()
		h["Content-Type"] = []string{"text/xml"}
		h["X-Amzn-Requestid"] = []string{reqID}
		h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
		w.Write(buf.Bytes())
	}
	d := time.Since(start)
	s.metrics.observe(op, code, d)
	s.logRequest(r, &info, reqID, op, status, code, d)
}

// handle decodes, routes, authenticates and dispatches a request,
// leaving the response body in buf. It returns the operation's name and
// its service when known.
func (s *Server) handle(r *http.Request, reqID string, now time.Time, buf *bytes.Buffer, info *requestLog) (string, *service, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		if isTimeout(err) {
			return "", nil, awsapi.RequestTimeout()
		}
		return "", nil, awsapi.MalformedQueryString("could not read the request body")
	}
	if int64(len(body)) > s.maxBody {
		return "", nil, awsapi.RequestEntityTooLarge(s.maxBody)
	}
	form, err := parseForm(r, body)
	if err != nil {
		return "", nil, awsapi.MalformedQueryString(err.Error())
	}
	svc, action, h, err := s.route(form)
	if err != nil {
		return action, nil, err
	}
	req, err := s.auth.authenticate(r, body, svc, now)
	if err != nil {
		return action, svc, err
	}
	info.caller(req)
	req.ID = reqID
	req.Time = now
	req.SourceIP = sourceIP(r)
	req.Secure = r.TLS != nil
	return action, svc, h(r.Context(), req, form, buf)
}

// parseForm returns the request's parameters: the query string, and for
// a form-encoded POST the body as well.
func parseForm(r *http.Request, body []byte) (url.Values, error) {
	form, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if r.Method == http.MethodPost && len(body) > 0 {
		ct := r.Header.Get("Content-Type")
		if ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			bf, err := url.ParseQuery(string(body))
			if err != nil {
				return nil, err
			}
			for k, v := range bf {
				form[k] = append(form[k], v...)
			}
		}
	}
	return form, nil
}

// writeError writes err as AWS's error envelope in namespace xmlns and
// returns its code and HTTP status. Errors that are not AWS errors are
// logged and answered InternalFailure.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, op, xmlns, reqID string, err error) (string, int) {
	var apiErr awsapi.APIError
	if !errors.As(err, &apiErr) {
		if errors.Is(err, context.Canceled) {
			s.logger.Info("request canceled", "request_id", reqID, "op", op)
		} else {
			s.logger.Error("internal failure", "request_id", reqID, "op", op, "err", err)
		}
		apiErr = awsapi.InternalFailure()
	}
	buf := s.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer s.bufs.Put(buf)
	awsapi.WriteError(buf, xmlns, reqID, apiErr)
	h := w.Header()
	h["Content-Type"] = []string{"text/xml"}
	h["X-Amzn-Requestid"] = []string{reqID}
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(apiErr.HTTPStatus())
	w.Write(buf.Bytes())
	return apiErr.ErrorCode(), apiErr.HTTPStatus()
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// newRequestID returns a random UUID, the form of AWS request IDs.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
