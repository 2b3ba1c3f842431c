package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/server"
)

// logBuffer is a JSON log the server writes to from its goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// requests returns the request lines of operation op.
func (l *logBuffer) requests(t *testing.T, op string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, sc.Text())
		}
		if m["msg"] == "request" && m["op"] == op {
			out = append(out, m)
		}
	}
	return out
}

func startLogging(t *testing.T, level slog.Level) (*harness, *logBuffer) {
	log := new(logBuffer)
	h := startWith(t, false, func(c *server.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: level}))
	})
	return h, log
}

// TestRequestLog: each request has one line saying who called (caller
// ARN, access key ID, source IP), what (request ID, operation), the
// outcome (HTTP status, error code) and the time taken, in
// milliseconds as a number (took_ms). Nothing more at info level.
func TestRequestLog(t *testing.T) {
	h, log := startLogging(t, slog.LevelInfo)
	ctx := context.Background()
	must[*awsiam.GetUserOutput](t)(h.admin().GetUser(ctx, &awsiam.GetUserInput{}))
	_, err := h.admin().GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")
	http.Post(h.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=ListUsers&Version=2010-05-08"))

	lines := log.requests(t, "GetUser")
	if len(lines) != 2 {
		t.Fatalf("GetUser lines: %v\n%s", lines, log)
	}
	admin := "arn:aws:iam::" + testAccount + ":user/admin"
	for i, want := range []map[string]any{
		{"status": 200.0, "code": "", "caller": admin, "access_key_id": h.adminKey.AccessKeyID, "source_ip": "127.0.0.1", "level": "INFO"},
		{"status": 404.0, "code": "NoSuchEntity", "caller": admin, "access_key_id": h.adminKey.AccessKeyID, "source_ip": "127.0.0.1"},
	} {
		for k, v := range want {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %#v, want %#v\n%v", i, k, lines[i][k], v, lines[i])
			}
		}
		if ms, ok := lines[i]["took_ms"].(float64); !ok || ms <= 0 || ms > 60_000 {
			t.Errorf("line %d: took_ms = %#v, want a number of milliseconds", i, lines[i]["took_ms"])
		}
		if id, _ := lines[i]["request_id"].(string); len(id) != 36 {
			t.Errorf("line %d: request_id = %q", i, id)
		}
		for _, k := range []string{"user_agent", "signed_headers", "decisions"} {
			if _, ok := lines[i][k]; ok {
				t.Errorf("line %d: %s at info level", i, k)
			}
		}
	}
	unsigned := log.requests(t, "ListUsers")
	if len(unsigned) != 1 || unsigned[0]["status"] != 403.0 || unsigned[0]["code"] != "MissingAuthenticationToken" || unsigned[0]["caller"] != "" || unsigned[0]["source_ip"] != "127.0.0.1" {
		t.Fatalf("unsigned: %v", unsigned)
	}
}

// TestRequestLogDebug: at debug level the line adds the user agent, how
// the request was signed and the headers the signature covers, and the
// authorization decisions with the statements that decided them. No
// level logs a secret: not the secret key, the signature, the session
// token or a password parameter; an access key logged as a value shows
// its secret as REDACTED (slog.LogValuer).
func TestRequestLogDebug(t *testing.T) {
	h, log := startLogging(t, slog.LevelDebug)
	ctx := context.Background()
	must[*awsiam.GetUserOutput](t)(h.admin().GetUser(ctx, &awsiam.GetUserInput{}))
	dev, _ := h.newUserWithKey("dev")
	_, err := dev.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	const password = "Sup3r-Secret-Pa55!"
	must[*awsiam.CreateLoginProfileOutput](t)(h.admin().CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String(password)}))

	// A raw request with a session token, whose signature we know.
	const token = "SESSION-TOKEN-SECRET-42"
	form := "Action=GetAccountSummary&Version=2010-05-08"
	withToken := h.adminSigning()
	withToken.SessionToken = token
	req := h.signedPOST(form, withToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	_, signature, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")

	get := log.requests(t, "GetUser")
	if len(get) != 1 {
		t.Fatalf("GetUser lines: %v", get)
	}
	if ua, _ := get[0]["user_agent"].(string); !strings.Contains(ua, "aws-sdk-go-v2") {
		t.Errorf("user_agent = %q", ua)
	}
	if get[0]["auth"] != "header" || !strings.Contains(get[0]["signed_headers"].(string), "host") || !strings.Contains(get[0]["signed_headers"].(string), "x-amz-date") {
		t.Errorf("signing: %v %v", get[0]["auth"], get[0]["signed_headers"])
	}
	wantDecisions := func(line map[string]any, want ...string) {
		t.Helper()
		ds, _ := line["decisions"].([]any)
		if len(ds) != len(want) {
			t.Fatalf("decisions = %v, want %q", ds, want)
		}
		for i, w := range want {
			if s, _ := ds[i].(string); !strings.HasPrefix(s, w) {
				t.Errorf("decision %d = %q, want %q...", i, s, w)
			}
		}
	}
	wantDecisions(get[0], "iam:GetUser on arn:aws:iam::"+testAccount+":user/admin: Allowed by identity-based policy arn:aws:iam::aws:policy/AdministratorAccess statement 0")
	denied := log.requests(t, "ListUsers")
	if len(denied) != 1 || denied[0]["code"] != "AccessDenied" || denied[0]["caller"] != "arn:aws:iam::"+testAccount+":user/dev" {
		t.Fatalf("denied: %v", denied)
	}
	wantDecisions(denied[0], "iam:ListUsers on arn:aws:iam::"+testAccount+":user/: ImplicitDeny: no identity-based policy allows it")

	k, ok := h.svc.AccessKey(h.adminKey.AccessKeyID)
	if !ok {
		t.Fatal("no admin key")
	}
	slog.New(slog.NewJSONHandler(log, nil)).Info("key", "key", k)
	if !strings.Contains(log.String(), `"secret":"REDACTED"`) {
		t.Errorf("access key not redacted:\n%s", log)
	}
	for name, secret := range map[string]string{
		"secret access key": h.adminKey.SecretAccessKey,
		"password":          password,
		"session token":     token,
		"signature":         signature,
	} {
		if secret == "" || strings.Contains(log.String(), secret) {
			t.Errorf("the log holds the %s %q", name, secret)
		}
	}
}
