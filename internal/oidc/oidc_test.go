package oidc_test

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/oidc"
)

// The URL rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
// ("The URL must begin with https://", no port, query or fragment) and
// the recorded answers in server/testdata/golden/oidc.golden.
func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		raw, key string
		err      error
	}{
		{"https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com", nil},
		{"https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", nil},
		{"https://example.com/", "example.com/", nil},
		{"https://Example.COM", "Example.COM", nil},
		{"https://192.0.2.1/issuer", "192.0.2.1/issuer", nil},
		{"https://[2001:db8::1]/p", "[2001:db8::1]/p", nil},
		{"https://a-b.c1", "a-b.c1", nil},

		{"example.com", "", oidc.ErrNotURL},
		{"https://", "", oidc.ErrNotURL},
		{"https:///path", "", oidc.ErrNotURL},
		{"", "", oidc.ErrNotURL},
		{"http://example.com", "", oidc.ErrNotHTTPS},
		{"HTTPS://example.com", "", oidc.ErrNotHTTPS},
		{"ftp://example.com", "", oidc.ErrNotHTTPS},
		{"https://example.com?x=1", "", oidc.ErrInvalidURL},
		{"https://example.com/#frag", "", oidc.ErrInvalidURL},
		{"https://exa mple.com", "", oidc.ErrInvalidURL},
		{"https://example.com\n", "", oidc.ErrInvalidURL},
		{"https://user@example.com", "", oidc.ErrInvalidURL},
		{"https://example.com:443", "", oidc.ErrInvalidURL},
		{"https://example.com:", "", oidc.ErrInvalidURL},
		{"https://exa_mple.com", "", oidc.ErrInvalidURL},
		{"https://-example.com", "", oidc.ErrInvalidURL},
		{"https://example-.com", "", oidc.ErrInvalidURL},
		{"https://example..com", "", oidc.ErrInvalidURL},
		{"https://" + strings.Repeat("a", 64) + ".com", "", oidc.ErrInvalidURL},
		{"https://" + strings.Repeat("a.", 127) + "ab", "", oidc.ErrInvalidURL},
		{"https://[fe80::1%25eth0]/", "", oidc.ErrInvalidURL},
		{"https://%zz", "", oidc.ErrInvalidURL},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			key, err := oidc.ParseURL(tc.raw)
			if err != tc.err || key != tc.key {
				t.Fatalf("= %q, %v; want %q, %v", key, err, tc.key, tc.err)
			}
		})
	}
}

func TestParseThumbprints(t *testing.T) {
	a, b := strings.Repeat("A", 40), strings.Repeat("0f", 20)
	got, err := oidc.ParseThumbprints([]string{a, b})
	if err != nil || !slices.Equal(got, []string{strings.Repeat("a", 40), b}) {
		t.Fatalf("= %q, %v", got, err)
	}
	if got, err := oidc.ParseThumbprints(nil); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("none = %#v, %v; want an empty list", got, err)
	}
	five := slices.Repeat([]string{b}, oidc.MaxThumbprints)
	if _, err := oidc.ParseThumbprints(five); err != nil {
		t.Fatalf("five: %v", err)
	}
	if _, err := oidc.ParseThumbprints(append(five, b)); err != oidc.ErrTooManyThumbprints {
		t.Fatalf("six: %v, want ErrTooManyThumbprints", err)
	}
}

// reference is ParseURL as iam had it before the package, with
// net.ParseIP: FuzzParseURL keeps the two in agreement.
func reference(raw string) (string, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		return "", oidc.ErrNotURL
	}
	if scheme != "https" {
		return "", oidc.ErrNotHTTPS
	}
	if strings.ContainsAny(raw, "?# \t\r\n") {
		return "", oidc.ErrInvalidURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", oidc.ErrInvalidURL
	}
	if u.User != nil || u.Port() != "" || strings.HasSuffix(u.Host, ":") {
		return "", oidc.ErrInvalidURL
	}
	h := u.Hostname()
	if net.ParseIP(h) != nil {
		return rest, nil
	}
	if h == "" || len(h) > 253 {
		return "", oidc.ErrInvalidURL
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", oidc.ErrInvalidURL
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return "", oidc.ErrInvalidURL
			}
		}
	}
	return rest, nil
}

// FuzzParseURL: an accepted URL is https and its key is the rest of
// it; every answer is the reference's.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"https://example.com", "https://token.actions.githubusercontent.com", "https://oidc.eks.us-east-1.amazonaws.com/id/ABC/", "http://x", "https://a:1", "https://[::1]/p", "https://exa_mple.com", "https://[fe80::1%25eth0]/", "https://1.2.3.4", "https://[::ffff:1.2.3.4]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		key, err := oidc.ParseURL(raw)
		if rk, rerr := reference(raw); key != rk || !errors.Is(err, rerr) {
			t.Fatalf("ParseURL(%q) = %q, %v; the reference says %q, %v", raw, key, err, rk, rerr)
		}
		if err != nil {
			return
		}
		if "https://"+key != raw || key == "" || strings.ContainsAny(key, "?# ") {
			t.Fatalf("%q accepted with key %q", raw, key)
		}
	})
}
