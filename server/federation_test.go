package server_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// metadataDoc is a SAML 2.0 IdP metadata document in the shape IdPs
// (ADFS, Okta, Shibboleth) export: an EntityDescriptor with an
// IDPSSODescriptor whose signing KeyDescriptor holds the certificate.
type metadataDoc struct {
	entityID   string
	validUntil string   // attribute value, "" for none
	certs      [][]byte // signing certificates
	root       string   // root element, default md:EntityDescriptor
	protocol   string   // protocolSupportEnumeration, default SAML 2.0
	descriptor string   // IdP descriptor element, default md:IDPSSODescriptor
	use        string   // KeyDescriptor use, default signing
	certText   string   // replaces the base64 of the certificates
}

func (m metadataDoc) String() string {
	root := cmp.Or(m.root, "md:EntityDescriptor")
	desc := cmp.Or(m.descriptor, "md:IDPSSODescriptor")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<%s xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s"`, root, m.entityID)
	if m.validUntil != "" {
		fmt.Fprintf(&b, ` validUntil="%s"`, m.validUntil)
	}
	b.WriteString(">\n")
	fmt.Fprintf(&b, "  <%s WantAuthnRequestsSigned=\"false\" protocolSupportEnumeration=\"%s\">\n", desc, cmp.Or(m.protocol, "urn:oasis:names:tc:SAML:2.0:protocol"))
	for _, der := range m.certs {
		text := base64.StdEncoding.EncodeToString(der)
		if m.certText != "" {
			text = m.certText
		}
		// IdPs wrap the base64 over lines.
		var wrapped strings.Builder
		for len(text) > 64 {
			wrapped.WriteString(text[:64] + "\n")
			text = text[64:]
		}
		wrapped.WriteString(text)
		fmt.Fprintf(&b, "    <md:KeyDescriptor use=\"%s\">\n      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\n    </md:KeyDescriptor>\n", cmp.Or(m.use, "signing"), wrapped.String())
	}
	b.WriteString("    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\n")
	fmt.Fprintf(&b, "    <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"%s/sso\"/>\n", m.entityID)
	fmt.Fprintf(&b, "  </%s>\n</%s>\n", desc, root)
	return b.String()
}

// newMetadata returns a valid document for entityID with a new signing
// certificate.
func newMetadata(t *testing.T, entityID string) (string, []byte) {
	der := selfSigned(t, rsaKey(t, 0), entityID)
	return metadataDoc{entityID: entityID, certs: [][]byte{der}}.String(), der
}

func samlARN(name string) string { return "arn:aws:iam::" + testAccount + ":saml-provider/" + name }
func oidcARN(key string) string  { return "arn:aws:iam::" + testAccount + ":oidc-provider/" + key }

func TestSAMLProviderLifecycle(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	doc, der := newMetadata(t, "https://idp.example.com/saml")
	before := time.Now().UTC().Truncate(time.Second)
	created := must[*awsiam.CreateSAMLProviderOutput](t)(a.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{
		Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(doc),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	}))
	if *created.SAMLProviderArn != samlARN("Okta") {
		t.Fatalf("arn = %s", *created.SAMLProviderArn)
	}
	if len(created.Tags) != 1 || *created.Tags[0].Key != "team" {
		t.Fatalf("create tags = %v", created.Tags)
	}

	get := must[*awsiam.GetSAMLProviderOutput](t)(a.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn}))
	if *get.SAMLMetadataDocument != doc {
		t.Fatal("metadata document not returned as given")
	}
	if u := *get.SAMLProviderUUID; len(u) != 22 || !strings.HasPrefix(u, "SAML") || strings.Trim(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Fatalf("uuid = %q", u)
	}
	if get.CreateDate.Before(before) || get.CreateDate.After(time.Now()) {
		t.Fatalf("create date = %v", get.CreateDate)
	}
	// Without validUntil in the metadata, AWS answers a hundred years on.
	if !get.ValidUntil.Equal(get.CreateDate.AddDate(100, 0, 0)) {
		t.Fatalf("valid until = %v, created %v", get.ValidUntil, get.CreateDate)
	}
	if get.AssertionEncryptionMode != types.AssertionEncryptionModeTypeAllowed || get.PrivateKeyList == nil || len(get.PrivateKeyList) != 0 {
		t.Fatalf("encryption = %q, keys = %v", get.AssertionEncryptionMode, get.PrivateKeyList)
	}
	if len(get.Tags) != 1 || *get.Tags[0].Value != "blue" {
		t.Fatalf("tags = %v", get.Tags)
	}
	// The ARN resolves regardless of case, as IAM names do.
	must[*awsiam.GetSAMLProviderOutput](t)(a.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("OKTA"))}))

	// What federation needs is kept from the metadata.
	idp, err := h.svc.SAMLProvider(samlARN("okta"))
	if err != nil || idp.EntityID != "https://idp.example.com/saml" || len(idp.Certificates) != 1 || !bytes.Equal(idp.Certificates[0].Raw, der) || idp.ARN != samlARN("Okta") {
		t.Fatalf("SAMLProvider = %+v, %v", idp, err)
	}

	list := must[*awsiam.ListSAMLProvidersOutput](t)(a.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{}))
	if len(list.SAMLProviderList) != 1 || *list.SAMLProviderList[0].Arn != samlARN("Okta") ||
		!list.SAMLProviderList[0].ValidUntil.Equal(*get.ValidUntil) || !list.SAMLProviderList[0].CreateDate.Equal(*get.CreateDate) {
		t.Fatalf("list = %+v", list.SAMLProviderList)
	}

	// A new document, with its own validUntil.
	der2 := selfSigned(t, rsaKey(t, 1), "rotated")
	doc2 := metadataDoc{entityID: "https://idp.example.com/saml2", validUntil: "2031-05-04T03:02:01Z", certs: [][]byte{der, der2}}.String()
	up := must[*awsiam.UpdateSAMLProviderOutput](t)(a.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn, SAMLMetadataDocument: aws.String(doc2)}))
	if *up.SAMLProviderArn != samlARN("Okta") {
		t.Fatalf("update arn = %s", *up.SAMLProviderArn)
	}
	get = must[*awsiam.GetSAMLProviderOutput](t)(a.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn}))
	if *get.SAMLMetadataDocument != doc2 || !get.ValidUntil.Equal(time.Date(2031, 5, 4, 3, 2, 1, 0, time.UTC)) {
		t.Fatalf("after update: valid until %v", get.ValidUntil)
	}
	if idp, _ := h.svc.SAMLProvider(samlARN("Okta")); idp.EntityID != "https://idp.example.com/saml2" || len(idp.Certificates) != 2 {
		t.Fatalf("after update: %+v", idp)
	}

	// Tags.
	must[*awsiam.TagSAMLProviderOutput](t)(a.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn,
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("TEAM"), Value: aws.String("red")}}}))
	must[*awsiam.UntagSAMLProviderOutput](t)(a.UntagSAMLProvider(ctx, &awsiam.UntagSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn, TagKeys: []string{"Env"}}))
	tags := must[*awsiam.ListSAMLProviderTagsOutput](t)(a.ListSAMLProviderTags(ctx, &awsiam.ListSAMLProviderTagsInput{SAMLProviderArn: created.SAMLProviderArn}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "TEAM" || *tags.Tags[0].Value != "red" || tags.IsTruncated {
		t.Fatalf("tags = %+v", tags.Tags)
	}

	// Everything survives a restart.
	h.restart()
	a = h.admin()
	again := must[*awsiam.GetSAMLProviderOutput](t)(a.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn}))
	if *again.SAMLProviderUUID != *get.SAMLProviderUUID || *again.SAMLMetadataDocument != doc2 || !again.CreateDate.Equal(*get.CreateDate) || len(again.Tags) != 1 {
		t.Fatalf("after restart: %+v", again)
	}
	if idp, err := h.svc.SAMLProvider(samlARN("Okta")); err != nil || len(idp.Certificates) != 2 {
		t.Fatalf("after restart: %+v %v", idp, err)
	}

	must[*awsiam.DeleteSAMLProviderOutput](t)(a.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn}))
	for name, call := range map[string]func() error{
		"get": func() error {
			_, err := a.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn})
			return err
		},
		"delete": func() error {
			_, err := a.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn})
			return err
		},
		"tag": func() error {
			_, err := a.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: created.SAMLProviderArn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, call(), "NoSuchEntity", "Manifest not found for arn "+samlARN("Okta"))
		})
	}
	if list := must[*awsiam.ListSAMLProvidersOutput](t)(a.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})); len(list.SAMLProviderList) != 0 {
		t.Fatalf("list after delete = %v", list.SAMLProviderList)
	}
}

func TestSAMLProviderErrors(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	key := rsaKey(t, 0)
	der := selfSigned(t, key, "idp")
	good := metadataDoc{entityID: "https://idp.example.com", certs: [][]byte{der}}
	create := func(name, doc string, mod func(*awsiam.CreateSAMLProviderInput)) error {
		in := &awsiam.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: aws.String(doc)}
		if mod != nil {
			mod(in)
		}
		_, err := a.CreateSAMLProvider(ctx, in)
		return err
	}
	pad := strings.Repeat("<!-- padding -->", 70)
	badMetadata := []struct{ name, doc string }{
		{"not XML", strings.Repeat("not xml at all ", 80)},
		{"another root", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` + pad + `</md:EntitiesDescriptor>`},
		{"no namespace", strings.ReplaceAll(good.String(), `xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"`, `xmlns:md="urn:example"`)},
		{"no entity ID", metadataDoc{certs: good.certs}.String() + pad},
		{"service provider", metadataDoc{entityID: "https://sp", certs: good.certs, descriptor: "md:SPSSODescriptor"}.String()},
		{"SAML 1.1 only", metadataDoc{entityID: "https://idp", certs: good.certs, protocol: "urn:oasis:names:tc:SAML:1.1:protocol"}.String()},
		{"no certificate", metadataDoc{entityID: "https://idp"}.String() + pad},
		{"encryption key only", metadataDoc{entityID: "https://idp", certs: good.certs, use: "encryption"}.String()},
		{"certificate not base64", metadataDoc{entityID: "https://idp", certs: good.certs, certText: strings.Repeat("!", 900)}.String()},
		{"certificate not a certificate", metadataDoc{entityID: "https://idp", certs: good.certs, certText: base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 700))}.String()},
		{"bad validUntil", metadataDoc{entityID: "https://idp", certs: good.certs, validUntil: "next year"}.String()},
		{"truncated", good.String()[:len(good.String())-30]},
		{"trailing element", good.String() + "<more/>"},
	}
	for _, tc := range badMetadata {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.doc) < 1000 {
				t.Fatalf("test document too short: %d", len(tc.doc))
			}
			wantError(t, create("bad", tc.doc, nil), "InvalidInput", "Could not parse metadata")
		})
	}
	t.Run("short document", func(t *testing.T) {
		wantCode(t, create("short", "<x/>", nil), "ValidationError")
	})
	t.Run("invalid name", func(t *testing.T) {
		wantCode(t, create("has space", good.String(), nil), "ValidationError")
	})
	t.Run("Required without a private key", func(t *testing.T) {
		err := create("enc", good.String(), func(in *awsiam.CreateSAMLProviderInput) {
			in.AssertionEncryptionMode = types.AssertionEncryptionModeTypeRequired
		})
		wantError(t, err, "InvalidInput", "Unable to set assertion encryption mode to Required because no private key is provided.")
	})
	for _, tc := range []struct{ name, key string }{
		{"garbage", "not a key"},
		{"truncated PEM", pemPrivate(t, key)[:200]},
		{"certificate", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))},
	} {
		t.Run("private key "+tc.name, func(t *testing.T) {
			err := create("pk", good.String(), func(in *awsiam.CreateSAMLProviderInput) { in.AddPrivateKey = aws.String(tc.key) })
			wantError(t, err, "InvalidInput", "Invalid private key: Key format is not recognized.")
		})
	}
	if _, err := a.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{}); err != nil {
		t.Fatal(err)
	}

	must[*awsiam.CreateSAMLProviderOutput](t)(a.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(good.String())}))
	t.Run("duplicate", func(t *testing.T) {
		wantError(t, create("OKTA", good.String(), nil), "EntityAlreadyExists", "SAML provider with name OKTA already exists.")
	})
	for _, tc := range []struct{ name, arn, code, msg string }{
		{"not an ARN", "saml-provider/Okta-is-not-an-arn", "InvalidInput", "ARN saml-provider/Okta-is-not-an-arn is not valid."},
		{"another service", "arn:aws:sts::" + testAccount + ":saml-provider/Okta", "InvalidInput", "ARN arn:aws:sts::" + testAccount + ":saml-provider/Okta is not valid."},
		{"another resource type", "arn:aws:iam::" + testAccount + ":oidc-provider/Okta", "ValidationError", "Invalid resource type in ARN"},
		{"another account", "arn:aws:iam::999999999999:saml-provider/Okta", "AccessDenied", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(tc.arn)})
			wantError(t, err, tc.code, tc.msg)
		})
	}
	t.Run("too many tags", func(t *testing.T) {
		tags := make([]types.Tag, 50)
		for i := range tags {
			tags[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
		}
		must[*awsiam.TagSAMLProviderOutput](t)(a.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("Okta")), Tags: tags}))
		_, err := a.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("Okta")), Tags: []types.Tag{{Key: aws.String("one-more"), Value: aws.String("v")}}})
		wantError(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
		page := must[*awsiam.ListSAMLProviderTagsOutput](t)(a.ListSAMLProviderTags(ctx, &awsiam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(samlARN("Okta")), MaxItems: aws.Int32(20)}))
		if len(page.Tags) != 20 || !page.IsTruncated || page.Marker == nil {
			t.Fatalf("page = %d %v", len(page.Tags), page.IsTruncated)
		}
		rest := must[*awsiam.ListSAMLProviderTagsOutput](t)(a.ListSAMLProviderTags(ctx, &awsiam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(samlARN("Okta")), Marker: page.Marker}))
		// Sorted by key: k0 k1 k10..k19 k2 k20..k26 on the first page.
		if len(rest.Tags) != 30 || rest.IsTruncated || *rest.Tags[0].Key != "k27" {
			t.Fatalf("rest = %d %v", len(rest.Tags), rest.IsTruncated)
		}
	})
	t.Run("quota", func(t *testing.T) {
		for i := 1; i < 100; i++ {
			if err := create(fmt.Sprintf("p%02d", i), good.String(), nil); err != nil {
				t.Fatal(i, err)
			}
		}
		wantError(t, create("one-more", good.String(), nil), "LimitExceeded", "Cannot exceed quota for SAMLProvidersPerAccount: 100")
	})
}

func TestSAMLProviderPrivateKeys(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	keys := []*rsa.PrivateKey{rsaKey(t, 0), rsaKey(t, 1), rsaKey(t, 2), rsaKey(t, 3)}
	doc, _ := newMetadata(t, "https://idp.example.com")
	p := must[*awsiam.CreateSAMLProviderOutput](t)(a.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{
		Name: aws.String("Enc"), SAMLMetadataDocument: aws.String(doc),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired, AddPrivateKey: aws.String(pemPrivate(t, keys[0])),
	})).SAMLProviderArn
	get := func() *awsiam.GetSAMLProviderOutput {
		t.Helper()
		return must[*awsiam.GetSAMLProviderOutput](t)(a.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: p}))
	}
	update := func(mod func(*awsiam.UpdateSAMLProviderInput)) error {
		in := &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: p}
		mod(in)
		_, err := a.UpdateSAMLProvider(ctx, in)
		return err
	}
	g := get()
	if g.AssertionEncryptionMode != types.AssertionEncryptionModeTypeRequired || len(g.PrivateKeyList) != 1 {
		t.Fatalf("after create: %q %v", g.AssertionEncryptionMode, g.PrivateKeyList)
	}
	first := *g.PrivateKeyList[0].KeyId
	if len(first) < 22 || strings.Trim(first, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" || g.PrivateKeyList[0].Timestamp == nil {
		t.Fatalf("key = %+v", g.PrivateKeyList[0])
	}

	// A PKCS #1 key is accepted too; a third is over the limit.
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(keys[1])}))
	if err := update(func(in *awsiam.UpdateSAMLProviderInput) { in.AddPrivateKey = aws.String(pkcs1) }); err != nil {
		t.Fatal(err)
	}
	wantError(t, update(func(in *awsiam.UpdateSAMLProviderInput) { in.AddPrivateKey = aws.String(pemPrivate(t, keys[2])) }),
		"LimitExceeded", "Private key limit of 2 is reached.")
	g = get()
	if len(g.PrivateKeyList) != 2 {
		t.Fatalf("keys = %v", g.PrivateKeyList)
	}
	second := *g.PrivateKeyList[1].KeyId

	for _, tc := range []struct {
		name     string
		mod      func(*awsiam.UpdateSAMLProviderInput)
		code, ms string
	}{
		{"nothing to update", func(*awsiam.UpdateSAMLProviderInput) {}, "InvalidInput", "Unable to update identity provider. No updates are defined for metadata or encryption assertion."},
		{"add and remove", func(in *awsiam.UpdateSAMLProviderInput) {
			in.AddPrivateKey, in.RemovePrivateKey = aws.String(pemPrivate(t, keys[2])), aws.String(first)
		}, "InvalidInput", "Unable to add and remove private keys in the same request. Set a value for only one of the two parameters."},
		{"remove unknown", func(in *awsiam.UpdateSAMLProviderInput) { in.RemovePrivateKey = aws.String(strings.Repeat("SAML", 6)) },
			"InvalidInput", "Unable to remove private key because the Key ID does not match a private key."},
		{"bad key", func(in *awsiam.UpdateSAMLProviderInput) {
			in.AddPrivateKey = aws.String("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
		},
			"InvalidInput", "Invalid private key: Key format is not recognized."},
		{"bad mode", func(in *awsiam.UpdateSAMLProviderInput) { in.AssertionEncryptionMode = "Sometimes" }, "ValidationError", ""},
	} {
		t.Run(tc.name, func(t *testing.T) { wantError(t, update(tc.mod), tc.code, tc.ms) })
	}

	// Federation gets the keys back, and they decrypt.
	idp, err := h.svc.SAMLProvider(*p)
	if err != nil || !idp.EncryptionRequired || len(idp.PrivateKeys) != 2 {
		t.Fatalf("SAMLProvider = %+v %v", idp, err)
	}
	for i, d := range idp.PrivateKeys {
		ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &keys[i].PublicKey, []byte("session key"), nil)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := d.Decrypt(rand.Reader, ct, &rsa.OAEPOptions{Hash: crypto.SHA256})
		if err != nil || string(pt) != "session key" {
			t.Fatalf("key %d decrypts %q, %v", i, pt, err)
		}
	}

	// The keys are sealed at rest: no PEM in the database files.
	h.close()
	files, _ := filepath.Glob(filepath.Join(h.dir, "gatehouse.db*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte("PRIVATE KEY")) || bytes.Contains(data, x509.MarshalPKCS1PrivateKey(keys[1])[:64]) {
			t.Fatalf("%s holds a private key in clear", f)
		}
	}
	h.open(false)
	a = h.admin()

	// Rotation: remove one key; the last one stays while Required.
	if err := update(func(in *awsiam.UpdateSAMLProviderInput) { in.RemovePrivateKey = aws.String(first) }); err != nil {
		t.Fatal(err)
	}
	wantError(t, update(func(in *awsiam.UpdateSAMLProviderInput) { in.RemovePrivateKey = aws.String(second) }),
		"InvalidInput", "Failed to remove private key. Assertion encryption mode is Required, so the provider must keep at least one private key.")
	if err := update(func(in *awsiam.UpdateSAMLProviderInput) {
		in.AssertionEncryptionMode = types.AssertionEncryptionModeTypeAllowed
	}); err != nil {
		t.Fatal(err)
	}
	if err := update(func(in *awsiam.UpdateSAMLProviderInput) { in.RemovePrivateKey = aws.String(second) }); err != nil {
		t.Fatal(err)
	}
	g = get()
	if g.AssertionEncryptionMode != types.AssertionEncryptionModeTypeAllowed || len(g.PrivateKeyList) != 0 {
		t.Fatalf("after rotation: %q %v", g.AssertionEncryptionMode, g.PrivateKeyList)
	}
	wantError(t, update(func(in *awsiam.UpdateSAMLProviderInput) {
		in.AssertionEncryptionMode = types.AssertionEncryptionModeTypeRequired
	}),
		"InvalidInput", "Unable to set assertion encryption mode to Required because no private key is provided.")
	// A key and Required in one request.
	if err := update(func(in *awsiam.UpdateSAMLProviderInput) {
		in.AddPrivateKey, in.AssertionEncryptionMode = aws.String(pemPrivate(t, keys[3])), types.AssertionEncryptionModeTypeRequired
	}); err != nil {
		t.Fatal(err)
	}
	if g := get(); g.AssertionEncryptionMode != types.AssertionEncryptionModeTypeRequired || len(g.PrivateKeyList) != 1 {
		t.Fatalf("after re-adding: %q %v", g.AssertionEncryptionMode, g.PrivateKeyList)
	}
}

func TestOIDCProviderLifecycle(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	thumb := strings.Repeat("ABCDEF0123", 4)
	before := time.Now().UTC().Truncate(time.Second)
	created := must[*awsiam.CreateOpenIDConnectProviderOutput](t)(a.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url:            aws.String("https://token.actions.example.com/org/repo"),
		ClientIDList:   []string{"sts.amazonaws.com", "app", "app"},
		ThumbprintList: []string{thumb},
		Tags:           []types.Tag{{Key: aws.String("ci"), Value: aws.String("yes")}},
	}))
	arn := oidcARN("token.actions.example.com/org/repo")
	if *created.OpenIDConnectProviderArn != arn || len(created.Tags) != 1 {
		t.Fatalf("create = %s %v", *created.OpenIDConnectProviderArn, created.Tags)
	}
	get := func() *awsiam.GetOpenIDConnectProviderOutput {
		t.Helper()
		return must[*awsiam.GetOpenIDConnectProviderOutput](t)(a.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	}
	g := get()
	if *g.Url != "token.actions.example.com/org/repo" {
		t.Fatalf("url = %s", *g.Url)
	}
	if !slices.Equal(g.ClientIDList, []string{"sts.amazonaws.com", "app"}) || !slices.Equal(g.ThumbprintList, []string{strings.ToLower(thumb)}) {
		t.Fatalf("clients %v thumbprints %v", g.ClientIDList, g.ThumbprintList)
	}
	if g.CreateDate.Before(before) || g.CreateDate.After(time.Now()) || len(g.Tags) != 1 {
		t.Fatalf("date %v tags %v", g.CreateDate, g.Tags)
	}

	// Client IDs: adding one twice and removing one that is not there change nothing.
	for _, id := range []string{"third", "app"} {
		must[*awsiam.AddClientIDToOpenIDConnectProviderOutput](t)(a.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}))
	}
	for _, id := range []string{"sts.amazonaws.com", "never-added"} {
		must[*awsiam.RemoveClientIDFromOpenIDConnectProviderOutput](t)(a.RemoveClientIDFromOpenIDConnectProvider(ctx, &awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}))
	}
	if g := get(); !slices.Equal(g.ClientIDList, []string{"app", "third"}) {
		t.Fatalf("clients = %v", g.ClientIDList)
	}

	// The thumbprint list is replaced, not merged.
	tps := []string{strings.Repeat("c", 40), strings.Repeat("D", 40)}
	must[*awsiam.UpdateOpenIDConnectProviderThumbprintOutput](t)(a.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: tps}))
	if g := get(); !slices.Equal(g.ThumbprintList, []string{strings.Repeat("c", 40), strings.Repeat("d", 40)}) {
		t.Fatalf("thumbprints = %v", g.ThumbprintList)
	}

	// Tags.
	must[*awsiam.TagOpenIDConnectProviderOutput](t)(a.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("k1"), Value: aws.String("v1")}, {Key: aws.String("CI"), Value: aws.String("no")}}}))
	must[*awsiam.UntagOpenIDConnectProviderOutput](t)(a.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"k1"}}))
	tags := must[*awsiam.ListOpenIDConnectProviderTagsOutput](t)(a.ListOpenIDConnectProviderTags(ctx, &awsiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "CI" || *tags.Tags[0].Value != "no" || tags.IsTruncated {
		t.Fatalf("tags = %+v", tags.Tags)
	}

	// Without a thumbprint (AWS would fetch one; Gatehouse stores none),
	// and with a trailing slash: another provider.
	bare := must[*awsiam.CreateOpenIDConnectProviderOutput](t)(a.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.example.com/org/repo/")}))
	if *bare.OpenIDConnectProviderArn != arn+"/" || bare.Tags != nil {
		t.Fatalf("bare = %s", *bare.OpenIDConnectProviderArn)
	}
	b := must[*awsiam.GetOpenIDConnectProviderOutput](t)(a.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: bare.OpenIDConnectProviderArn}))
	if b.ClientIDList == nil || len(b.ClientIDList) != 0 || b.ThumbprintList == nil || len(b.ThumbprintList) != 0 || b.Tags == nil || len(b.Tags) != 0 {
		t.Fatalf("bare get = %+v", b)
	}
	list := must[*awsiam.ListOpenIDConnectProvidersOutput](t)(a.ListOpenIDConnectProviders(ctx, &awsiam.ListOpenIDConnectProvidersInput{}))
	if len(list.OpenIDConnectProviderList) != 2 || *list.OpenIDConnectProviderList[0].Arn != arn || *list.OpenIDConnectProviderList[1].Arn != arn+"/" {
		t.Fatalf("list = %+v", list.OpenIDConnectProviderList)
	}

	// Federation finds the provider by the token's issuer.
	idp, err := h.svc.OIDCProvider(testAccount, "https://token.actions.example.com/org/repo")
	if err != nil || idp.ARN != arn || !slices.Equal(idp.ClientIDs, []string{"app", "third"}) || len(idp.Thumbprints) != 2 {
		t.Fatalf("OIDCProvider = %+v %v", idp, err)
	}
	if _, err := h.svc.OIDCProvider(testAccount, "https://elsewhere.example.com"); err == nil {
		t.Fatal("found a provider that does not exist")
	}

	h.restart()
	a = h.admin()
	if g2 := get(); !g2.CreateDate.Equal(*g.CreateDate) || !slices.Equal(g2.ClientIDList, []string{"app", "third"}) || len(g2.ThumbprintList) != 2 || len(g2.Tags) != 1 {
		t.Fatalf("after restart: %+v", g2)
	}

	must[*awsiam.DeleteOpenIDConnectProviderOutput](t)(a.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	_, err = a.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantError(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
	_, err = a.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantError(t, err, "NoSuchEntity", "OpenId connect Provider "+arn+" cannot be found.")
	_, err = a.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("x")})
	wantError(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
}

func TestOIDCProviderErrors(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	create := func(url string, mod func(*awsiam.CreateOpenIDConnectProviderInput)) error {
		in := &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(url), ThumbprintList: []string{strings.Repeat("a", 40)}}
		if mod != nil {
			mod(in)
		}
		_, err := a.CreateOpenIDConnectProvider(ctx, in)
		return err
	}
	for _, tc := range []struct{ name, url, code, msg string }{
		{"no scheme", "example.org", "ValidationError", "Invalid Open ID Connect Provider URL"},
		{"no host", "https://", "ValidationError", "Invalid Open ID Connect Provider URL"},
		{"http", "http://example.com", "InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://."},
		{"user", "https://user:pass@example.com", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"query", "https://example.com?foo=1", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"fragment", "https://example.com#frag", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"port", "https://example.com:8443", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"host characters", "https://exa_mple.com", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"space", "https://example.com/a b", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"too long", "https://" + strings.Repeat("a", 250) + ".com", "ValidationError", ""},
	} {
		t.Run(tc.name, func(t *testing.T) { wantError(t, create(tc.url, nil), tc.code, tc.msg) })
	}
	t.Run("six thumbprints", func(t *testing.T) {
		err := create("https://six.example.com", func(in *awsiam.CreateOpenIDConnectProviderInput) {
			in.ThumbprintList = nil
			for c := range "abcdef" {
				in.ThumbprintList = append(in.ThumbprintList, strings.Repeat(string(rune('a'+c)), 40))
			}
		})
		wantError(t, err, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
	})
	t.Run("short thumbprint", func(t *testing.T) {
		wantCode(t, create("https://short.example.com", func(in *awsiam.CreateOpenIDConnectProviderInput) {
			in.ThumbprintList = []string{strings.Repeat("a", 39)}
		}), "ValidationError")
	})
	t.Run("101 client IDs", func(t *testing.T) {
		err := create("https://clients.example.com", func(in *awsiam.CreateOpenIDConnectProviderInput) {
			for i := range 101 {
				in.ClientIDList = append(in.ClientIDList, fmt.Sprint(i))
			}
		})
		wantError(t, err, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	})
	t.Run("duplicate tag keys", func(t *testing.T) {
		err := create("https://tags.example.com", func(in *awsiam.CreateOpenIDConnectProviderInput) {
			in.Tags = []types.Tag{{Key: aws.String("key"), Value: aws.String("1")}, {Key: aws.String("KEY"), Value: aws.String("2")}}
		})
		wantError(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	})

	// Five thumbprints is the most; any 40 characters will do.
	if err := create("https://five.example.com", func(in *awsiam.CreateOpenIDConnectProviderInput) {
		in.ThumbprintList = []string{strings.Repeat("1", 40), strings.Repeat("2", 40), strings.Repeat("3", 40), strings.Repeat("4", 40), strings.Repeat("z", 40)}
	}); err != nil {
		t.Fatal(err)
	}
	t.Run("same URL", func(t *testing.T) {
		wantError(t, create("https://five.example.com", nil), "EntityAlreadyExists", "Provider with url https://five.example.com already exists.")
	})
	five := aws.String(oidcARN("five.example.com"))
	t.Run("update with no thumbprint", func(t *testing.T) {
		_, err := a.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: five, ThumbprintList: []string{}})
		if apiCode(err) != "InvalidInput" && apiCode(err) != "ValidationError" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("update with six thumbprints", func(t *testing.T) {
		_, err := a.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: five,
			ThumbprintList: []string{strings.Repeat("1", 40), strings.Repeat("2", 40), strings.Repeat("3", 40), strings.Repeat("4", 40), strings.Repeat("5", 40), strings.Repeat("6", 40)}})
		wantError(t, err, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
	})
	t.Run("101st client ID", func(t *testing.T) {
		for i := range 100 {
			must[*awsiam.AddClientIDToOpenIDConnectProviderOutput](t)(a.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: five, ClientID: aws.String(fmt.Sprint("c", i))}))
		}
		// Adding one that is there is still fine.
		must[*awsiam.AddClientIDToOpenIDConnectProviderOutput](t)(a.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: five, ClientID: aws.String("c7")}))
		_, err := a.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: five, ClientID: aws.String("c100")})
		wantError(t, err, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	})
	t.Run("wrong resource type", func(t *testing.T) {
		_, err := a.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::" + testAccount + ":role/some-role")})
		wantError(t, err, "ValidationError", "Invalid resource type in ARN")
	})
	t.Run("quota", func(t *testing.T) {
		for i := 1; i < 100; i++ {
			if err := create(fmt.Sprintf("https://p%02d.example.com", i), nil); err != nil {
				t.Fatal(i, err)
			}
		}
		wantError(t, create("https://one-more.example.com", nil), "LimitExceeded", "Cannot exceed quota for OpenIDConnectProvidersPerAccount: 100")
	})
}

func TestFederationAuthorization(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	doc, _ := newMetadata(t, "https://idp.example.com")
	for _, name := range []string{"Mine", "Theirs"} {
		must[*awsiam.CreateSAMLProviderOutput](t)(a.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: aws.String(doc),
			Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String(name)}}}))
		must[*awsiam.CreateOpenIDConnectProviderOutput](t)(a.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://" + strings.ToLower(name) + ".example.com"),
			Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String(name)}}}))
	}
	alice, _ := h.newUserWithKey("alice")
	denied := func(t *testing.T, err error, action, resource string) {
		t.Helper()
		wantError(t, err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:"+action+
			" on resource: "+resource+" because no identity-based policy allows the iam:"+action+" action")
	}

	// With no policy, nothing; and a provider that does not exist is not revealed.
	_, err := alice.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})
	denied(t, err, "ListSAMLProviders", samlARN("*"))
	_, err = alice.ListOpenIDConnectProviders(ctx, &awsiam.ListOpenIDConnectProvidersInput{})
	denied(t, err, "ListOpenIDConnectProviders", oidcARN("*"))
	_, err = alice.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("Nobody"))})
	denied(t, err, "GetSAMLProvider", samlARN("Nobody"))
	_, err = alice.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("mine.example.com"))})
	denied(t, err, "DeleteOpenIDConnectProvider", oidcARN("mine.example.com"))
	_, err = alice.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://new.example.com/path")})
	denied(t, err, "CreateOpenIDConnectProvider", oidcARN("new.example.com/path"))

	policy := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["iam:GetSAMLProvider","iam:GetOpenIDConnectProvider","iam:UpdateSAMLProvider"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"Mine"}}},
 {"Effect":"Allow","Action":["iam:ListSAMLProviders","iam:ListOpenIDConnectProviders"],"Resource":"*"},
 {"Effect":"Allow","Action":["iam:CreateSAMLProvider","iam:CreateOpenIDConnectProvider","iam:TagSAMLProvider"],"Resource":["arn:aws:iam::*:saml-provider/*","arn:aws:iam::*:oidc-provider/*"],"Condition":{"StringEqualsIfExists":{"aws:RequestTag/owner":"alice"}}},
 {"Effect":"Deny","Action":"iam:UntagOpenIDConnectProvider","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"owner"}}},
 {"Effect":"Allow","Action":"iam:UntagOpenIDConnectProvider","Resource":"arn:aws:iam::*:oidc-provider/mine.example.com"}
]}`
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("fed"), PolicyDocument: aws.String(policy)}))

	must[*awsiam.ListSAMLProvidersOutput](t)(alice.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{}))
	must[*awsiam.ListOpenIDConnectProvidersOutput](t)(alice.ListOpenIDConnectProviders(ctx, &awsiam.ListOpenIDConnectProvidersInput{}))
	must[*awsiam.GetSAMLProviderOutput](t)(alice.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("Mine"))}))
	must[*awsiam.GetOpenIDConnectProviderOutput](t)(alice.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("mine.example.com"))}))
	_, err = alice.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("Theirs"))})
	denied(t, err, "GetSAMLProvider", samlARN("Theirs"))
	_, err = alice.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("theirs.example.com"))})
	denied(t, err, "GetOpenIDConnectProvider", oidcARN("theirs.example.com"))
	// Allowed by tag, so the caller may learn it is gone... but only where
	// the resource tag condition can hold.
	_, err = alice.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("Nobody"))})
	denied(t, err, "GetSAMLProvider", samlARN("Nobody"))

	// aws:RequestTag on create and tag.
	_, err = alice.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("New"), SAMLMetadataDocument: aws.String(doc),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("bob")}}})
	denied(t, err, "CreateSAMLProvider", samlARN("New"))
	must[*awsiam.CreateSAMLProviderOutput](t)(alice.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("New"), SAMLMetadataDocument: aws.String(doc),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("alice")}}}))
	must[*awsiam.CreateOpenIDConnectProviderOutput](t)(alice.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://new.example.com")}))
	_, err = alice.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(samlARN("New")), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("eve")}}})
	denied(t, err, "TagSAMLProvider", samlARN("New"))

	// aws:TagKeys on untag, with an explicit deny.
	must[*awsiam.UntagOpenIDConnectProviderOutput](t)(alice.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("mine.example.com")), TagKeys: []string{"other"}}))
	_, err = alice.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("mine.example.com")), TagKeys: []string{"owner"}})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:UntagOpenIDConnectProvider on resource: "+
		oidcARN("mine.example.com")+" with an explicit deny in an identity-based policy")
}
