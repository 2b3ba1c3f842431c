package policy

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
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
		t.Fatalf("Set allocates %v times, want at most 3 (entry, values, chunk)", n)
	}
}

// TestKnownKeys checks that the slot table is sorted and holds every
// global condition key of the catalog without a variable part, and that
// a key finds its slot in any case, by Unicode case folding too.
func TestKnownKeys(t *testing.T) {
	if !slices.IsSorted(knownKeys[:]) {
		t.Fatal("knownKeys is not sorted")
	}
	for _, k := range catalog.Default().GlobalConditionKeys() {
		if k.Prefix != "" {
			continue
		}
		if slot, lkey := keyOf(k.Name); slot == 0 || lkey != strings.ToLower(k.Name) {
			t.Errorf("global key %s: slot %d, lower %q", k.Name, slot, lkey)
		}
	}
	for _, k := range []string{"aws:SourceIp", "AWS:SOURCEIP", "aws:sourceip", "aws:Tag\u212Aeys", "iam:PolicyARN", "aws:RequestTag/Team", "s3:prefix", "S3:Prefix", "aws:sourceipx", "aws:sourc"} {
		slot, lkey := keyOf(k)
		if want := strings.ToLower(k); lkey != want {
			t.Errorf("keyOf(%q) lower = %q, want %q", k, lkey, want)
		}
		if known := slices.Contains(knownKeys[:], strings.ToLower(k)); known != (slot != 0) {
			t.Errorf("keyOf(%q) slot = %d, known %v", k, slot, known)
		}
	}
	c := NewContext(map[string][]string{"aws:SOURCEIP": {"10.0.0.1"}, "S3:Prefix": {"home/"}})
	if !c.Has("aws:SourceIp") || !c.Has("s3:prefix") || len(c.Keys()) != 2 {
		t.Fatalf("keys %v", c.Keys())
	}
	d := c.Clone()
	d.Delete("Aws:SourceIP")
	d.Delete("s3:PREFIX")
	if d.Has("aws:sourceip") || d.Has("s3:prefix") || !c.Has("aws:sourceip") || !c.Has("s3:prefix") {
		t.Fatalf("clone keys %v, original %v", d.Keys(), c.Keys())
	}
	c.Reset()
	if c.Has("aws:sourceip") || c.Has("s3:prefix") {
		t.Fatalf("after Reset: %v", c.Keys())
	}
}
