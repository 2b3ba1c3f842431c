package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/server"
	"github.com/gatehouse/gatehouse/sigv4"
)

// BenchmarkServe measures the server's own cost of a signed request, from
// the HTTP request to the XML response: form decoding, SigV4
// verification, the authorization decision, the operation and encoding.
// Run: go test ./server -run '^$' -bench Serve -benchmem -cpu 1
func BenchmarkServe(b *testing.B) {
	h := start(&testing.T{}, false)
	defer h.close()
	srv := server.New(server.Config{IAM: h.svc})
	creds := h.adminSigning()
	for _, bc := range []struct{ name, body string }{
		{"GetUser", "Action=GetUser&UserName=admin&Version=2010-05-08"},
		{"ListUsers", "Action=ListUsers&Version=2010-05-08"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			now := time.Now()
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(bc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			sigv4.Sign(req, []byte(bc.body), creds, "us-east-1", "iam", now)
			b.ReportAllocs()
			for b.Loop() {
				r := req.Clone(req.Context())
				r.Body = readCloser{strings.NewReader(bc.body)}
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
