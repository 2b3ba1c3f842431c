package policy

import (
	"testing"
	"time"
)

// The date forms of Date conditions. The page asks for the W3C profile of
// ISO 8601 or epoch seconds:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
// https://www.w3.org/TR/NOTE-datetime
// and IAM's parser takes (or refuses, "The policy failed legacy parsing")
// the forms moto recorded against it (tests/test_iam/test_iam_policies.py).
func TestPolicyDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		ok   bool
		want time.Time
	}{
		// W3C forms.
		{"1997", true, time.Unix(1997, 0).UTC()}, // no "-" or "T": IAM reads epoch seconds
		{"1997-07", true, utc(1997, 7, 1, 0, 0, 0, 0)},
		{"1997-07-16", true, utc(1997, 7, 16, 0, 0, 0, 0)},
		{"1997-07-16T19:20+01:00", true, utc(1997, 7, 16, 18, 20, 0, 0)},
		{"1997-07-16T19:20:30+01:00", true, utc(1997, 7, 16, 18, 20, 30, 0)},
		{"1997-07-16T19:20:30.45+01:00", true, utc(1997, 7, 16, 18, 20, 30, 450000000)},
		{"1997-07-16T19:20:30.45-05:30", true, utc(1997, 7, 17, 0, 50, 30, 450000000)},
		{"2017-07-01T00:00:00Z", true, utc(2017, 7, 1, 0, 0, 0, 0)},
		{"1700000000", true, time.Unix(1700000000, 0).UTC()},
		// Recorded as accepted.
		{"01T", true, utc(1, 1, 1, 0, 0, 0, 0)},
		{"2016-12-13t2:00:00.593194+23", true, utc(2016, 12, 12, 3, 0, 0, 593194000)},
		{"2016-12-13T21:20:37.593194+00:00", true, utc(2016, 12, 13, 21, 20, 37, 593194000)},
		{"-292275054", true, utc(-292275054, 1, 1, 0, 0, 0, 0)},
		{"2019-07-01T13:20:15Z", true, utc(2019, 7, 1, 13, 20, 15, 0)},
		// Recorded as refused.
		{"sdfdsf", false, time.Time{}},
		{"234-13", false, time.Time{}},
		{"2016-12-13t2:00:00.593194+1", false, time.Time{}},
		{"2016-12-13t2:00:00.1999999999+10:59", false, time.Time{}},
		{"9223372036854775808", false, time.Time{}},
		// Refused by the same grammar.
		{"", false, time.Time{}},
		{"yesterday", false, time.Time{}},
		{"2019-00-01", false, time.Time{}},
		{"2019-01-32", false, time.Time{}},
		{"2019-01-01T24:00", false, time.Time{}},
		{"2019-01-01T10:60", false, time.Time{}},
		{"2019-01-01T10:00:60", false, time.Time{}},
		{"2019-01-01T10:00:00+2400", false, time.Time{}},
		{"2019-01-01 10:00:00", false, time.Time{}},
		{"1.5", false, time.Time{}},
		{"2019-", false, time.Time{}},
	}
	for _, tc := range tests {
		got, ok := policyDate(tc.in)
		if ok != tc.ok || ok && !got.Equal(tc.want) {
			t.Errorf("policyDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		// Every form a policy may hold is a request value too.
		if tc.ok {
			if got2, ok := parseDate(tc.in); !ok || !got2.Equal(tc.want) {
				t.Errorf("parseDate(%q) = %v, %v; want %v", tc.in, got2, ok, tc.want)
			}
		}
	}
	// Request values keep the other forms they had (fractional epochs,
	// the basic format).
	for _, s := range []string{"1700000000.5", "20060102T150405Z"} {
		if _, ok := parseDate(s); !ok {
			t.Errorf("parseDate(%q) refused", s)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		policyDate("2016-12-13T21:20:37.593194+05:00")
		policyDate("99999999999999999999")
	}); n != 0 {
		t.Errorf("policyDate allocates %v times", n)
	}
}
