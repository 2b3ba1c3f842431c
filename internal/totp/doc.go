// Package totp computes and checks time-based one-time passwords as
// RFC 6238 defines them for authenticator apps and AWS virtual MFA
// devices: HMAC-SHA1 (RFC 4226 HOTP) over 30-second time steps, six
// digits. It is pure: the time is always an argument.
package totp
