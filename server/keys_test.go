package server_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Keys and certificates are generated here, never checked in.

var (
	rsaPoolMu sync.Mutex
	rsaPool   []*rsa.PrivateKey
)

// rsaKey returns the i-th 2048-bit test key, generated on first use.
func rsaKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	rsaPoolMu.Lock()
	defer rsaPoolMu.Unlock()
	for len(rsaPool) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		rsaPool = append(rsaPool, k)
	}
	return rsaPool[i]
}

func sshAuthorized(t *testing.T, pub crypto.PublicKey, comment string) string {
	t.Helper()
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
	if comment != "" {
		s += " " + comment
	}
	return s
}

func pemPKIX(t *testing.T, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func pemPrivate(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

type certSpec struct {
	cn                  string
	notBefore, notAfter time.Time
	ca                  bool
	parent              *x509.Certificate // nil: self-signed
	parentKey           crypto.Signer
}

// makeCert returns a certificate for key's public key, as PEM and parsed.
func makeCert(t *testing.T, key crypto.Signer, s certSpec) (string, *x509.Certificate) {
	t.Helper()
	if s.notBefore.IsZero() {
		s.notBefore = time.Now().Add(-time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: s.cn},
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		BasicConstraintsValid: true,
		IsCA:                  s.ca,
	}
	if s.ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	}
	parent, parentKey := tmpl, key
	if s.parent != nil {
		parent, parentKey = s.parent, s.parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), c
}

// selfSigned returns a new self-signed certificate (DER) for key.
func selfSigned(t *testing.T, key crypto.Signer, cn string) []byte {
	t.Helper()
	_, c := makeCert(t, key, certSpec{cn: cn})
	return c.Raw
}
