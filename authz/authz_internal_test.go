package authz

import (
	"strings"
	"testing"
)

// FuzzARNAccount checks the eight-bytes-at-a-time account field against
// strings.SplitN.
func FuzzARNAccount(f *testing.F) {
	for _, s := range []string{"", "*", "arn:aws:s3:::data/x", "arn:aws:iam::111122223333:role/Target",
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd", "arn:aws:s3:::b/a:b:c", "a:b:c:d", ":::::", "arn:;:;;:1:;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := ""
		if p := strings.SplitN(s, ":", 6); len(p) == 6 {
			want = p[4]
		}
		if got := arnAccount(s); got != want {
			t.Fatalf("arnAccount(%q) = %q, want %q", s, got, want)
		}
	})
}
