package policy

import (
	"regexp"

	"github.com/gatehouse/gatehouse/arn"
	"strings"
	"testing"
	"unicode/utf8"
)

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
// "You can use wildcard characters (* and ?) within the individual
// segments of an ARN ... If the * wildcard is the last character of a
// resource ARN segment, it can expand to match beyond the colon
// boundaries."
func TestARNPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"*", "anything at all", true},
		{"*", "*", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y.txt", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a:b", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::B", false}, // case-sensitive
		{"arn:aws:iam::*:user/accounting/*", "arn:aws:iam::111122223333:user/accounting/bob", true},
		{"arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", false},
		{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
		{"arn:aws:ec2:us-*-1:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
		{"arn:aws:ec2:us-?ast-1:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
		{"arn:aws:ec2:us-?-1:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", false},
		// A * inside a segment does not cross a colon.
		{"arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a:b/x", false},
		{"arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a/b/x", true},
		// A * ending a segment may run past colons.
		{"arn:aws:s3:*", "arn:aws:s3:::b/key", true},
		{"arn:aws:*", "arn:aws:iam::111122223333:user/x", true},
		{"arn:aws:logs:us-east-1:111122223333:log-group:/aws/*:log-stream:*", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:log-stream:s", true},
		{"arn:aws:logs:us-east-1:111122223333:log-group:/aws/*:log-stream:*", "arn:aws:logs:us-east-1:111122223333:log-group:/other:log-stream:s", false},
		{"arn:aws:s3:::b?", "arn:aws:s3:::bc", true},
		{"arn:aws:s3:::b?", "arn:aws:s3:::b", false},
		{"arn:aws:iam::111122223333:*", "arn:aws:iam::111122223333:user/a", true},
		{"arn:aws:iam::111122223333:user/*", "arn:aws:iam::444455556666:user/a", false},
		{"arn:aws:s3:::*", "*", false},
	}
	for _, tc := range tests {
		ap := compileARNPattern(tc.pattern, false)
		if got := ap.match(tc.value, nil); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
		if got := refARNMatch(tc.pattern, tc.value); got != tc.want {
			t.Errorf("reference match(%q, %q) = %v, want %v (the reference is wrong)", tc.pattern, tc.value, got, tc.want)
		}
	}
}

// refARNMatch is a slow reference: a * that ends a colon-separated
// segment (or the pattern) is ".*", any other * is "[^:]*", ? is "[^:]".
func refARNMatch(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			if i == len(pattern)-1 || pattern[i+1] == ':' {
				b.WriteString(".*")
			} else {
				b.WriteString("[^:]*")
			}
		case '?':
			b.WriteString("[^:]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(value)
}

func FuzzARNPattern(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/x")
	f.Add("arn:aws:*:*:*:x*", "arn:aws:s3:us:1:x:y")
	f.Add("a*:b?:*", "ab:bc:d:e")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if !isASCII(pattern) || !isASCII(value) || strings.Contains(pattern, "${") || strings.Count(value, ":") > 60 {
			return
		}
		ap := compileARNPattern(pattern, false)
		if got, want := ap.match(value, nil), refARNMatch(pattern, value); got != want {
			t.Fatalf("match(%q, %q) = %v, reference %v", pattern, value, got, want)
		}
		if got, want := ap.match(value, nil), arn.Match(pattern, value); got != want {
			t.Fatalf("match(%q, %q) = %v, arn.Match %v", pattern, value, got, want)
		}
		fp := compileARNFieldPattern(pattern, false)
		if got, want := fp.match(value, nil), arn.MatchFields(pattern, value); got != want {
			t.Fatalf("field match(%q, %q) = %v, arn.MatchFields %v", pattern, value, got, want)
		}
	})
}

func FuzzGlob(f *testing.F) {
	f.Add("https://*.example.com/*", "https://www.example.com/page")
	f.Add("a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaa")
	f.Add("?x*", "yx")
	f.Add("*??", "€")
	f.Add("a*?b", "a€b")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		// Any valid UTF-8: a ? is one character, never part of one.
		if !utf8.ValidString(pattern) || !utf8.ValidString(value) || strings.Contains(pattern, "${") {
			return
		}
		// arn.Glob is fuzzed against a regexp reference in package arn.
		p := compilePattern(pattern, true, false)
		if got, want := p.like(value, nil), arn.Glob(pattern, value); got != want {
			t.Fatalf("like(%q, %q) = %v, arn.Glob %v", pattern, value, got, want)
		}
	})
}

// TestGlobMultibyte: ? matches one character, also after a star that
// has to give some back (it once stepped back one byte, so "*??"
// matched the one character "€").
func TestGlobMultibyte(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		want           bool
	}{
		{"*??", "€", false},
		{"*?", "€", true},
		{"*??", "€€", true},
		{"a*?b", "a€b", true},
		{"a*??b", "a€b", false},
		{"*?x?", "€x€", true},
		{"*€?", "€€€", true},
	} {
		p := compilePattern(tc.pattern, true, false)
		if got := p.like(tc.value, nil); got != tc.want {
			t.Errorf("like(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
		if got := arn.Glob(tc.pattern, tc.value); got != tc.want {
			t.Errorf("arn.Glob(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestGlobIsLinear(t *testing.T) {
	p := compilePattern(strings.Repeat("a*", 30)+"b", true, false)
	v := strings.Repeat("a", 5000)
	if p.like(v, nil) {
		t.Fatal("matched")
	}
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestVariables(t *testing.T) {
	ctx := NewContext(map[string][]string{"aws:username": {"alice"}, "aws:PrincipalTag/team": {"blue"}, "aws:TagKeys": {"a", "b"}})
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", true},
		{"arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", false},
		{"arn:aws:s3:::home/${AWS:UserName}/*", "arn:aws:s3:::home/alice/x", true}, // keys are case-insensitive
		{"arn:aws:s3:::${aws:PrincipalTag/team}-*", "arn:aws:s3:::blue-data", true},
		{"arn:aws:s3:::home/${aws:userid}/*", "arn:aws:s3:::home/x/y", false},              // missing: no match
		{"arn:aws:s3:::home/${aws:userid, 'anon'}/*", "arn:aws:s3:::home/anon/y", true},    // default
		{"arn:aws:s3:::home/${aws:TagKeys}/*", "arn:aws:s3:::home/a/y", false},             // multi-valued: no match
		{"arn:aws:s3:::${*}/${?}/${$}", "arn:aws:s3:::*/?/$", true},                        // literal specials
		{"arn:aws:s3:::${*}", "arn:aws:s3:::x", false},                                     // ${*} is not a wildcard
		{"arn:aws:s3:::home/${aws:username/*", "arn:aws:s3:::home/${aws:username/x", true}, // unterminated: literal
		{"arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/alice", true},             // no wildcard
		{"arn:aws:s3:::home/${aws:username, 'x'}", "arn:aws:s3:::home/alice", true},        // default unused
		{"arn:aws:s3:::home/${aws:nothere,'d'}", "arn:aws:s3:::home/d", true},              // no space
		{"arn:aws:s3:::home/${aws:nothere, 'd'}*", "arn:aws:s3:::home/dz", true},           // default then glob
		{"arn:aws:s3:::home/${aws:username}-${aws:PrincipalTag/team}", "arn:aws:s3:::home/alice-blue", true},
	}
	for _, tc := range tests {
		ap := compileARNPattern(tc.pattern, true)
		if got := ap.match(tc.value, ctx); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
	// In a 2008-10-17 document a variable is literal text.
	lit := compileARNPattern("arn:aws:s3:::home/${aws:username}/*", false)
	if !lit.match("arn:aws:s3:::home/${aws:username}/x", ctx) || lit.match("arn:aws:s3:::home/alice/x", ctx) {
		t.Error("variable not literal without 2012-10-17")
	}
}

// TestManyVariables checks a pattern with more variables than are
// resolved on the stack (maxVars): the rest are looked up as they come.
func TestManyVariables(t *testing.T) {
	ctx := NewContext(map[string][]string{"aws:username": {"alice"}, "aws:PrincipalTag/team": {"blue"}})
	var pat, val strings.Builder
	pat.WriteString("arn:aws:s3:::")
	val.WriteString("arn:aws:s3:::")
	for i := 0; i < maxVars+3; i++ {
		if i%2 == 0 {
			pat.WriteString("${aws:username}/")
			val.WriteString("alice/")
		} else {
			pat.WriteString("${aws:PrincipalTag/team, 'x'}-${aws:userid, 'anon'}/")
			val.WriteString("blue-anon/")
		}
	}
	pat.WriteString("*")
	ap := compileARNPattern(pat.String(), true)
	if ap.vx == nil || len(ap.vx.toks) <= maxVars {
		t.Fatal("too few variables")
	}
	if !ap.match(val.String()+"x", ctx) {
		t.Errorf("%s does not match %s", pat.String(), val.String()+"x")
	}
	if ap.match(strings.Replace(val.String(), "blue-anon", "blue-bob", 1)+"x", ctx) {
		t.Error("matched with a wrong default")
	}
	eq := compilePattern(strings.TrimSuffix(pat.String(), "*"), false, true)
	if !eq.equal(val.String(), ctx, false) || eq.equal(val.String()+"x", ctx, false) {
		t.Error("equal with many variables")
	}
}
