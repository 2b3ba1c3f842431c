package server

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// DevAccount is the account of dev mode, as in moto.
const DevAccount = "123456789012"

// devMode is the state of a server started with --dev: a drop-in for
// test suites written against moto's server mode.
// https://docs.getmoto.org/en/latest/docs/server_mode.html
// https://docs.getmoto.org/en/latest/docs/iam.html
//
// Like moto, a number of calls (by default all of them) pass without
// authentication; after them every call is verified and authorized.
type devMode struct {
	account string

	mu    sync.Mutex
	limit float64 // calls that pass unauthenticated, counted from the last reset-auth
	count float64
}

func newDevMode(account string) *devMode {
	return &devMode{account: account, limit: math.Inf(1)}
}

// skipAuth counts a call and reports whether it passes unauthenticated.
func (d *devMode) skipAuth() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	skip := d.count < d.limit
	d.count++
	return skip
}

// resetAuth sets a new limit and returns the old one.
func (d *devMode) resetAuth(limit float64) float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.limit
	d.limit, d.count = limit, 0
	return old
}

// serveMotoAPI serves moto's /moto-api/reset and /moto-api/reset-auth.
func (s *Server) serveMotoAPI(w http.ResponseWriter, r *http.Request) {
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case "/moto-api/reset":
		if r.Method != http.MethodPost {
			reply(http.StatusBadRequest, map[string]string{"Error": "Need to POST to reset Moto"})
			return
		}
		if err := s.iam.Reset(r.Context()); err != nil {
			s.logger.Error("moto-api reset", "err", err)
			reply(http.StatusInternalServerError, map[string]string{"Error": "reset failed"})
			return
		}
		s.logger.Warn("dev mode: all state reset by /moto-api/reset")
		reply(http.StatusOK, map[string]string{"status": "ok"})
	case "/moto-api/reset-auth":
		if r.Method != http.MethodPost {
			reply(http.StatusBadRequest, map[string]string{"Error": "Need to POST to reset Moto Auth"})
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64))
		limit, ok := parsePythonFloat(string(body))
		if !ok {
			reply(http.StatusBadRequest, map[string]string{"Error": "could not convert string to float: '" + string(body) + "'"})
			return
		}
		old := s.dev.resetAuth(limit)
		reply(http.StatusOK, map[string]string{"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": formatPythonFloat(old)})
	default:
		http.NotFound(w, r)
	}
}

// parsePythonFloat parses a number as Python's float() does for the
// values moto accepts ("4", "5.0", "inf", "Infinity"); an empty body
// means infinity.
func parsePythonFloat(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return math.Inf(1), true
	}
	switch strings.ToLower(s) {
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// formatPythonFloat formats f as Python's str(float) does: "inf", "4.0",
// "2.5", "1e+16".
func formatPythonFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == math.Trunc(f) && math.Abs(f) < 1e16:
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
