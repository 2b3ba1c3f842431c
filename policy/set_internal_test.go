package policy

import (
	"strings"
	"testing"
)

// FuzzLowerInto checks the eight-bytes-at-a-time lowering against
// strings.ToLower on ASCII (action names are ASCII; other bytes are
// left as they are).
func FuzzLowerInto(f *testing.F) {
	for _, s := range []string{"", "s3", "GetObject", "DescribeTransitGatewayMulticastDomainAssociations", "@[`{AZaz", "ABCDEFGH", "abcdefghI", "\x80\xc1\xda\xffA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf [64]byte
		got := lowerInto(buf[:], s)
		want := []byte(s)
		for i, c := range want {
			if 'A' <= c && c <= 'Z' {
				want[i] = c + 'a' - 'A'
			}
		}
		if len(s) > len(buf) {
			want = []byte(strings.ToLower(s))
		}
		if got != string(want) {
			t.Fatalf("lowerInto(%q) = %q, want %q", s, got, want)
		}
	})
}
