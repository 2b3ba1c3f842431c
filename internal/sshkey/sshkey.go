package sshkey

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"

	"golang.org/x/crypto/ssh"
)

// MinRSABits is the smallest RSA modulus IAM takes.
const MinRSABits = 2048

// Errors.
var (
	// ErrUnrecognized is a key in an encoding or of an algorithm IAM
	// does not take: neither an OpenSSH ssh-rsa line nor a PEM RSA
	// public key.
	ErrUnrecognized = errors.New("sshkey: unrecognized public key encoding")
	// ErrMalformed is a body in one of those encodings that does not
	// decode.
	ErrMalformed = errors.New("sshkey: malformed public key")
	// ErrTooSmall is an RSA key of fewer than MinRSABits bits.
	ErrTooSmall = errors.New("sshkey: RSA key too small")
)

// Format is the encoding a key was read from.
type Format int

const (
	// OpenSSH is an authorized_keys line: "ssh-rsa AAAA... [comment]".
	OpenSSH Format = iota
	// PEM is a "PUBLIC KEY" (X.509 SubjectPublicKeyInfo) or
	// "RSA PUBLIC KEY" (PKCS #1) block.
	PEM
)

// PublicKey is an RSA public key IAM takes. The zero value is not a key;
// use Parse.
type PublicKey struct {
	key    ssh.PublicKey
	format Format
}

// Parse reads an uploaded key body: an OpenSSH ssh-rsa line, or a PEM
// RSA public key, with white space around it. Text after the one key is
// ErrMalformed.
func Parse(body string) (PublicKey, error) {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "-----BEGIN ") {
		return parsePEM(trimmed)
	}
	if kind, _, _ := strings.Cut(trimmed, " "); kind != ssh.KeyAlgoRSA {
		return PublicKey{}, ErrUnrecognized
	}
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(trimmed))
	if err != nil || strings.TrimSpace(string(rest)) != "" || pub.Type() != ssh.KeyAlgoRSA {
		return PublicKey{}, ErrMalformed
	}
	return checkSize(pub, OpenSSH)
}

func parsePEM(text string) (PublicKey, error) {
	block, rest := pem.Decode([]byte(text))
	if block == nil || strings.TrimSpace(string(rest)) != "" {
		return PublicKey{}, ErrMalformed
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return PublicKey{}, ErrUnrecognized
	}
	if err != nil {
		return PublicKey{}, ErrMalformed
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return PublicKey{}, ErrUnrecognized
	}
	pub, err := ssh.NewPublicKey(rk)
	if err != nil {
		return PublicKey{}, ErrMalformed
	}
	return checkSize(pub, PEM)
}

func checkSize(pub ssh.PublicKey, f Format) (PublicKey, error) {
	ck, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return PublicKey{}, ErrMalformed
	}
	rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey)
	if !ok || rk.N.BitLen() < MinRSABits {
		return PublicKey{}, ErrTooSmall
	}
	return PublicKey{key: pub, format: f}, nil
}

// Format is the encoding the key was read from.
func (k PublicKey) Format() Format { return k.format }

// Fingerprint is the MD5 digest of the key in SSH wire format as
// colon-separated hex, what `ssh-keygen -l -E md5` prints and IAM
// answers.
func (k PublicKey) Fingerprint() string { return ssh.FingerprintLegacyMD5(k.key) }

// OpenSSH is the key as an authorized_keys line without comment or
// final newline ("ssh-rsa AAAA...").
func (k PublicKey) OpenSSH() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.key)))
}

// PEM is the key as a PEM "PUBLIC KEY" block (X.509
// SubjectPublicKeyInfo), with its final newline.
func (k PublicKey) PEM() (string, error) {
	der, err := x509.MarshalPKIXPublicKey(k.key.(ssh.CryptoPublicKey).CryptoPublicKey())
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}
