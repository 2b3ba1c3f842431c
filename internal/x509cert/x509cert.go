package x509cert

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors.
var (
	// ErrMalformed is text that is not what was asked for in PEM: not
	// PEM blocks of the right type, DER that does not parse, or not one
	// certificate where one is wanted.
	ErrMalformed = errors.New("x509cert: malformed PEM")
	// ErrExpired is a certificate whose Not After time has passed.
	ErrExpired = errors.New("x509cert: certificate has expired")
	// ErrNotYetValid is a certificate whose Not Before time is still to
	// come.
	ErrNotYetValid = errors.New("x509cert: certificate is not yet valid")
)

// ChainError is a chain in which a certificate did not sign the one
// before it.
type ChainError struct {
	// Index is the position in the chain of the certificate whose
	// signature the next one does not verify; -1 is the certificate the
	// chain is for, whose signer is not the chain's first.
	Index int
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("x509cert: the chain does not sign certificate %d", e.Index)
}

// Parse reads text that holds exactly one PEM certificate, read as
// ParseChain reads them.
func Parse(text string) (*x509.Certificate, error) {
	certs, err := parseAll(text)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("%w: %d certificates, want one", ErrMalformed, len(certs))
	}
	return certs[0], nil
}

// ParseChain reads a certificate chain: one or more PEM certificates,
// with nothing but white space between and after them. Lines before a
// block's BEGIN line are skipped, as encoding/pem skips them; text on
// the BEGIN line, any other block type and DER that does not parse are
// ErrMalformed.
func ParseChain(text string) ([]*x509.Certificate, error) {
	certs, err := parseAll(text)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w: no certificate", ErrMalformed)
	}
	return certs, nil
}

// parseAll reads a sequence of PEM certificates, none or more.
func parseAll(text string) ([]*x509.Certificate, error) {
	rest := []byte(strings.TrimSpace(text))
	var out []*x509.Certificate
	for len(bytes.TrimSpace(rest)) > 0 {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w: not a PEM certificate", ErrMalformed)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// CheckValidity reports whether c is valid at now: ErrExpired after its
// Not After time, ErrNotYetValid before its Not Before time, nil within
// them (both included).
func CheckValidity(c *x509.Certificate, now time.Time) error {
	if now.After(c.NotAfter) {
		return ErrExpired
	}
	if now.Before(c.NotBefore) {
		return ErrNotYetValid
	}
	return nil
}

// SigningKeySupported reports whether IAM takes c as a signing
// certificate: its key is RSA or ECDSA (Ed25519 and DSA are not).
func SigningKeySupported(c *x509.Certificate) bool {
	switch c.PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return true
	}
	return false
}

// VerifyChain checks that each certificate of chain signed the one
// before it, the first the certificate c, as a server certificate's
// chain must (the immediate signer first, then any intermediates in
// order). A break is a *ChainError.
func VerifyChain(c *x509.Certificate, chain []*x509.Certificate) error {
	prev := c
	for i, next := range chain {
		if prev.CheckSignatureFrom(next) != nil {
			return &ChainError{Index: i - 1}
		}
		prev = next
	}
	return nil
}

// ParsePrivateKey reads text that holds one unencrypted PEM private
// key, PKCS #1 ("RSA PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY") or PKCS #8
// ("PRIVATE KEY"), and nothing else but white space.
func ParsePrivateKey(text string) (crypto.Signer, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil || strings.TrimSpace(string(rest)) != "" {
		return nil, fmt.Errorf("%w: not one PEM block", ErrMalformed)
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM type %q is not a private key", ErrMalformed, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T is not a signing key", ErrMalformed, key)
	}
	return signer, nil
}

// ParseRSAPrivateKey reads the first PEM block of text as an
// unencrypted RSA private key, PKCS #1 ("RSA PRIVATE KEY") or PKCS #8
// ("PRIVATE KEY"): the kind that decrypts XML Encryption's key
// transport, as a SAML provider's assertion key must be. What follows
// the block is not read.
func ParseRSAPrivateKey(text string) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(text))
	if b == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrMalformed)
	}
	if b.Headers["Proc-Type"] != "" {
		return nil, fmt.Errorf("%w: the key is encrypted", ErrMalformed)
	}
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, fmt.Errorf("%w: %T is not an RSA key", ErrMalformed, k)
	}
	return nil, fmt.Errorf("%w: PEM type %q is not an RSA private key", ErrMalformed, b.Type)
}

// MatchesKey reports whether key is the private key of c's public key
// (RSA, ECDSA or Ed25519).
func MatchesKey(c *x509.Certificate, key crypto.Signer) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	switch k := key.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return k.(equaler).Equal(c.PublicKey)
	}
	return false
}
