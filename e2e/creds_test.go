package e2e_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestCredsCLI drives SSH keys, server certificates and service-specific
// credentials with the aws CLI against the real binary, the files
// passed as file:// arguments as users do.
func TestCredsCLI(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	run := awsCLI(t, dir)
	runJSON := func(v any, args ...string) {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}

	// Generated key pair and self-signed certificate, written to files.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "www.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour).Truncate(time.Second),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	certFile := write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyFile := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	sshPub, _ := ssh.NewPublicKey(&key.PublicKey)
	pubFile := write("id_rsa.pub", ssh.MarshalAuthorizedKey(sshPub))

	var sc struct {
		ServerCertificateMetadata struct{ ServerCertificateId, Arn, Expiration string }
	}
	runJSON(&sc, "upload-server-certificate", "--server-certificate-name", "x", "--path", "/web/", "--certificate-body", certFile, "--private-key", keyFile)
	if m := sc.ServerCertificateMetadata; !strings.HasPrefix(m.ServerCertificateId, "ASCA") || !strings.HasSuffix(m.Arn, ":server-certificate/web/x") {
		t.Fatalf("upload-server-certificate = %+v", m)
	}
	if exp, err := time.Parse(time.RFC3339, sc.ServerCertificateMetadata.Expiration); err != nil || !exp.Equal(tmpl.NotAfter) {
		t.Fatalf("Expiration = %s (%v), want %s", sc.ServerCertificateMetadata.Expiration, err, tmpl.NotAfter)
	}
	out, err := run("get-server-certificate", "--server-certificate-name", "x")
	if err != nil || !strings.Contains(out, "BEGIN CERTIFICATE") || strings.Contains(out, "PRIVATE KEY") {
		t.Fatalf("get-server-certificate: %v\n%s", err, out)
	}
	out, err = run("upload-server-certificate", "--server-certificate-name", "y", "--certificate-body", keyFile, "--private-key", keyFile)
	if err == nil || !strings.Contains(out, "MalformedCertificate") {
		t.Fatalf("upload of a key as certificate: %v\n%s", err, out)
	}
	out, err = run("list-server-certificates", "--path-prefix", "/web/", "--query", "ServerCertificateMetadataList[].ServerCertificateName", "--output", "text")
	if err != nil || strings.TrimSpace(out) != "x" {
		t.Fatalf("list-server-certificates: %v\n%s", err, out)
	}

	if out, err := run("create-user", "--user-name", "git"); err != nil {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	var up struct {
		SSHPublicKey struct{ SSHPublicKeyId, Fingerprint, Status string }
	}
	runJSON(&up, "upload-ssh-public-key", "--user-name", "git", "--ssh-public-key-body", pubFile)
	if k := up.SSHPublicKey; !strings.HasPrefix(k.SSHPublicKeyId, "APKA") || k.Fingerprint != ssh.FingerprintLegacyMD5(sshPub) || k.Status != "Active" {
		t.Fatalf("upload-ssh-public-key = %+v", k)
	}
	out, err = run("list-ssh-public-keys", "--user-name", "git", "--query", "SSHPublicKeys[].SSHPublicKeyId", "--output", "text")
	if err != nil || strings.TrimSpace(out) != up.SSHPublicKey.SSHPublicKeyId {
		t.Fatalf("list-ssh-public-keys: %v\n%s", err, out)
	}
	out, err = run("get-ssh-public-key", "--user-name", "git", "--ssh-public-key-id", up.SSHPublicKey.SSHPublicKeyId, "--encoding", "PEM", "--query", "SSHPublicKey.SSHPublicKeyBody", "--output", "text")
	if err != nil || !strings.Contains(out, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("get-ssh-public-key PEM: %v\n%s", err, out)
	}
	out, err = run("upload-ssh-public-key", "--user-name", "git", "--ssh-public-key-body", pubFile)
	if err == nil || !strings.Contains(out, "DuplicateSSHPublicKey") {
		t.Fatalf("duplicate upload: %v\n%s", err, out)
	}

	var cred struct {
		ServiceSpecificCredential struct{ ServiceSpecificCredentialId, ServiceUserName, ServicePassword string }
	}
	runJSON(&cred, "create-service-specific-credential", "--user-name", "git", "--service-name", "codecommit.amazonaws.com")
	if c := cred.ServiceSpecificCredential; !strings.HasPrefix(c.ServiceSpecificCredentialId, "ACCA") || !strings.HasPrefix(c.ServiceUserName, "git-at-") || c.ServicePassword == "" {
		t.Fatalf("create-service-specific-credential = %+v", c)
	}
	out, err = run("list-service-specific-credentials", "--user-name", "git")
	if err != nil || !strings.Contains(out, cred.ServiceSpecificCredential.ServiceSpecificCredentialId) || strings.Contains(out, cred.ServiceSpecificCredential.ServicePassword) {
		t.Fatalf("list-service-specific-credentials: %v\n%s", err, out)
	}
	out, err = run("delete-user", "--user-name", "git")
	if err == nil || !strings.Contains(out, "DeleteConflict") {
		t.Fatalf("delete-user with credentials: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"delete-service-specific-credential", "--user-name", "git", "--service-specific-credential-id", cred.ServiceSpecificCredential.ServiceSpecificCredentialId},
		{"delete-ssh-public-key", "--user-name", "git", "--ssh-public-key-id", up.SSHPublicKey.SSHPublicKeyId},
		{"delete-user", "--user-name", "git"},
		{"delete-server-certificate", "--server-certificate-name", "x"},
	} {
		if out, err := run(args...); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	out, err = run("get-server-certificate", "--server-certificate-name", "x")
	if err == nil || !strings.Contains(out, "The Server Certificate with name x cannot be found.") {
		t.Fatalf("get-server-certificate after delete: %v\n%s", err, out)
	}
}

// TestCredsBoto3 uploads a signing certificate and rotates a Bedrock API
// key with boto3.
func TestCredsBoto3(t *testing.T) {
	needBoto3(t)
	dir := t.TempDir()
	p := serve(t, dir)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "signer"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	script := `
import base64
iam.create_user(UserName="signer")
cert = iam.upload_signing_certificate(UserName="signer", CertificateBody=sys.argv[1])["Certificate"]
assert cert["Status"] == "Active" and len(cert["CertificateId"]) == 32, cert
try:
    iam.upload_signing_certificate(UserName="signer", CertificateBody=sys.argv[1])
    raise SystemExit("duplicate accepted")
except iam.exceptions.DuplicateCertificateException as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 409
iam.update_signing_certificate(UserName="signer", CertificateId=cert["CertificateId"], Status="Inactive")
certs = iam.list_signing_certificates(UserName="signer")["Certificates"]
assert [c["Status"] for c in certs] == ["Inactive"], certs
key = iam.create_service_specific_credential(UserName="signer", ServiceName="bedrock.amazonaws.com", CredentialAgeDays=7)["ServiceSpecificCredential"]
assert key["ServiceCredentialSecret"].startswith("ABSK"), key
assert (key["ExpirationDate"] - key["CreateDate"]).days == 7, key
alias = base64.b64decode(key["ServiceCredentialSecret"][4:]).decode().split(":")[0]
assert alias == key["ServiceCredentialAlias"], (alias, key)
new = iam.reset_service_specific_credential(UserName="signer", ServiceSpecificCredentialId=key["ServiceSpecificCredentialId"])["ServiceSpecificCredential"]
assert new["ServiceCredentialSecret"] != key["ServiceCredentialSecret"], new
try:
    iam.create_service_specific_credential(UserName="signer", ServiceName="s3.amazonaws.com")
    raise SystemExit("unsupported service accepted")
except iam.exceptions.NoSuchEntityException as e:
    # AWS answers NoSuchEntity, not the model's NotSupportedService.
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert e.response["Error"]["Message"] == "No such service s3.amazonaws.com is supported for Service Specific Credentials", e.response
print("ok")
`
	boto3(t, p, script, certPEM)
}
