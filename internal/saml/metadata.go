package saml

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// ErrMalformed is a document that is not SAML 2.0 identity provider
// metadata as IAM takes it. The errors ParseMetadata returns wrap it
// with what was wrong.
var ErrMalformed = errors.New("saml: not SAML 2.0 IdP metadata")

// Metadata is what a SAML 2.0 metadata document says about its IdP.
type Metadata struct {
	// EntityID is the IdP's entity ID, white space around it removed.
	EntityID string
	// ValidUntil is the document's validUntil time in UTC; zero when it
	// has none.
	ValidUntil time.Time
	// Certificates are the IdP's signing certificates, DER, in document
	// order; there is at least one.
	Certificates [][]byte
}

// The SAML 2.0 metadata schema, as much of it as IAM reads.
const (
	nsMetadata = "urn:oasis:names:tc:SAML:2.0:metadata"
	protocolV2 = "urn:oasis:names:tc:SAML:2.0:protocol"
)

type entityDescriptor struct {
	XMLName    xml.Name
	EntityID   string             `xml:"entityID,attr"`
	ValidUntil string             `xml:"validUntil,attr"`
	IDPs       []idpSSODescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type idpSSODescriptor struct {
	Protocols string          `xml:"protocolSupportEnumeration,attr"`
	Keys      []keyDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
}

type keyDescriptor struct {
	Use     string  `xml:"use,attr"`
	KeyInfo keyInfo `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo"`
}

type keyInfo struct {
	Data []x509Data `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
}

type x509Data struct {
	Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# X509Certificate"`
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// ParseMetadata reads a SAML 2.0 metadata document: one md:EntityDescriptor
// (only white space, comments and processing instructions after it) with
// an entityID, a validUntil that is an RFC 3339 time if there is one, and
// an IDPSSODescriptor for the SAML 2.0 protocol with at least one
// certificate for signing (a KeyDescriptor whose use is "signing" or not
// given). Every X509Certificate of those descriptors must be base64 DER
// (white space inside ignored) that parses.
func ParseMetadata(doc string) (Metadata, error) {
	var ed entityDescriptor
	dec := xml.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&ed); err != nil {
		return Metadata{}, malformed("%v", err)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Metadata{}, malformed("after the EntityDescriptor: %v", err)
		}
		switch tk := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(tk)) != 0 {
				return Metadata{}, malformed("text after the EntityDescriptor")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return Metadata{}, malformed("markup after the EntityDescriptor")
		}
	}
	if ed.XMLName.Space != nsMetadata || ed.XMLName.Local != "EntityDescriptor" {
		return Metadata{}, malformed("the root element is {%s}%s, not an EntityDescriptor", ed.XMLName.Space, ed.XMLName.Local)
	}
	out := Metadata{EntityID: strings.TrimSpace(ed.EntityID)}
	if out.EntityID == "" {
		return Metadata{}, malformed("no entityID")
	}
	if v := strings.TrimSpace(ed.ValidUntil); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return Metadata{}, malformed("validUntil: %v", err)
		}
		out.ValidUntil = t.UTC()
	}
	for _, idp := range ed.IDPs {
		if !slices.Contains(strings.Fields(idp.Protocols), protocolV2) {
			continue
		}
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, d := range k.KeyInfo.Data {
				for _, c := range d.Certs {
					der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
					if err != nil {
						return Metadata{}, malformed("X509Certificate: %v", err)
					}
					if _, err := x509.ParseCertificate(der); err != nil {
						return Metadata{}, malformed("X509Certificate: %v", err)
					}
					out.Certificates = append(out.Certificates, der)
				}
			}
		}
	}
	if len(out.Certificates) == 0 {
		return Metadata{}, malformed("no signing certificate for the SAML 2.0 protocol")
	}
	return out, nil
}
