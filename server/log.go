package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
)

// requestLog collects what a request's log line says beyond its
// outcome: the authenticated caller and, at debug level, each
// authorization decision.
//
// The line never holds a secret: not the signature, not the session
// token, not a parameter value (passwords and private keys are
// parameters); only names — of the caller, its access key, the signed
// headers, the deciding policies.
type requestLog struct {
	debug bool
	req   *authn.Request // nil until authenticated
	// decisions is set at debug level only, so that at info level the
	// requestLog stays on the stack.
	decisions *decisions
}

// decisions are the authorization decisions of a request, as text.
type decisions []string

// caller records the authenticated request; at debug level it asks the
// service for its authorization decisions.
func (l *requestLog) caller(req *authn.Request) {
	l.req = req
	if l.debug {
		l.decisions = new(decisions)
		req.Trace = l.decisions.record
	}
}

// record records one decision: the action and resource, the effect, and
// the statements that decided it (policy name, statement index and Sid)
// or, for a denial without one, the policy type that did not allow.
func (ds *decisions) record(action, resource string, d authz.Decision) {
	var b strings.Builder
	b.WriteString(action + " on " + resource + ": " + d.Effect.String())
	reasons := d.Reasons()
	for i, r := range reasons {
		if i == 0 {
			b.WriteString(" by ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(r.Type.String() + " " + r.Policy.Name + " statement " + strconv.Itoa(int(r.Statement)))
		if sid := r.Sid(); sid != "" {
			b.WriteString(" (" + sid + ")")
		}
	}
	if len(reasons) == 0 && d.Effect != authz.Allowed {
		b.WriteString(": no " + d.Type.String() + " allows it")
	}
	*ds = append(*ds, b.String())
}

// logRequest writes the request's line at info level: request ID,
// operation, HTTP status, error code ("" on success), caller ARN, access
// key ID, source IP and the time taken in milliseconds (took_ms, a
// number). At debug level it adds the user agent, how the request was
// signed and which headers the signature covers, and the authorization
// decisions.
func (s *Server) logRequest(r *http.Request, l *requestLog, reqID, op string, status int, code string, d time.Duration) {
	ctx := r.Context()
	if !s.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	var caller, key string
	if l.req != nil {
		caller, key = l.req.ARN, l.req.AccessKeyID
	}
	var buf [12]slog.Attr
	attrs := append(buf[:0],
		slog.String("request_id", reqID),
		slog.String("op", op),
		slog.Int("status", status),
		slog.String("code", code),
		slog.String("caller", caller),
		slog.String("access_key_id", key),
		slog.String("source_ip", sourceIP(r)),
		slog.Float64("took_ms", float64(d.Nanoseconds())/1e6),
	)
	if l.debug {
		form, signed := signing(r)
		var ds []string
		if l.decisions != nil {
			ds = *l.decisions
		}
		attrs = append(attrs,
			slog.String("user_agent", r.UserAgent()),
			slog.String("auth", form),
			slog.String("signed_headers", signed),
			slog.Any("decisions", ds),
		)
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// signing says how r is signed — "header" (Authorization), "presigned"
// (query parameters) or "none" — and which headers the signature
// covers, as the request states them (the signature itself is not
// logged).
func signing(r *http.Request) (form, signedHeaders string) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, rest, _ := strings.Cut(auth, "SignedHeaders=")
		signed, _, _ := strings.Cut(rest, ",")
		return "header", strings.TrimSpace(signed)
	}
	if q := r.URL.Query(); q.Has("X-Amz-Signature") {
		return "presigned", q.Get("X-Amz-SignedHeaders")
	}
	return "none", ""
}
