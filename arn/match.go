package arn

import (
	"strings"
	"unicode/utf8"
)

// Match reports whether value matches pattern as the Resource element of
// an IAM policy matches a resource ARN: * (any run) and ? (one character)
// stay within the colon-separated segments of the ARN, except that a *
// ending a segment may run past colons; "*" alone matches anything. Matching
// is case-sensitive and does not allocate.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
func Match(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == value
	}
	var bounds [64]int // value offsets where a segment may start
	nb := 1
	for i := 0; i < len(value) && nb < len(bounds); i++ {
		if value[i] == ':' {
			bounds[nb] = i + 1
			nb++
		}
	}
	mask := uint64(1)
	for rest := pattern; ; {
		seg, more := rest, false
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			seg, rest, more = rest[:i], rest[i+1:], true
		}
		tail := strings.HasSuffix(seg, "*")
		var next uint64
		for bi := 0; bi < nb; bi++ {
			if mask&(1<<bi) == 0 {
				continue
			}
			p, end := bounds[bi], len(value)
			if bi+1 < nb {
				end = bounds[bi+1] - 1
			}
			if !Glob(seg, value[p:end]) {
				continue
			}
			switch {
			case !more:
				if tail || end == len(value) {
					return true
				}
			case end == len(value):
			case tail:
				next |= ^uint64(0) << (bi + 1)
			default:
				next |= 1 << (bi + 1)
			}
		}
		if nb < 64 {
			next &= 1<<nb - 1
		}
		if !more || next == 0 {
			return false
		}
		mask = next
	}
}

// MatchFields reports whether value matches pattern as the Arn* condition
// operators match: each of the six colon-separated fields separately (the
// last being all that follows the fifth colon), with * and ? within a
// field.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
func MatchFields(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == value
	}
	ps, ok1 := Split(pattern)
	vs, ok2 := Split(value)
	if !ok1 || !ok2 {
		return false
	}
	for i := range ps {
		if !Glob(ps[i], vs[i]) {
			return false
		}
	}
	return true
}

// Glob reports whether s matches pattern, where * matches any run of
// characters (also none) and ? exactly one. It is case-sensitive, runs in
// O(len(pattern)·len(s)) and does not allocate.
func Glob(pattern, s string) bool { return glob(pattern, s, false) }

// GlobFold is Glob with case-insensitive comparison (simple Unicode
// folding, as strings.EqualFold).
func GlobFold(pattern, s string) bool { return glob(pattern, s, true) }

func glob(pattern, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for {
		if pi < len(pattern) {
			switch c := pattern[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					pi++
					continue
				}
			default:
				if si < len(s) {
					pr, pw := utf8.DecodeRuneInString(pattern[pi:])
					sr, sw := utf8.DecodeRuneInString(s[si:])
					if pr == sr || fold && strings.EqualFold(pattern[pi:pi+pw], s[si:si+sw]) {
						pi += pw
						si += sw
						continue
					}
				}
			}
		} else if si == len(s) {
			return true
		}
		if starP < 0 || starS >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		pi, si = starP+1, starS
	}
}
