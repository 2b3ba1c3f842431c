package totp_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/totp"
)

var rfcKey = []byte("12345678901234567890")

// TestRFC4226 checks the HOTP test values of RFC 4226 Appendix D.
func TestRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for i, w := range want {
		if got := totp.HOTP(rfcKey, uint64(i), 6); got != w {
			t.Errorf("HOTP(count %d) = %s, want %s", i, got, w)
		}
	}
}

// TestRFC6238 checks the SHA-1 test vectors of RFC 6238 Appendix B
// (eight digits, 30-second steps), and that six-digit codes are their
// last six digits.
func TestRFC6238(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		step string // T in hex, as the RFC prints it
		code string
	}{
		{59, "0000000000000001", "94287082"},
		{1111111109, "00000000023523EC", "07081804"},
		{1111111111, "00000000023523ED", "14050471"},
		{1234567890, "000000000273EF07", "89005924"},
		{2000000000, "0000000003F940AA", "69279037"},
		{20000000000, "0000000027BC86AA", "65353130"},
	} {
		t.Run(strconv.FormatInt(tc.unix, 10), func(t *testing.T) {
			step := totp.Step(time.Unix(tc.unix, 0))
			if want, _ := strconv.ParseInt(tc.step, 16, 64); step != want {
				t.Fatalf("Step = %X, want %s", step, tc.step)
			}
			if got := totp.HOTP(rfcKey, uint64(step), 8); got != tc.code {
				t.Errorf("code = %s, want %s", got, tc.code)
			}
			if got := totp.Code(rfcKey, step); got != tc.code[2:] {
				t.Errorf("six-digit code = %s, want %s", got, tc.code[2:])
			}
		})
	}
}

func TestConsecutive(t *testing.T) {
	now := time.Unix(1234567890, 0)
	s := totp.Step(now)
	code := func(step int64) string { return totp.Code(rfcKey, step) }
	for _, tc := range []struct {
		name         string
		code1, code2 string
		after        int64
		want         int64
		ok           bool
	}{
		{"current and next", code(s), code(s + 1), 0, s + 1, true},
		{"previous and current", code(s - 1), code(s), 0, s, true},
		{"edge of the window", code(s - 2), code(s - 1), 0, s - 1, true},
		{"outside the window", code(s - 3), code(s - 2), 0, 0, false},
		{"swapped", code(s + 1), code(s), 0, 0, false},
		{"not consecutive", code(s), code(s + 2), 0, 0, false},
		{"same code twice", code(s), code(s), 0, 0, false},
		{"step already used", code(s), code(s + 1), s, 0, false},
		{"later than the last step", code(s), code(s + 1), s - 1, s + 1, true},
		{"wrong digits", "000000", "000000", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := totp.Consecutive(rfcKey, tc.code1, tc.code2, now, 2, tc.after)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("Consecutive = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestStepBeforeEpoch(t *testing.T) {
	if got := totp.Step(time.Unix(-1, 0)); got != -1 {
		t.Fatalf("Step(-1s) = %d, want -1", got)
	}
	if got := totp.Step(time.Unix(-30, 0)); got != -1 {
		t.Fatalf("Step(-30s) = %d, want -1", got)
	}
	if got := totp.Step(time.Unix(-31, 0)); got != -2 {
		t.Fatalf("Step(-31s) = %d, want -2", got)
	}
}
