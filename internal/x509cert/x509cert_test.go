package x509cert_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/x509cert"
)

// now is the clock of every test: certificates are valid a day either
// side of it unless a test says otherwise.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rsaKey is one 2048-bit key for the whole test binary (generating it
// is slow).
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

type spec struct {
	cn                  string
	notBefore, notAfter time.Time
	ca                  bool
	parent              *x509.Certificate // nil: self-signed
	parentKey           crypto.Signer
}

// makeCert returns a certificate for key's public key, as PEM and parsed.
func makeCert(t testing.TB, key crypto.Signer, s spec) (string, *x509.Certificate) {
	t.Helper()
	if s.notBefore.IsZero() {
		s.notBefore = now.Add(-24 * time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = now.Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: s.cn},
		NotBefore: s.notBefore, NotAfter: s.notAfter, BasicConstraintsValid: true, IsCA: s.ca,
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

func pemBlock(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func pkcs8(t testing.TB, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("PRIVATE KEY", der)
}

func TestParse(t *testing.T) {
	one, c := makeCert(t, ecKey(t), spec{cn: "one"})
	two, _ := makeCert(t, ecKey(t), spec{cn: "two"})
	for _, tc := range []struct {
		name, text string
		ok         bool
	}{
		{"one", one, true},
		{"white space around", "\n\t " + one + "\n\n", true},
		{"without the final newline", strings.TrimSpace(one), true},
		{"two", one + two, false},
		{"empty", "", false},
		{"white space", " \n", false},
		{"not PEM", "hello", false},
		{"text after", one + "trailer", false},
		{"a line before", "issued by the test\n" + one, true},
		{"text before on the BEGIN line", "x" + one, false},
		{"another block type", strings.ReplaceAll(one, "CERTIFICATE", "PUBLIC KEY"), false},
		{"bad DER", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := x509cert.Parse(tc.text)
			if !tc.ok {
				if !errors.Is(err, x509cert.ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil || !got.Equal(c) {
				t.Fatalf("= %v, %v", got, err)
			}
		})
	}
}

func TestParseChain(t *testing.T) {
	a, ca := makeCert(t, ecKey(t), spec{cn: "a"})
	b, cb := makeCert(t, ecKey(t), spec{cn: "b"})
	got, err := x509cert.ParseChain(a + "\n \n" + b)
	if err != nil || len(got) != 2 || !got[0].Equal(ca) || !got[1].Equal(cb) {
		t.Fatalf("= %v, %v", got, err)
	}
	if got, err := x509cert.ParseChain(a); err != nil || len(got) != 1 || !got[0].Equal(ca) {
		t.Fatalf("one = %v, %v", got, err)
	}
	for _, bad := range []string{"", "  \n", a + "x" + b, a + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"} {
		if _, err := x509cert.ParseChain(bad); !errors.Is(err, x509cert.ErrMalformed) {
			t.Errorf("ParseChain(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestCheckValidity(t *testing.T) {
	_, c := makeCert(t, ecKey(t), spec{cn: "c", notBefore: now, notAfter: now.Add(time.Hour)})
	for _, tc := range []struct {
		name string
		at   time.Time
		want error
	}{
		{"at Not Before", now, nil},
		{"within", now.Add(time.Minute), nil},
		{"at Not After", now.Add(time.Hour), nil},
		{"a second before", now.Add(-time.Second), x509cert.ErrNotYetValid},
		{"a second after", now.Add(time.Hour + time.Second), x509cert.ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := x509cert.CheckValidity(c, tc.at); err != tc.want {
				t.Fatalf("= %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSigningKeySupported(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		want bool
	}{
		{"RSA", rsaKey(), true},
		{"ECDSA", ecKey(t), true},
		{"Ed25519", edKey, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := makeCert(t, tc.key, spec{cn: tc.name})
			if got := x509cert.SigningKeySupported(c); got != tc.want {
				t.Fatalf("= %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVerifyChain(t *testing.T) {
	rootKey, interKey, leafKey, otherKey := ecKey(t), ecKey(t), ecKey(t), ecKey(t)
	_, root := makeCert(t, rootKey, spec{cn: "root", ca: true})
	_, inter := makeCert(t, interKey, spec{cn: "intermediate", ca: true, parent: root, parentKey: rootKey})
	_, leaf := makeCert(t, leafKey, spec{cn: "leaf", parent: inter, parentKey: interKey})
	_, other := makeCert(t, otherKey, spec{cn: "other", ca: true})
	for _, tc := range []struct {
		name  string
		chain []*x509.Certificate
		index int // -2: no error
	}{
		{"in order", []*x509.Certificate{inter, root}, -2},
		{"immediate signer only", []*x509.Certificate{inter}, -2},
		{"none", nil, -2},
		{"root first", []*x509.Certificate{root, inter}, -1},
		{"another signer", []*x509.Certificate{other}, -1},
		{"wrong root", []*x509.Certificate{inter, other}, 0},
		{"root twice", []*x509.Certificate{inter, root, inter}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := x509cert.VerifyChain(leaf, tc.chain)
			if tc.index == -2 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *x509cert.ChainError
			if !errors.As(err, &ce) || ce.Index != tc.index {
				t.Fatalf("= %v, want a ChainError at %d", err, tc.index)
			}
		})
	}
}

func TestParsePrivateKey(t *testing.T) {
	rk, ek := rsaKey(), ecKey(t)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ek)
	for _, tc := range []struct {
		name, text string
		want       crypto.Signer // nil: ErrMalformed
	}{
		{"PKCS #1", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), rk},
		{"SEC 1", pemBlock("EC PRIVATE KEY", sec1), ek},
		{"PKCS #8 RSA", pkcs8(t, rk), rk},
		{"PKCS #8 ECDSA", pkcs8(t, ek), ek},
		{"PKCS #8 Ed25519", pkcs8(t, edKey), edKey},
		{"white space around", "\n  " + pkcs8(t, ek) + "\n\n", ek},
		{"text after", pkcs8(t, ek) + "trailer", nil},
		{"two keys", pkcs8(t, ek) + pkcs8(t, ek), nil},
		{"not PEM", "key", nil},
		{"public key", pemBlock("PUBLIC KEY", sec1), nil},
		{"PKCS #1 type, SEC 1 bytes", pemBlock("RSA PRIVATE KEY", sec1), nil},
		{"bad DER", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := x509cert.ParsePrivateKey(tc.text)
			if tc.want == nil {
				if !errors.Is(err, x509cert.ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			type equaler interface{ Equal(crypto.PrivateKey) bool }
			if err != nil || !got.(equaler).Equal(tc.want) {
				t.Fatalf("= %v, %v", got, err)
			}
		})
	}
}

func TestParseRSAPrivateKey(t *testing.T) {
	rk := rsaKey()
	pkcs1 := pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))
	encrypted := strings.Replace(pkcs1, "-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n", 1)
	for _, tc := range []struct {
		name, text string
		ok         bool
	}{
		{"PKCS #1", pkcs1, true},
		{"PKCS #8", pkcs8(t, rk), true},
		{"what follows is not read", pkcs1 + "trailer", true},
		{"encrypted", encrypted, false},
		{"ECDSA", pkcs8(t, ecKey(t)), false},
		{"not PEM", "key", false},
		{"bad DER", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", false},
		{"another type", pemBlock("EC PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := x509cert.ParseRSAPrivateKey(tc.text)
			if !tc.ok {
				if !errors.Is(err, x509cert.ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil || !got.Equal(rk) {
				t.Fatalf("= %v, %v", got, err)
			}
		})
	}
}

func TestMatchesKey(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	_, otherEd, _ := ed25519.GenerateKey(rand.Reader)
	ek, otherEC := ecKey(t), ecKey(t)
	for _, tc := range []struct {
		name      string
		certKey   crypto.Signer
		key       crypto.Signer
		wantMatch bool
	}{
		{"RSA", rsaKey(), rsaKey(), true},
		{"ECDSA", ek, ek, true},
		{"Ed25519", edKey, edKey, true},
		{"another ECDSA key", ek, otherEC, false},
		{"another Ed25519 key", edKey, otherEd, false},
		{"RSA certificate, ECDSA key", rsaKey(), ek, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := makeCert(t, tc.certKey, spec{cn: tc.name})
			if got := x509cert.MatchesKey(c, tc.key); got != tc.wantMatch {
				t.Fatalf("= %v, want %v", got, tc.wantMatch)
			}
		})
	}
}

// FuzzParseChain: the parser never panics, what it accepts written back
// as PEM reads as the same certificates, and Parse takes exactly the
// one-certificate chains.
func FuzzParseChain(f *testing.F) {
	a, _ := makeCert(f, ecKey(f), spec{cn: "a"})
	b, _ := makeCert(f, ecKey(f), spec{cn: "b"})
	for _, s := range []string{a, a + b, " " + a + "\n", "x" + a, a + "x", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		certs, err := x509cert.ParseChain(text)
		one, oneErr := x509cert.Parse(text)
		if (oneErr == nil) != (err == nil && len(certs) == 1) || oneErr == nil && !one.Equal(certs[0]) {
			t.Fatalf("Parse = %v, %v; ParseChain = %d certificates, %v", one, oneErr, len(certs), err)
		}
		if oneErr != nil && !errors.Is(oneErr, x509cert.ErrMalformed) {
			t.Fatalf("Parse error %v is not ErrMalformed", oneErr)
		}
		if err != nil {
			if !errors.Is(err, x509cert.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		var sb strings.Builder
		for _, c := range certs {
			sb.WriteString(pemBlock("CERTIFICATE", c.Raw))
		}
		again, err := x509cert.ParseChain(sb.String())
		if err != nil || len(again) != len(certs) {
			t.Fatalf("written back: %v, %d certificates of %d", err, len(again), len(certs))
		}
		for i := range certs {
			if !again[i].Equal(certs[i]) {
				t.Fatalf("certificate %d differs written back", i)
			}
		}
	})
}

// FuzzParsePrivateKey: the parser never panics, and a key it accepts
// written back as PKCS #8 reads as the same key.
func FuzzParsePrivateKey(f *testing.F) {
	ek := ecKey(f)
	sec1, _ := x509.MarshalECPrivateKey(ek)
	for _, s := range []string{pkcs8(f, ek), pemBlock("EC PRIVATE KEY", sec1), pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey())), "key"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		key, err := x509cert.ParsePrivateKey(text)
		if err != nil {
			if !errors.Is(err, x509cert.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		again, err := x509cert.ParsePrivateKey(pkcs8(t, key))
		type equaler interface{ Equal(crypto.PrivateKey) bool }
		if err != nil || !again.(equaler).Equal(key) {
			t.Fatalf("written back: %v", err)
		}
	})
}
