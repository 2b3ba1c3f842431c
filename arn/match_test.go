package arn_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/arn"
)

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"*", "anything", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y.txt", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b", "arn:aws:s3:::B", false},
		{"arn:aws:iam::*:user/accounting/*", "arn:aws:iam::111122223333:user/accounting/bob", true},
		{"arn:aws:ec2:us-?ast-1:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
		{"arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a:b/x", false},
		{"arn:aws:s3:*", "arn:aws:s3:::b/key", true},
		{"arn:aws:dynamodb:*:table/prod-*", "arn:aws:dynamodb:us-east-1:111122223333:table/prod-orders", true},
		{"arn:aws:s3:::*", "*", false},
	}
	for _, tc := range tests {
		if got := arn.Match(tc.pattern, tc.value); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
func TestMatchFields(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", false},
		{"arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:123456789012:topic", true},
		{"arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true},
		{"arn:aws:sns:*", "arn:aws:sns:us-east-1:123456789012:topic", false},
	}
	for _, tc := range tests {
		if got := arn.MatchFields(tc.pattern, tc.value); got != tc.want {
			t.Errorf("MatchFields(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"https://*.example.com/*", "https://www.example.com/page", false, true},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"*", "", false, true},
		{"ABC*", "abcdef", true, true},
		{"ABC*", "abcdef", false, false},
		{"é?", "éx", false, true},
	}
	for _, tc := range tests {
		f := arn.Glob
		if tc.fold {
			f = arn.GlobFold
		}
		if got := f(tc.pattern, tc.s); got != tc.want {
			t.Errorf("glob(%q, %q, fold=%v) = %v", tc.pattern, tc.s, tc.fold, got)
		}
	}
	// Linear, not exponential.
	if arn.Glob(strings.Repeat("a*", 30)+"b", strings.Repeat("a", 5000)) {
		t.Error("matched")
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		arn.Match("arn:aws:iam::*:user/*", "arn:aws:iam::111122223333:user/x")
		arn.MatchFields("arn:aws:sns:*:1:*", "arn:aws:sns:us-east-1:1:t")
		arn.GlobFold("A*", "abc")
	})
	if n != 0 {
		t.Errorf("allocates %v", n)
	}
}

func refGlob(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, c := range pattern {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(s)
}

func FuzzGlob(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Add("*é*", "xéy")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8Valid(pattern) || !utf8Valid(s) {
			return
		}
		if got, want := arn.Glob(pattern, s), refGlob(pattern, s); got != want {
			t.Fatalf("Glob(%q, %q) = %v, reference %v", pattern, s, got, want)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
