package oidc

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

// MaxThumbprints is the most thumbprints a provider has.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const MaxThumbprints = 5

// Errors.
var (
	// ErrNotURL is a provider URL without a scheme or a host part
	// ("example.com", "https://", "https:///path").
	ErrNotURL = errors.New("oidc: the provider URL is not a URL")
	// ErrNotHTTPS is a provider URL whose scheme is not https.
	ErrNotHTTPS = errors.New("oidc: the provider URL does not begin with https://")
	// ErrInvalidURL is an https URL that cannot name an issuer: with a
	// query, fragment, white space, user, port or a host that is
	// neither a DNS name nor an IP address.
	ErrInvalidURL = errors.New("oidc: invalid provider URL")
	// ErrTooManyThumbprints is a thumbprint list of more than
	// MaxThumbprints.
	ErrTooManyThumbprints = errors.New("oidc: too many thumbprints")
)

// ParseURL checks a provider URL and returns what names the provider:
// the URL without "https://", otherwise as given (a trailing slash or a
// different case makes another provider, as at AWS). The issuer must be
// https, without user, port, query or fragment.
func ParseURL(raw string) (string, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		return "", ErrNotURL
	}
	if scheme != "https" {
		return "", ErrNotHTTPS
	}
	if strings.ContainsAny(raw, "?# \t\r\n") {
		return "", ErrInvalidURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", ErrInvalidURL
	}
	if u.User != nil || u.Port() != "" || strings.HasSuffix(u.Host, ":") || !validHost(u.Hostname()) {
		return "", ErrInvalidURL
	}
	return rest, nil
}

// validHost reports whether h is an IP address without a zone or a DNS
// name of letters, digits and hyphens.
func validHost(h string) bool {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Zone() == ""
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// ParseThumbprints checks a thumbprint list (the length of each member,
// 40 hex digits of a SHA-1 digest, is the API model's to check) and
// returns it as IAM keeps it, lower-cased, in the order given.
func ParseThumbprints(list []string) ([]string, error) {
	if len(list) > MaxThumbprints {
		return nil, ErrTooManyThumbprints
	}
	out := make([]string, len(list))
	for i, tp := range list {
		out[i] = strings.ToLower(tp)
	}
	return out, nil
}
