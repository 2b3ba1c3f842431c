package awsapi_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi"
)

// TestTextWellFormed: every response is well-formed XML 1.0 whatever
// the input echoed into it. Characters XML 1.0 forbids
// (https://www.w3.org/TR/xml/#charsets: Char ::= #x9 | #xA | #xD |
// [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]) and bytes that
// are not UTF-8 become U+FFFD, one each. They are not written as
// character references: &#x0; is not well-formed either, and the &#x7;
// that AWS S3 writes is what botocore and the Java SDK fail on
// (https://github.com/boto/botocore/issues/3496,
// https://github.com/aws/aws-sdk-java/issues/3112).
func TestTextWellFormed(t *testing.T) {
	for _, tc := range []struct{ name, in, want, parsed string }{
		{"plain", "bob", "bob", "bob"},
		{"markup", `<a&'">`, "&lt;a&amp;&apos;&quot;&gt;", `<a&'">`},
		{"NUL", "a\x00b", "a\uFFFDb", "a\uFFFDb"},
		{"controls", "\x01\x08\x0b\x0c\x1f", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"tab, LF and CR are characters", "a\tb\nc\rd", "a\tb\nc&#xD;d", "a\tb\nc\rd"},
		{"DEL is a character", "a\x7fb", "a\x7fb", "a\x7fb"},
		{"invalid UTF-8, one U+FFFD per byte", "a\xff\xfeb", "a\uFFFD\uFFFDb", "a\uFFFD\uFFFDb"},
		{"truncated sequence", "a\xe2\x82", "a\uFFFD\uFFFD", "a\uFFFD\uFFFD"},
		{"encoded lone surrogate", "a\xed\xa0\x80b", "a\uFFFD\uFFFD\uFFFDb", "a\uFFFD\uFFFD\uFFFDb"},
		{"U+FFFE and U+FFFF", "a\uFFFE\uFFFFb", "a\uFFFD\uFFFDb", "a\uFFFD\uFFFDb"},
		{"U+FFFD itself", "\uFFFD", "\uFFFD", "\uFFFD"},
		{"astral and BMP characters", "é€😀\uE000\uFFFC", "é€😀\uE000\uFFFC", "é€😀\uE000\uFFFC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			awsapi.XMLWriter{B: &b}.Text(tc.in)
			if b.String() != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, b.String(), tc.want)
			}
			msg := parseError(t, errorXML(tc.in))
			if msg != tc.parsed {
				t.Errorf("parsed message = %q, want %q", msg, tc.parsed)
			}
		})
	}
}

// FuzzWriteError: whatever a message holds, the error envelope parses
// with encoding/xml (which checks every character against XML 1.0) and
// the message reads back as the input with each character XML cannot
// carry replaced by U+FFFD.
// Run: go test ./awsapi -run '^$' -fuzz FuzzWriteError
func FuzzWriteError(f *testing.F) {
	for _, s := range []string{"", "bob", "a\x00b", "\x01\x7f", "\xed\xa0\x80", "\uFFFE", "\xff", "<&>", "\r\n", "]]>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := parseError(t, errorXML(s)), sanitized(s); got != want {
			t.Fatalf("message %q read back as %q, want %q", s, got, want)
		}
	})
}

// FuzzWriteResponse: the same for a result, whose values (tag values,
// paths, names) are echoed from the input.
func FuzzWriteResponse(f *testing.F) {
	f.Add("value", "/path/")
	f.Add("\x00", "\xff\xfe")
	f.Fuzz(func(t *testing.T, a, b string) {
		var buf bytes.Buffer
		awsapi.WriteResponse(&buf, "ListUserTags", "https://iam.amazonaws.com/doc/2010-05-08/", "req-1", func(w awsapi.XMLWriter) {
			w.Start("Tags")
			w.Start("member")
			w.Elem("Key", a)
			w.Elem("Value", b)
			w.End("member")
			w.End("Tags")
		})
		texts := parse(t, buf.Bytes())
		if texts["Key"] != sanitized(a) || texts["Value"] != sanitized(b) {
			t.Fatalf("read back %q, %q from %q, %q", texts["Key"], texts["Value"], a, b)
		}
	})
}

func errorXML(msg string) []byte {
	var b bytes.Buffer
	awsapi.WriteError(&b, "https://iam.amazonaws.com/doc/2010-05-08/", "req-1", awsapi.ValidationError(msg))
	return b.Bytes()
}

func parseError(t *testing.T, doc []byte) string {
	t.Helper()
	return parse(t, doc)["Message"]
}

// parse reads doc with a strict encoding/xml decoder and returns the
// text of each element.
func parse(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	texts := map[string]string{}
	var open string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return texts
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%q", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			open = tok.Name.Local
		case xml.CharData:
			texts[open] += string(tok)
		}
	}
}

// sanitized is s with each character XML 1.0 does not allow, and each
// byte that is not UTF-8, replaced by U+FFFD.
func sanitized(s string) string {
	var b strings.Builder
	for _, r := range s { // an invalid byte ranges as U+FFFD
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 {
			b.WriteRune(r)
		} else {
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}
