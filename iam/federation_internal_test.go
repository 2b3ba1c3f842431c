package iam

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"
)

func testCertificate(f testing.TB) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// FuzzParseSAMLMetadata: the parser never panics, and what it accepts
// has an entity ID and certificates that parse.
func FuzzParseSAMLMetadata(f *testing.F) {
	cert := testCertificate(f)
	f.Add(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp" validUntil="2030-01-01T00:00:00Z">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
		cert + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`)
	f.Add(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` + cert + `</X509Certificate></X509Data></KeyInfo></KeyDescriptor></IDPSSODescriptor></EntityDescriptor><!-- end -->`)
	f.Add(`<x/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := parseSAMLMetadata(doc)
		if err != nil {
			return
		}
		if strings.TrimSpace(md.entityID) == "" || len(md.certs) == 0 {
			t.Fatalf("accepted %q as %+v", doc, md)
		}
		for _, der := range md.certs {
			if _, err := x509.ParseCertificate(der); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzOIDCURL: an accepted URL is https and its key is the rest of it.
func FuzzOIDCURL(f *testing.F) {
	for _, s := range []string{"https://example.com", "https://token.actions.githubusercontent.com", "https://oidc.eks.us-east-1.amazonaws.com/id/ABC/", "http://x", "https://a:1", "https://[::1]/p", "https://exa_mple.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		key, err := oidcURL(raw)
		if err != nil {
			return
		}
		if "https://"+key != raw || key == "" || strings.ContainsAny(key, "?# ") {
			t.Fatalf("%q accepted with key %q", raw, key)
		}
	})
}
