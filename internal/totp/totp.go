package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"time"
)

// Parameters of the codes AWS virtual MFA devices emit.
const (
	// Period is the length of a time step (RFC 6238 X).
	Period = 30 * time.Second
	// Digits is the number of digits of a code.
	Digits = 6
)

// Step returns the time step t falls in: the whole periods since the
// Unix epoch (RFC 6238 T with T0 = 0).
func Step(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - int64(Period/time.Second) + 1) / int64(Period/time.Second)
	}
	return s / int64(Period/time.Second)
}

// Code returns the six-digit code of key for a time step.
func Code(key []byte, step int64) string { return HOTP(key, uint64(step), Digits) }

// HOTP returns the RFC 4226 one-time password of key for counter, with
// digits digits (1 to 9), zero-padded.
func HOTP(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	// Dynamic truncation (RFC 4226 section 5.3).
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	v := bin % mod
	out := make([]byte, digits)
	for i := digits - 1; i >= 0; i-- {
		out[i] = byte('0' + v%10)
		v /= 10
	}
	return string(out)
}

// Consecutive looks for two codes of consecutive time steps, code1 for
// step s and code2 for step s+1, with s at most window steps away from
// the step of now and later than after (the last step already used, so
// that no code is accepted twice). It returns s+1, the new last step.
func Consecutive(key []byte, code1, code2 string, now time.Time, window, after int64) (int64, bool) {
	cur := Step(now)
	for s := cur - window; s <= cur+window; s++ {
		if s <= after {
			continue
		}
		if equal(Code(key, s), code1) && equal(Code(key, s+1), code2) {
			return s + 1, true
		}
	}
	return 0, false
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
