package server_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// The run-time values of the credential and federation families' golden
// scripts: keys, certificates and metadata documents are made fresh for
// each run, and the golden files show them by name.

// sshGoldenSetup gives the sshkeys script two 2048-bit RSA keys (OpenSSH
// and PEM encodings, with their MD5 fingerprints), a 1024-bit one and an
// Ed25519 one.
func sshGoldenSetup(t *testing.T) map[string]string {
	k1, k2 := rsaKey(t, 0), rsaKey(t, 1)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fp := func(k *rsa.PrivateKey) string {
		sp, err := ssh.NewPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return ssh.FingerprintLegacyMD5(sp)
	}
	return map[string]string{
		"key1":     sshAuthorized(t, &k1.PublicKey, "alice@laptop"),
		"key1_pem": pemPKIX(t, &k1.PublicKey),
		"key1_fp":  fp(k1),
		"key2_pem": pemPKIX(t, &k2.PublicKey),
		"key2":     sshAuthorized(t, &k2.PublicKey, ""),
		"key2_fp":  fp(k2),
		"rsa1024":  sshAuthorized(t, &small.PublicKey, ""),
		"ed25519":  sshAuthorized(t, edPub, ""),
	}
}

// certGoldenSetup gives the signingcerts and servercerts scripts
// certificates with their private keys: two RSA, one ECDSA, one Ed25519,
// one expired, one not yet valid, and a leaf signed by a CA (its chain).
func certGoldenSetup(t *testing.T) map[string]string {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cert1, _ := makeCert(t, rsaKey(t, 0), certSpec{cn: "www.example.com"})
	cert2, _ := makeCert(t, rsaKey(t, 1), certSpec{cn: "api.example.com"})
	ecCert, _ := makeCert(t, ec, certSpec{cn: "ec.example.com"})
	edCert, _ := makeCert(t, ed, certSpec{cn: "ed.example.com"})
	expired, _ := makeCert(t, rsaKey(t, 0), certSpec{cn: "old.example.com", notBefore: now.Add(-48 * time.Hour), notAfter: now.Add(-24 * time.Hour)})
	future, _ := makeCert(t, rsaKey(t, 0), certSpec{cn: "new.example.com", notBefore: now.Add(24 * time.Hour)})
	caPEM, ca := makeCert(t, rsaKey(t, 2), certSpec{cn: "Example CA", ca: true})
	leaf, _ := makeCert(t, rsaKey(t, 1), certSpec{cn: "shop.example.com", parent: ca, parentKey: rsaKey(t, 2)})
	return map[string]string{
		"cert1": cert1, "key1": pemPrivate(t, rsaKey(t, 0)),
		"cert2": cert2, "key2": pemPrivate(t, rsaKey(t, 1)),
		"ec_cert": ecCert, "ec_key": pemPrivate(t, ec),
		"ed_cert": edCert,
		"expired": expired, "future": future,
		"leaf": leaf, "chain": caPEM,
	}
}

// samlGoldenSetup gives the saml script a metadata document and an RSA
// private key for assertion encryption.
func samlGoldenSetup(t *testing.T) map[string]string {
	doc, _ := newMetadata(t, "https://idp.example.com/saml")
	doc2, _ := newMetadata(t, "https://idp2.example.com/saml")
	return map[string]string{"metadata": doc, "metadata2": doc2, "private_key": pemPrivate(t, rsaKey(t, 1))}
}
