package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseValue checks that the pre-screens of parseValue never skip a
// string that strconv.ParseFloat or netip.ParseAddr would accept.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"1", "-1.5e3", "+Inf", "nan", "infinity", "0x1p-2", ".5", "10.0.0.1", "::1", "fe80::1%eth0", "2001:db8::/32", "arn:aws:iam::1:user/x", "true", "2026-11-24T12:00:00Z", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := strconv.ParseFloat(s, 64); err == nil && !mayBeFloat(s) {
			t.Fatalf("mayBeFloat(%q) = false, but ParseFloat accepts it", s)
		}
		if _, err := netip.ParseAddr(s); err == nil && !mayBeIP(s) {
			t.Fatalf("mayBeIP(%q) = false, but ParseAddr accepts it", s)
		}
	})
}

// TestSetAllocs keeps setting a context value that is neither number,
// date nor address free of failed-parse garbage: one entry, one value
// slice.
func TestSetAllocs(t *testing.T) {
	c := NewContext(nil)
	n := testing.AllocsPerRun(100, func() {
		c.Set("aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice")
	})
	if n > 3 {
		t.Fatalf("Set allocates %v times, want at most 3 (entry, values, lower-cased key)", n)
	}
}

// TestLowerKey checks the spelled-out lower-case keys against
// strings.ToLower.
func TestLowerKey(t *testing.T) {
	for _, k := range []string{"aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport", "aws:SourceIp", "aws:RequestedRegion",
		"aws:PrincipalIsAWSService", "aws:ViaAWSService", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType",
		"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TagKeys", "aws:PrincipalOrgID", "aws:PrincipalServiceName",
		"aws:TokenIssueTime", "iam:PermissionsBoundary", "iam:PolicyARN", "iam:PassedToService", "aws:RequestTag/Team", "s3:prefix"} {
		if got, want := lowerKey(k), strings.ToLower(k); got != want {
			t.Errorf("lowerKey(%q) = %q, want %q", k, got, want)
		}
	}
}
