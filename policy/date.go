package policy

import (
	"math"
	"time"
)

// Dates in Date conditions, as IAM reads them.
//
// The condition operators page asks for "one of the W3C implementations of
// the ISO 8601 date formats" (YYYY, YYYY-MM, YYYY-MM-DD,
// YYYY-MM-DDThh:mmTZD, YYYY-MM-DDThh:mm:ssTZD, YYYY-MM-DDThh:mm:ss.sTZD)
// "or in epoch (UNIX) time".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
//
// IAM's policy parser is more lenient than that and stricter in places;
// the documents moto recorded against IAM show where (tests/test_iam/
// test_iam_policies.py in getmoto/moto): accepted are "01T",
// "2016-12-13t2:00:00.593194+23", "-292275054" and
// "2016-12-13T21:20:37.593194+00:00"; rejected ("The policy failed legacy
// parsing") are "234-13" (month 13), "2016-12-13t2:00:00.593194+1" (a
// one-digit zone), a fraction of ten digits and "9223372036854775808"
// (more than an int64 of epoch seconds). A value with neither "T" nor "-"
// is a count of epoch seconds; anything else is an ISO 8601 date.

// Year bounds of IAM's date parser (those of a Java millisecond instant).
const (
	minPolicyYear = -292275054
	maxPolicyYear = 292278993
)

// policyDate parses a Date condition value as IAM does; ok is false
// where IAM answers "The policy failed legacy parsing".
func policyDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	iso := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 't' || c == 'T' || c == '-' {
			iso = true
			break
		}
	}
	if !iso {
		n, ok := epochSeconds(s)
		if !ok {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	return parseISODate(s)
}

// epochSeconds reads a non-negative count of seconds that fits an int64,
// without the error value (and its allocation) of strconv on failure.
func epochSeconds(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// parseISODate reads [-]Y[-M[-D]][T[h[:m[:s[.f]]][zone]]], zone being Z,
// +hh, +hh:mm, -hh or -hh:mm.
func parseISODate(s string) (time.Time, bool) {
	sc := dateScanner{s: s}
	neg := sc.eat('-')
	year, ok := sc.int(10)
	if !ok {
		return time.Time{}, false
	}
	if neg {
		year = -year
	}
	if year < minPolicyYear || year > maxPolicyYear {
		return time.Time{}, false
	}
	month, day := 1, 1
	if sc.eat('-') {
		if month, ok = sc.int(2); !ok || month < 1 || month > 12 {
			return time.Time{}, false
		}
		if sc.eat('-') {
			if day, ok = sc.int(2); !ok || day < 1 || day > 31 {
				return time.Time{}, false
			}
		}
	}
	var hour, min, sec, nsec, offset int
	if sc.eat('T') || sc.eat('t') {
		if !sc.done() {
			if hour, ok = sc.int(2); !ok || hour > 23 {
				return time.Time{}, false
			}
			if sc.eat(':') {
				if min, ok = sc.int(2); !ok || min > 59 {
					return time.Time{}, false
				}
				if sc.eat(':') {
					if sec, ok = sc.int(2); !ok || sec > 59 {
						return time.Time{}, false
					}
					if sc.eat('.') {
						start := sc.i
						f, ok := sc.int(9)
						if !ok {
							return time.Time{}, false
						}
						nsec = f * int(math.Pow10(9-(sc.i-start)))
					}
				}
			}
			if offset, ok = sc.zone(); !ok {
				return time.Time{}, false
			}
		}
	}
	if !sc.done() {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

type dateScanner struct {
	s string
	i int
}

func (sc *dateScanner) done() bool { return sc.i == len(sc.s) }

func (sc *dateScanner) eat(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// int reads 1 to max digits.
func (sc *dateScanner) int(max int) (int, bool) {
	n, start := 0, sc.i
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		if sc.i-start == max {
			return 0, false
		}
		n = n*10 + int(sc.s[sc.i]-'0')
		sc.i++
	}
	return n, sc.i > start
}

// zone reads an optional time zone designator and returns its offset
// from UTC in seconds.
func (sc *dateScanner) zone() (int, bool) {
	if sc.done() || sc.eat('Z') || sc.eat('z') {
		return 0, true
	}
	sign := 1
	switch {
	case sc.eat('+'):
	case sc.eat('-'):
		sign = -1
	default:
		return 0, false
	}
	two := func() (int, bool) {
		if len(sc.s)-sc.i < 2 {
			return 0, false
		}
		start := sc.i
		n, ok := sc.int(2)
		return n, ok && sc.i-start == 2
	}
	h, ok := two()
	if !ok || h > 23 {
		return 0, false
	}
	m := 0
	if sc.eat(':') {
		if m, ok = two(); !ok || m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}
