package saml_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/saml"
)

// certificate returns a self-signed certificate, DER.
func certificate(t testing.TB, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: at, NotAfter: at.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// keyDescriptor is a KeyDescriptor (use: "" leaves the attribute out)
// with one certificate, given base64.
func keyDescriptor(use, b64 string) string {
	attr := ""
	if use != "" {
		attr = ` use="` + use + `"`
	}
	return `<md:KeyDescriptor` + attr + `><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + b64 + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
}

// document is a metadata document as IdPs export it (ADFS, Okta,
// Shibboleth): an EntityDescriptor with an IDPSSODescriptor.
func document(attrs, protocols, keys string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"` + attrs + `>
  <md:IDPSSODescriptor protocolSupportEnumeration="` + protocols + `">` + keys + `
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

const v2 = "urn:oasis:names:tc:SAML:2.0:protocol"

func TestParseMetadata(t *testing.T) {
	signing, encryption := certificate(t, "signing"), certificate(t, "encryption")
	b64 := base64.StdEncoding.EncodeToString(signing)
	// Certificates are often wrapped at 64 columns.
	var wrapped strings.Builder
	for s := b64; s != ""; s = s[min(64, len(s)):] {
		wrapped.WriteString("\n        " + s[:min(64, len(s))])
	}
	wrapped.WriteString("\n      ")
	entity := ` entityID="https://idp.example.com/saml"`
	for _, tc := range []struct {
		name string
		doc  string
		want saml.Metadata // zero: ErrMalformed
	}{
		{"signing key", document(entity, v2, keyDescriptor("signing", b64)),
			saml.Metadata{EntityID: "https://idp.example.com/saml", Certificates: [][]byte{signing}}},
		{"no use: for both", document(entity, v2, keyDescriptor("", b64)),
			saml.Metadata{EntityID: "https://idp.example.com/saml", Certificates: [][]byte{signing}}},
		{"encryption key left out", document(entity, v2, keyDescriptor("encryption", base64.StdEncoding.EncodeToString(encryption))+keyDescriptor("signing", b64)),
			saml.Metadata{EntityID: "https://idp.example.com/saml", Certificates: [][]byte{signing}}},
		{"two signing keys in order", document(entity, v2, keyDescriptor("signing", b64)+keyDescriptor("signing", base64.StdEncoding.EncodeToString(encryption))),
			saml.Metadata{EntityID: "https://idp.example.com/saml", Certificates: [][]byte{signing, encryption}}},
		{"wrapped base64", document(entity, v2, keyDescriptor("signing", wrapped.String())),
			saml.Metadata{EntityID: "https://idp.example.com/saml", Certificates: [][]byte{signing}}},
		{"entity ID trimmed", document(` entityID="  urn:idp  "`, v2, keyDescriptor("signing", b64)),
			saml.Metadata{EntityID: "urn:idp", Certificates: [][]byte{signing}}},
		{"validUntil in UTC", document(entity+` validUntil="2030-06-01T12:00:00.5+02:00"`, v2, keyDescriptor("signing", b64)),
			saml.Metadata{EntityID: "https://idp.example.com/saml", ValidUntil: time.Date(2030, 6, 1, 10, 0, 0, 5e8, time.UTC), Certificates: [][]byte{signing}}},
		{"SAML 1.1 and 2.0", document(entity, "urn:oasis:names:tc:SAML:1.1:protocol "+v2, keyDescriptor("signing", b64)),
			saml.Metadata{EntityID: "https://idp.example.com/saml", Certificates: [][]byte{signing}}},
		{"comment after", document(entity, v2, keyDescriptor("signing", b64)) + "<!-- exported -->\n",
			saml.Metadata{EntityID: "https://idp.example.com/saml", Certificates: [][]byte{signing}}},
		{"default namespace", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor protocolSupportEnumeration="` + v2 + `"><KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` + b64 + `</X509Certificate></X509Data></KeyInfo></KeyDescriptor></IDPSSODescriptor></EntityDescriptor>`,
			saml.Metadata{EntityID: "x", Certificates: [][]byte{signing}}},

		{"not XML", "short", saml.Metadata{}},
		{"empty", "", saml.Metadata{}},
		{"text after", document(entity, v2, keyDescriptor("signing", b64)) + "trailer", saml.Metadata{}},
		{"element after", document(entity, v2, keyDescriptor("signing", b64)) + "<x/>", saml.Metadata{}},
		{"unclosed", strings.TrimSuffix(document(entity, v2, keyDescriptor("signing", b64)), "</md:EntityDescriptor>\n"), saml.Metadata{}},
		{"another namespace", strings.ReplaceAll(document(entity, v2, keyDescriptor("signing", b64)), "urn:oasis:names:tc:SAML:2.0:metadata", "urn:example"), saml.Metadata{}},
		{"EntitiesDescriptor", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` + strings.TrimPrefix(document(entity, v2, keyDescriptor("signing", b64)), `<?xml version="1.0" encoding="UTF-8"?>`) + `</md:EntitiesDescriptor>`, saml.Metadata{}},
		{"no entity ID", document("", v2, keyDescriptor("signing", b64)), saml.Metadata{}},
		{"blank entity ID", document(` entityID=" "`, v2, keyDescriptor("signing", b64)), saml.Metadata{}},
		{"validUntil not a time", document(entity+` validUntil="tomorrow"`, v2, keyDescriptor("signing", b64)), saml.Metadata{}},
		{"SAML 1.1 only", document(entity, "urn:oasis:names:tc:SAML:1.1:protocol", keyDescriptor("signing", b64)), saml.Metadata{}},
		{"encryption key only", document(entity, v2, keyDescriptor("encryption", b64)), saml.Metadata{}},
		{"no key", document(entity, v2, ""), saml.Metadata{}},
		{"not base64", document(entity, v2, keyDescriptor("signing", "!!!")), saml.Metadata{}},
		{"not a certificate", document(entity, v2, keyDescriptor("signing", base64.StdEncoding.EncodeToString([]byte("hello")))), saml.Metadata{}},
		{"a bad certificate beside a good one", document(entity, v2, keyDescriptor("signing", b64)+keyDescriptor("", "AAAA")), saml.Metadata{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := saml.ParseMetadata(tc.doc)
			if tc.want.EntityID == "" {
				if !errors.Is(err, saml.ErrMalformed) {
					t.Fatalf("= %+v, %v; want ErrMalformed", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.EntityID != tc.want.EntityID || !got.ValidUntil.Equal(tc.want.ValidUntil) || got.ValidUntil.Location() != time.UTC || len(got.Certificates) != len(tc.want.Certificates) {
				t.Fatalf("= %q %v %d certificates, want %q %v %d", got.EntityID, got.ValidUntil, len(got.Certificates), tc.want.EntityID, tc.want.ValidUntil, len(tc.want.Certificates))
			}
			for i := range got.Certificates {
				if !bytes.Equal(got.Certificates[i], tc.want.Certificates[i]) {
					t.Fatalf("certificate %d differs", i)
				}
			}
		})
	}
}

// FuzzParseMetadata: the parser never panics, and what it accepts has
// an entity ID and certificates that parse; what it refuses is
// ErrMalformed.
func FuzzParseMetadata(f *testing.F) {
	b64 := base64.StdEncoding.EncodeToString(certificate(f, "idp"))
	f.Add(document(` entityID="https://idp" validUntil="2030-01-01T00:00:00Z"`, v2, keyDescriptor("signing", b64)))
	f.Add(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` + b64 + `</X509Certificate></X509Data></KeyInfo></KeyDescriptor></IDPSSODescriptor></EntityDescriptor><!-- end -->`)
	f.Add(`<x/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := saml.ParseMetadata(doc)
		if err != nil {
			if !errors.Is(err, saml.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if md.EntityID == "" || strings.TrimSpace(md.EntityID) != md.EntityID || len(md.Certificates) == 0 {
			t.Fatalf("accepted %q as %+v", doc, md)
		}
		for _, der := range md.Certificates {
			if _, err := x509.ParseCertificate(der); err != nil {
				t.Fatal(err)
			}
		}
	})
}
