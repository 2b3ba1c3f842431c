package policy

import (
	"strconv"
	"strings"
	"testing"
)

// TestRepeatedNames: a repeated member name is found, and reported at
// its second use, in objects small enough to scan and in objects large
// enough for a set (smallObject members and more); distinct names are
// not taken for repeated ones.
func TestRepeatedNames(t *testing.T) {
	keys := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = `"aws:k` + strconv.Itoa(i) + `":"x"`
		}
		return out
	}
	doc := func(members []string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{` +
			strings.Join(members, ",") + `}}}}`
	}
	for _, n := range []int{2, smallObject - 1, smallObject, smallObject + 1, 4 * smallObject} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			if _, err := Parse([]byte(doc(keys(n)))); err != nil {
				t.Fatalf("%d distinct names: %v", n, err)
			}
			for _, at := range []int{1, n / 2, n - 1} {
				members := keys(n)
				members[at] = `"aws:k0":"y"`
				_, err := Parse([]byte(doc(members)))
				pe, ok := err.(*Error)
				if !ok || pe.Message != msgSyntax {
					t.Fatalf("name repeated at %d: err = %v", at, err)
				}
				if got := PathString(pe.Path()); got != `Statement[0].Condition.StringEquals."aws:k0"` {
					t.Fatalf("name repeated at %d: path %q", at, got)
				}
			}
		})
	}
}

// textSize, which Tree.Check counts the text with, is PolicySize: white
// space (Unicode's too) not counted, an invalid byte one character.
func TestTextSize(t *testing.T) {
	for _, s := range []string{"", " \t\n", "{\"a\": 1}", "é😀\u00a0\u2003x", "\xff\xfe a\xe2\x82", "\xef\xbb\xbf{}"} {
		if got, want := textSize(s), PolicySize([]byte(s)); got != want {
			t.Errorf("textSize(%q) = %d, PolicySize %d", s, got, want)
		}
	}
}
