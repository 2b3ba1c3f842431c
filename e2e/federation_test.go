package e2e_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// samlMetadata writes a SAML 2.0 IdP metadata document with a new
// self-signed signing certificate, as an IdP would export it.
func samlMetadata(t *testing.T, path, entityID string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: entityID, Organization: []string{"Gatehouse e2e identity provider"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entityID + `">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
        <X509Data>
          <X509Certificate>` + base64.StdEncoding.EncodeToString(der) + `</X509Certificate>
        </X509Data>
      </KeyInfo>
    </KeyDescriptor>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:emailAddress</NameIDFormat>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + entityID + `/sso/redirect"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + entityID + `/sso/post"/>
  </IDPSSODescriptor>
</EntityDescriptor>
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFederationCLI drives SAML and OIDC providers with the aws CLI and
// boto3 against the binary.
func TestFederationCLI(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, dir)
	run := jsonCLI(t, awsCLI(t, dir))
	ok := mustJSON(t, run)

	// SAML.
	samlMetadata(t, filepath.Join(dir, "metadata.xml"), "https://idp.example.com/saml")
	v := ok("create-saml-provider", "--saml-metadata-document", "file://metadata.xml", "--name", "ExampleIdP", "--tags", "Key=team,Value=blue")
	samlArn, _ := v["SAMLProviderArn"].(string)
	if !strings.HasPrefix(samlArn, "arn:aws:iam::") || !strings.HasSuffix(samlArn, ":saml-provider/ExampleIdP") {
		t.Fatalf("create-saml-provider = %v", v)
	}
	v = ok("get-saml-provider", "--saml-provider-arn", samlArn)
	metadata, _ := os.ReadFile(filepath.Join(dir, "metadata.xml"))
	if v["SAMLMetadataDocument"] != string(metadata) || v["AssertionEncryptionMode"] != "Allowed" || v["ValidUntil"] == nil || v["CreateDate"] == nil {
		t.Fatalf("get-saml-provider = %v", v)
	}
	v = ok("list-saml-providers")
	if list, _ := v["SAMLProviderList"].([]any); len(list) != 1 || list[0].(map[string]any)["Arn"] != samlArn {
		t.Fatalf("list-saml-providers = %v", v)
	}
	os.WriteFile(filepath.Join(dir, "bad.xml"), []byte("<notmetadata>"+strings.Repeat("x", 1200)+"</notmetadata>"), 0o600)
	if _, out, err := run("create-saml-provider", "--saml-metadata-document", "file://bad.xml", "--name", "Bad"); err == nil ||
		!strings.Contains(out, "(InvalidInput)") || !strings.Contains(out, "Could not parse metadata") {
		t.Fatalf("bad metadata: %v\n%s", err, out)
	}
	ok("delete-saml-provider", "--saml-provider-arn", samlArn)
	if _, out, err := run("get-saml-provider", "--saml-provider-arn", samlArn); err == nil || !strings.Contains(out, "(NoSuchEntity)") {
		t.Fatalf("get after delete: %v\n%s", err, out)
	}

	// OIDC.
	thumb := "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	v = ok("create-open-id-connect-provider", "--url", "https://oidc.example.com/id/ABC123",
		"--client-id-list", "sts.amazonaws.com", "my-app", "--thumbprint-list", thumb)
	oidcArn, _ := v["OpenIDConnectProviderArn"].(string)
	if !strings.HasSuffix(oidcArn, ":oidc-provider/oidc.example.com/id/ABC123") {
		t.Fatalf("create-open-id-connect-provider = %v", v)
	}
	ok("add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", oidcArn, "--client-id", "another")
	ok("remove-client-id-from-open-id-connect-provider", "--open-id-connect-provider-arn", oidcArn, "--client-id", "my-app")
	ok("tag-open-id-connect-provider", "--open-id-connect-provider-arn", oidcArn, "--tags", "Key=env,Value=ci")
	v = ok("get-open-id-connect-provider", "--open-id-connect-provider-arn", oidcArn)
	if v["Url"] != "oidc.example.com/id/ABC123" {
		t.Fatalf("get-open-id-connect-provider = %v", v)
	}
	if b, _ := json.Marshal([]any{v["ClientIDList"], v["ThumbprintList"], v["Tags"]}); string(b) != `[["sts.amazonaws.com","another"],["`+thumb+`"],[{"Key":"env","Value":"ci"}]]` {
		t.Fatalf("get-open-id-connect-provider = %s", b)
	}
	if _, out, err := run("create-open-id-connect-provider", "--url", "http://oidc.example.com"); err == nil ||
		!strings.Contains(out, "(InvalidInput)") || !strings.Contains(out, "The URL must begin with https://.") {
		t.Fatalf("http URL: %v\n%s", err, out)
	}

	// boto3 sees the same provider, and its errors as modeled exceptions.
	if !haveBoto3() {
		t.Log("boto3 not installed; skipping the boto3 half")
		return
	}
	script := `
arn = sys.argv[1]
assert [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]] == [arn]
iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["A" * 40])
assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == ["a" * 40]
try:
    iam.create_open_id_connect_provider(Url="https://oidc.example.com/id/ABC123")
    raise SystemExit("duplicate accepted")
except iam.exceptions.EntityAlreadyExistsException as e:
    assert e.response["Error"]["Message"] == "Provider with url https://oidc.example.com/id/ABC123 already exists.", e.response
iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
try:
    iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    raise SystemExit("deleted provider found")
except iam.exceptions.NoSuchEntityException as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
print("ok")
`
	boto3(t, p, script, oidcArn)
}
