package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/iam"
	"github.com/gatehouse/gatehouse/server"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

// dataContains reports whether any file of the data directory (the
// database and its WAL) contains s.
func dataContains(t *testing.T, dir, s string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// allowPolicy gives a user an inline policy allowing actions on resource.
func allowPolicy(t *testing.T, h *harness, userName, resource string, actions ...string) {
	t.Helper()
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["%s"],"Resource":"%s"}]}`, strings.Join(actions, `","`), resource)
	must[*awsiam.PutUserPolicyOutput](t)(h.admin().PutUserPolicy(context.Background(), &awsiam.PutUserPolicyInput{
		UserName: aws.String(userName), PolicyName: aws.String("creds"), PolicyDocument: aws.String(doc),
	}))
}

func recent(t *testing.T, what string, ts *time.Time) {
	t.Helper()
	if ts == nil || time.Since(*ts) > time.Minute || time.Until(*ts) > time.Minute {
		t.Fatalf("%s = %v, want about now", what, ts)
	}
}

var (
	sshKeyID      = regexp.MustCompile(`^APKA[A-Z2-7]{16}$`) // 20 characters, as AWS's
	serverCertID  = regexp.MustCompile(`^ASCA[A-Z2-7]{17}$`)
	serviceCredID = regexp.MustCompile(`^ACCA[A-Z2-7]{17}$`)
	signingCertID = regexp.MustCompile(`^[A-Z0-9]{32}$`)
)

// TestSSHPublicKeys uploads, reads in both encodings, updates, lists and
// deletes SSH public keys, with AWS's errors and quota.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetSSHPublicKey.html
func TestSSHPublicKeys(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}))
	user := aws.String("bob")

	k0 := rsaKey(t, 0)
	body := sshAuthorized(t, &k0.PublicKey, "bob@laptop")
	up := must[*awsiam.UploadSSHPublicKeyOutput](t)(a.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(body)}))
	k := up.SSHPublicKey
	sp, _ := ssh.NewPublicKey(&k0.PublicKey)
	wantFP := ssh.FingerprintLegacyMD5(sp) // colon-separated hex
	if !sshKeyID.MatchString(*k.SSHPublicKeyId) || *k.UserName != "bob" || *k.Fingerprint != wantFP || k.Status != types.StatusTypeActive || *k.SSHPublicKeyBody != body {
		t.Fatalf("UploadSSHPublicKey = %+v (want fingerprint %s)", k, wantFP)
	}
	recent(t, "UploadDate", k.UploadDate)

	// GetSSHPublicKey answers in the encoding asked for.
	got := must[*awsiam.GetSSHPublicKeyOutput](t)(a.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypeSsh}))
	if *got.SSHPublicKey.SSHPublicKeyBody != body || *got.SSHPublicKey.Fingerprint != wantFP {
		t.Fatalf("Get SSH = %+v", got.SSHPublicKey)
	}
	got = must[*awsiam.GetSSHPublicKeyOutput](t)(a.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypePem}))
	block, _ := pem.Decode([]byte(*got.SSHPublicKey.SSHPublicKeyBody))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("Get PEM body = %q", *got.SSHPublicKey.SSHPublicKeyBody)
	}
	if pub, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil || !k0.PublicKey.Equal(pub) {
		t.Fatalf("Get PEM: %v, key equal %v", err, err == nil && k0.PublicKey.Equal(pub))
	}

	// A PEM upload, read back as ssh-rsa.
	k1 := rsaKey(t, 1)
	up1 := must[*awsiam.UploadSSHPublicKeyOutput](t)(a.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(pemPKIX(t, &k1.PublicKey))}))
	got = must[*awsiam.GetSSHPublicKeyOutput](t)(a.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: up1.SSHPublicKey.SSHPublicKeyId, Encoding: types.EncodingTypeSsh}))
	if want := sshAuthorized(t, &k1.PublicKey, ""); *got.SSHPublicKey.SSHPublicKeyBody != want {
		t.Fatalf("PEM key as SSH = %q, want %q", *got.SSHPublicKey.SSHPublicKeyBody, want)
	}

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k0.PublicKey)}))
	for _, tc := range []struct{ name, body, code string }{
		{"same key again", body, "DuplicateSSHPublicKey"},
		{"same key as PKCS #1 PEM", pkcs1, "DuplicateSSHPublicKey"},
		{"ed25519", sshAuthorized(t, edPub, ""), "UnrecognizedPublicKeyEncoding"},
		{"ecdsa PEM", pemPKIX(t, &ecKey.PublicKey), "UnrecognizedPublicKeyEncoding"},
		{"not a key", "hello world", "UnrecognizedPublicKeyEncoding"},
		{"RFC 4716", "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----", "UnrecognizedPublicKeyEncoding"},
		{"bad base64", "ssh-rsa AAAA!!!notbase64", "InvalidPublicKey"},
		{"truncated", body[:60], "InvalidPublicKey"},
		{"bad PEM", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "InvalidPublicKey"},
		{"1024 bits", sshAuthorized(t, &small.PublicKey, ""), "InvalidPublicKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(tc.body)})
			wantCode(t, err, tc.code)
		})
	}

	// Status: Active or Inactive; Expired is not for callers to set.
	must[*awsiam.UpdateSSHPublicKeyOutput](t)(a.UpdateSSHPublicKey(ctx, &awsiam.UpdateSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Status: types.StatusTypeInactive}))
	_, err = a.UpdateSSHPublicKey(ctx, &awsiam.UpdateSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Status: types.StatusTypeExpired})
	wantCode(t, err, "InvalidInput")
	list := must[*awsiam.ListSSHPublicKeysOutput](t)(a.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: user}))
	if len(list.SSHPublicKeys) != 2 || *list.SSHPublicKeys[0].SSHPublicKeyId != *k.SSHPublicKeyId || list.SSHPublicKeys[0].Status != types.StatusTypeInactive || list.SSHPublicKeys[1].Status != types.StatusTypeActive {
		t.Fatalf("ListSSHPublicKeys = %+v", list.SSHPublicKeys)
	}
	page := must[*awsiam.ListSSHPublicKeysOutput](t)(a.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: user, MaxItems: aws.Int32(1)}))
	if len(page.SSHPublicKeys) != 1 || !page.IsTruncated {
		t.Fatalf("page 1 = %+v", page)
	}
	page = must[*awsiam.ListSSHPublicKeysOutput](t)(a.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: user, Marker: page.Marker}))
	if len(page.SSHPublicKeys) != 1 || page.IsTruncated || *page.SSHPublicKeys[0].SSHPublicKeyId != *up1.SSHPublicKey.SSHPublicKeyId {
		t.Fatalf("page 2 = %+v", page)
	}
	// The calling admin has no keys of its own.
	mine := must[*awsiam.ListSSHPublicKeysOutput](t)(a.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{}))
	if len(mine.SSHPublicKeys) != 0 {
		t.Fatalf("caller's keys = %+v", mine.SSHPublicKeys)
	}

	for _, tc := range []struct {
		name, code, msg string
		call            func() error
	}{
		{"no such key", "NoSuchEntity", "The Public Key with id APKAAAAAAAAAAAAAAAAAA cannot be found.", func() error {
			_, err := a.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: aws.String("APKAAAAAAAAAAAAAAAAAA"), Encoding: types.EncodingTypeSsh})
			return err
		}},
		{"no such user", "NoSuchEntity", "The user with name nobody cannot be found.", func() error {
			_, err := a.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("nobody"), SSHPublicKeyBody: aws.String(body)})
			return err
		}},
		{"key of another user", "NoSuchEntity", "The Public Key with id " + *k.SSHPublicKeyId + " cannot be found.", func() error {
			_, err := a.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: aws.String("admin"), SSHPublicKeyId: k.SSHPublicKeyId})
			return err
		}},
		{"user with keys", "DeleteConflict", "Cannot delete entity, must delete SSH public keys first.", func() error {
			_, err := a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, tc.code)
			if apiMessage(err) != tc.msg {
				t.Fatalf("message = %q, want %q", apiMessage(err), tc.msg)
			}
		})
	}

	t.Run("quota", func(t *testing.T) {
		for i := 2; i < 5; i++ {
			must[*awsiam.UploadSSHPublicKeyOutput](t)(a.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(sshAuthorized(t, &rsaKey(t, i).PublicKey, ""))}))
		}
		_, err := a.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(sshAuthorized(t, &rsaKey(t, 5).PublicKey, ""))})
		wantCode(t, err, "LimitExceeded")
		if apiMessage(err) != "Cannot exceed quota for PublicKeysPerUser: 5" {
			t.Fatalf("message = %q", apiMessage(err))
		}
	})

	t.Run("access denied", func(t *testing.T) {
		eve, _ := h.newUserWithKey("eve")
		_, err := eve.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(body)})
		wantCode(t, err, "AccessDenied")
		want := "User: arn:aws:iam::" + testAccount + ":user/eve is not authorized to perform: iam:UploadSSHPublicKey on resource: arn:aws:iam::" + testAccount + ":user/bob because no identity-based policy allows the iam:UploadSSHPublicKey action"
		if apiMessage(err) != want {
			t.Fatalf("message = %q\nwant      %q", apiMessage(err), want)
		}
		// Not even whether a key exists is revealed.
		_, err = eve.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: aws.String("ghost"), SSHPublicKeyId: aws.String("APKAAAAAAAAAAAAAAAAAA"), Encoding: types.EncodingTypeSsh})
		wantCode(t, err, "AccessDenied")
		// Users may manage their own keys when a policy says so.
		allowPolicy(t, h, "eve", "arn:aws:iam::*:user/${aws:username}", "iam:UploadSSHPublicKey", "iam:ListSSHPublicKeys")
		must[*awsiam.UploadSSHPublicKeyOutput](t)(eve.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("eve"), SSHPublicKeyBody: aws.String(body)}))
		own := must[*awsiam.ListSSHPublicKeysOutput](t)(eve.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{}))
		if len(own.SSHPublicKeys) != 1 || *own.SSHPublicKeys[0].UserName != "eve" {
			t.Fatalf("eve's own keys = %+v", own.SSHPublicKeys)
		}
	})

	// Everything survives a restart; deleting the keys frees the user.
	h.restart()
	a = h.admin()
	list = must[*awsiam.ListSSHPublicKeysOutput](t)(a.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: user}))
	if len(list.SSHPublicKeys) != 5 || list.SSHPublicKeys[0].Status != types.StatusTypeInactive {
		t.Fatalf("after restart: %+v", list.SSHPublicKeys)
	}
	got = must[*awsiam.GetSSHPublicKeyOutput](t)(a.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypeSsh}))
	if *got.SSHPublicKey.Fingerprint != wantFP || !got.SSHPublicKey.UploadDate.Equal(*k.UploadDate) {
		t.Fatalf("after restart: %+v", got.SSHPublicKey)
	}
	for _, m := range list.SSHPublicKeys {
		must[*awsiam.DeleteSSHPublicKeyOutput](t)(a.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: m.SSHPublicKeyId}))
	}
	_, err = a.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypeSsh})
	wantCode(t, err, "NoSuchEntity")
	must[*awsiam.DeleteUserOutput](t)(a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user}))
}

// TestSigningCertificates covers X.509 signing certificates: upload
// (Active, by default for the caller), the certificate checks, the
// quota, status changes, listing and deletion.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSigningCertificate.html
func TestSigningCertificates(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")}))
	user := aws.String("carol")
	c0, _ := makeCert(t, rsaKey(t, 0), certSpec{cn: "carol"})

	up := must[*awsiam.UploadSigningCertificateOutput](t)(a.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(c0)}))
	c := up.Certificate
	if !signingCertID.MatchString(*c.CertificateId) || *c.UserName != "carol" || *c.CertificateBody != c0 || c.Status != types.StatusTypeActive {
		t.Fatalf("UploadSigningCertificate = %+v", c)
	}
	recent(t, "UploadDate", c.UploadDate)

	// Without UserName the certificate is the caller's.
	mineBody, _ := makeCert(t, rsaKey(t, 1), certSpec{cn: "admin"})
	mine := must[*awsiam.UploadSigningCertificateOutput](t)(a.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(mineBody)}))
	if *mine.Certificate.UserName != "admin" {
		t.Fatalf("caller's certificate = %+v", mine.Certificate)
	}
	own := must[*awsiam.ListSigningCertificatesOutput](t)(a.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{}))
	if len(own.Certificates) != 1 || *own.Certificates[0].CertificateId != *mine.Certificate.CertificateId {
		t.Fatalf("caller's certificates = %+v", own.Certificates)
	}
	must[*awsiam.DeleteSigningCertificateOutput](t)(a.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: mine.Certificate.CertificateId}))

	expired, _ := makeCert(t, rsaKey(t, 2), certSpec{cn: "old", notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-24 * time.Hour)})
	future, _ := makeCert(t, rsaKey(t, 2), certSpec{cn: "new", notBefore: time.Now().Add(24 * time.Hour), notAfter: time.Now().Add(48 * time.Hour)})
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edCert, _ := makeCert(t, edKey, certSpec{cn: "ed"})
	for _, tc := range []struct{ name, body, code, msg string }{
		// AWS quotes the body (recorded:
		// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_signing_certificates.snapshot.json).
		{"not PEM", "hello", "MalformedCertificate", "Certificate hello is malformed."},
		{"bad DER", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "MalformedCertificate", "Certificate -----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n is malformed."},
		{"expired", expired, "MalformedCertificate", "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed."},
		{"not yet valid", future, "MalformedCertificate", ""},
		{"ed25519", edCert, "InvalidCertificate", ""},
		{"same certificate", c0, "DuplicateCertificate", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("admin"), CertificateBody: aws.String(tc.body)})
			wantCode(t, err, tc.code)
			if tc.msg != "" && apiMessage(err) != tc.msg {
				t.Fatalf("message = %q, want %q", apiMessage(err), tc.msg)
			}
		})
	}

	c1, _ := makeCert(t, rsaKey(t, 3), certSpec{cn: "carol 2"})
	up1 := must[*awsiam.UploadSigningCertificateOutput](t)(a.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(c1)}))
	c2, _ := makeCert(t, rsaKey(t, 4), certSpec{cn: "carol 3"})
	_, err := a.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(c2)})
	wantCode(t, err, "LimitExceeded")
	if apiMessage(err) != "Cannot exceed quota for CertificatesPerUser: 2" {
		t.Fatalf("message = %q", apiMessage(err))
	}

	must[*awsiam.UpdateSigningCertificateOutput](t)(a.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{UserName: user, CertificateId: c.CertificateId, Status: types.StatusTypeInactive}))
	_, err = a.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{UserName: user, CertificateId: c.CertificateId, Status: types.StatusTypeExpired})
	wantCode(t, err, "InvalidInput")
	_, err = a.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{UserName: user, CertificateId: aws.String("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"), Status: types.StatusTypeActive})
	wantCode(t, err, "NoSuchEntity")
	if apiMessage(err) != "The Certificate with id ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 cannot be found." {
		t.Fatalf("message = %q", apiMessage(err))
	}
	_, err = a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user})
	wantCode(t, err, "DeleteConflict")
	if apiMessage(err) != "Cannot delete entity, must delete signing certificates first." {
		t.Fatalf("message = %q", apiMessage(err))
	}

	eve, _ := h.newUserWithKey("eve")
	_, err = eve.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: user})
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(apiMessage(err), "iam:ListSigningCertificates on resource: arn:aws:iam::"+testAccount+":user/carol ") {
		t.Fatalf("message = %q", apiMessage(err))
	}

	h.restart()
	a = h.admin()
	list := must[*awsiam.ListSigningCertificatesOutput](t)(a.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: user}))
	if len(list.Certificates) != 2 || *list.Certificates[0].CertificateId != *c.CertificateId || list.Certificates[0].Status != types.StatusTypeInactive ||
		*list.Certificates[1].CertificateId != *up1.Certificate.CertificateId || *list.Certificates[1].CertificateBody != c1 {
		t.Fatalf("after restart: %+v", list.Certificates)
	}
	for _, sc := range list.Certificates {
		must[*awsiam.DeleteSigningCertificateOutput](t)(a.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{UserName: user, CertificateId: sc.CertificateId}))
	}
	must[*awsiam.DeleteUserOutput](t)(a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user}))
}

// TestServerCertificates covers server certificates: upload with path,
// chain and tags; the private key sealed and never returned; the
// certificate, key and chain checks; listing by path; renaming; tags;
// the account quota; authorization on old and new names.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadServerCertificate.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html
func TestServerCertificates(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()

	caKey, leafKey := rsaKey(t, 0), rsaKey(t, 1)
	caPEM, ca := makeCert(t, caKey, certSpec{cn: "Test CA", ca: true})
	leafPEM, leaf := makeCert(t, leafKey, certSpec{cn: "www.example.com", parent: ca, parentKey: caKey})
	keyPEM := pemPrivate(t, leafKey)

	up := must[*awsiam.UploadServerCertificateOutput](t)(a.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("web"), Path: aws.String("/cloudfront/test/"),
		CertificateBody: aws.String(leafPEM), PrivateKey: aws.String(keyPEM), CertificateChain: aws.String(caPEM),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	}))
	m := up.ServerCertificateMetadata
	if !serverCertID.MatchString(*m.ServerCertificateId) || *m.ServerCertificateName != "web" || *m.Path != "/cloudfront/test/" ||
		*m.Arn != "arn:aws:iam::"+testAccount+":server-certificate/cloudfront/test/web" || !m.Expiration.Equal(leaf.NotAfter) {
		t.Fatalf("UploadServerCertificate = %+v", m)
	}
	recent(t, "UploadDate", m.UploadDate)
	if len(up.Tags) != 1 || *up.Tags[0].Key != "env" {
		t.Fatalf("tags = %+v", up.Tags)
	}

	got := must[*awsiam.GetServerCertificateOutput](t)(a.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("web")}))
	sc := got.ServerCertificate
	if *sc.CertificateBody != strings.TrimSpace(leafPEM) || *sc.CertificateChain != strings.TrimSpace(caPEM) || *sc.ServerCertificateMetadata.ServerCertificateId != *m.ServerCertificateId || len(sc.Tags) != 1 {
		t.Fatalf("GetServerCertificate = %+v", sc)
	}
	// The private key is sealed at rest.
	keyLine := strings.Split(keyPEM, "\n")[5]
	if dataContains(t, h.dir, keyLine) {
		t.Fatal("the private key is stored in the clear")
	}

	otherKey := rsaKey(t, 2)
	otherPEM, _ := makeCert(t, otherKey, certSpec{cn: "other"})
	expiredPEM, _ := makeCert(t, leafKey, certSpec{cn: "old", notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-time.Hour)})
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPEM, _ := makeCert(t, ecKey, certSpec{cn: "ec"})
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	ecKeyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}))
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(leafKey)}))
	upload := func(name, body, key, chain string) error {
		in := &awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String(name), CertificateBody: aws.String(body), PrivateKey: aws.String(key)}
		if chain != "" {
			in.CertificateChain = aws.String(chain)
		}
		_, err := a.UploadServerCertificate(ctx, in)
		return err
	}
	for _, tc := range []struct{ name, body, key, chain, code, msg string }{
		{"WEB", leafPEM, keyPEM, "", "EntityAlreadyExists", "The Server Certificate with name WEB already exists."},
		{"mismatch", leafPEM, pemPrivate(t, otherKey), "", "KeyPairMismatch", "Public key certificate and private key doesn't match."},
		{"bad body", "nope", keyPEM, "", "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format."},
		{"bad key", leafPEM, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "", "MalformedCertificate", ""},
		{"expired", expiredPEM, keyPEM, "", "MalformedCertificate", "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed."},
		{"wrong chain", leafPEM, keyPEM, otherPEM, "MalformedCertificate", "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: -1"},
		{"chain not PEM", leafPEM, keyPEM, "nope", "MalformedCertificate", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := upload(strings.ReplaceAll(tc.name, " ", "-"), tc.body, tc.key, tc.chain)
			wantCode(t, err, tc.code)
			if tc.msg != "" && apiMessage(err) != tc.msg {
				t.Fatalf("message = %q, want %q", apiMessage(err), tc.msg)
			}
		})
	}
	// ECDSA keys (SEC 1) and PKCS #1 RSA keys are taken too.
	if err := upload("ec", ecPEM, ecKeyPEM, ""); err != nil {
		t.Fatal(err)
	}
	if err := upload("pkcs1", leafPEM, pkcs1, ""); err != nil {
		t.Fatal(err)
	}

	list := must[*awsiam.ListServerCertificatesOutput](t)(a.ListServerCertificates(ctx, &awsiam.ListServerCertificatesInput{PathPrefix: aws.String("/cloudfront/")}))
	if len(list.ServerCertificateMetadataList) != 1 || *list.ServerCertificateMetadataList[0].ServerCertificateName != "web" {
		t.Fatalf("ListServerCertificates /cloudfront/ = %+v", list.ServerCertificateMetadataList)
	}
	list = must[*awsiam.ListServerCertificatesOutput](t)(a.ListServerCertificates(ctx, &awsiam.ListServerCertificatesInput{MaxItems: aws.Int32(2)}))
	if len(list.ServerCertificateMetadataList) != 2 || !list.IsTruncated || *list.ServerCertificateMetadataList[0].ServerCertificateName != "ec" {
		t.Fatalf("ListServerCertificates page 1 = %+v", list)
	}
	list = must[*awsiam.ListServerCertificatesOutput](t)(a.ListServerCertificates(ctx, &awsiam.ListServerCertificatesInput{Marker: list.Marker}))
	if len(list.ServerCertificateMetadataList) != 1 || list.IsTruncated || *list.ServerCertificateMetadataList[0].ServerCertificateName != "web" {
		t.Fatalf("ListServerCertificates page 2 = %+v", list)
	}

	// Rename and move.
	must[*awsiam.UpdateServerCertificateOutput](t)(a.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{
		ServerCertificateName: aws.String("web"), NewServerCertificateName: aws.String("www"), NewPath: aws.String("/prod/"),
	}))
	_, err := a.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("web")})
	wantCode(t, err, "NoSuchEntity")
	if apiMessage(err) != "The Server Certificate with name web cannot be found." {
		t.Fatalf("message = %q", apiMessage(err))
	}
	got = must[*awsiam.GetServerCertificateOutput](t)(a.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("www")}))
	if md := got.ServerCertificate.ServerCertificateMetadata; *md.Arn != "arn:aws:iam::"+testAccount+":server-certificate/prod/www" || *md.ServerCertificateId != *m.ServerCertificateId {
		t.Fatalf("after rename: %+v", md)
	}
	_, err = a.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("www"), NewServerCertificateName: aws.String("EC")})
	wantCode(t, err, "EntityAlreadyExists")
	_, err = a.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("ghost"), NewPath: aws.String("/x/")})
	wantCode(t, err, "NoSuchEntity")

	// Tags.
	must[*awsiam.TagServerCertificateOutput](t)(a.TagServerCertificate(ctx, &awsiam.TagServerCertificateInput{ServerCertificateName: aws.String("www"), Tags: []types.Tag{
		{Key: aws.String("ENV"), Value: aws.String("staging")}, {Key: aws.String("team"), Value: aws.String("web")},
	}}))
	tags := must[*awsiam.ListServerCertificateTagsOutput](t)(a.ListServerCertificateTags(ctx, &awsiam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("www")}))
	if len(tags.Tags) != 2 || *tags.Tags[0].Key != "ENV" || *tags.Tags[0].Value != "staging" || *tags.Tags[1].Key != "team" {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	must[*awsiam.UntagServerCertificateOutput](t)(a.UntagServerCertificate(ctx, &awsiam.UntagServerCertificateInput{ServerCertificateName: aws.String("www"), TagKeys: []string{"env"}}))
	tags = must[*awsiam.ListServerCertificateTagsOutput](t)(a.ListServerCertificateTags(ctx, &awsiam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("www")}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" {
		t.Fatalf("tags after untag = %+v", tags.Tags)
	}
	_, err = a.TagServerCertificate(ctx, &awsiam.TagServerCertificateInput{ServerCertificateName: aws.String("ghost"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, err, "NoSuchEntity")

	t.Run("authorization", func(t *testing.T) {
		ops, _ := h.newUserWithKey("ops")
		allowPolicy(t, h, "ops", "arn:aws:iam::"+testAccount+":server-certificate/prod/*", "iam:UploadServerCertificate", "iam:UpdateServerCertificate", "iam:GetServerCertificate")
		_, err := ops.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String("api"), Path: aws.String("/dev/"), CertificateBody: aws.String(otherPEM), PrivateKey: aws.String(pemPrivate(t, otherKey))})
		wantCode(t, err, "AccessDenied")
		want := "User: arn:aws:iam::" + testAccount + ":user/ops is not authorized to perform: iam:UploadServerCertificate on resource: arn:aws:iam::" + testAccount + ":server-certificate/dev/api because no identity-based policy allows the iam:UploadServerCertificate action"
		if apiMessage(err) != want {
			t.Fatalf("message = %q\nwant      %q", apiMessage(err), want)
		}
		must[*awsiam.UploadServerCertificateOutput](t)(ops.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String("api"), Path: aws.String("/prod/"), CertificateBody: aws.String(otherPEM), PrivateKey: aws.String(pemPrivate(t, otherKey))}))
		// Moving needs the permission on the new ARN as well.
		_, err = ops.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("api"), NewPath: aws.String("/dev/")})
		wantCode(t, err, "AccessDenied")
		if !strings.Contains(apiMessage(err), "on resource: arn:aws:iam::"+testAccount+":server-certificate/dev/api ") {
			t.Fatalf("message = %q", apiMessage(err))
		}
		_, err = ops.ListServerCertificates(ctx, &awsiam.ListServerCertificatesInput{})
		wantCode(t, err, "AccessDenied")
		// An unknown certificate is not revealed to a caller who may not see it.
		_, err = ops.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("ghost")})
		wantCode(t, err, "AccessDenied")
	})

	t.Run("quota", func(t *testing.T) {
		// ec, pkcs1, www and api exist: 16 more reach the 20 of an account.
		for i := range 16 {
			if err := upload(fmt.Sprintf("q%02d", i), otherPEM, pemPrivate(t, otherKey), ""); err != nil {
				t.Fatal(err)
			}
		}
		err := upload("q16", otherPEM, pemPrivate(t, otherKey), "")
		wantCode(t, err, "LimitExceeded")
		if apiMessage(err) != "Cannot exceed quota for ServerCertificatesPerAccount: 20" {
			t.Fatalf("message = %q", apiMessage(err))
		}
	})

	h.restart()
	a = h.admin()
	got = must[*awsiam.GetServerCertificateOutput](t)(a.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("www")}))
	if *got.ServerCertificate.CertificateBody != strings.TrimSpace(leafPEM) || *got.ServerCertificate.ServerCertificateMetadata.Path != "/prod/" || len(got.ServerCertificate.Tags) != 1 {
		t.Fatalf("after restart: %+v", got.ServerCertificate)
	}
	must[*awsiam.DeleteServerCertificateOutput](t)(a.DeleteServerCertificate(ctx, &awsiam.DeleteServerCertificateInput{ServerCertificateName: aws.String("www")}))
	_, err = a.DeleteServerCertificate(ctx, &awsiam.DeleteServerCertificateInput{ServerCertificateName: aws.String("www")})
	wantCode(t, err, "NoSuchEntity")
	if apiMessage(err) != "The Server Certificate with name www cannot be found." {
		t.Fatalf("message = %q", apiMessage(err))
	}
}

// TestServiceSpecificCredentials covers CodeCommit and Keyspaces
// passwords and Bedrock API keys: generation, the per-service quota,
// listing (one user, a service, all users), reset, status, deletion,
// the service condition key, and the secrets sealed at rest.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html
func TestServiceSpecificCredentials(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dave")}))
	user := aws.String("dave")
	create := func(service string, days *int32) (*types.ServiceSpecificCredential, error) {
		out, err := a.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String(service), CredentialAgeDays: days})
		if err != nil {
			return nil, err
		}
		return out.ServiceSpecificCredential, nil
	}

	cc := must[*types.ServiceSpecificCredential](t)(create("codecommit.amazonaws.com", nil))
	if !serviceCredID.MatchString(*cc.ServiceSpecificCredentialId) || *cc.UserName != "dave" || *cc.ServiceName != "codecommit.amazonaws.com" ||
		*cc.ServiceUserName != "dave-at-"+testAccount || len(*cc.ServicePassword) != 44 || cc.Status != types.StatusTypeActive || cc.ExpirationDate != nil || cc.ServiceCredentialSecret != nil {
		t.Fatalf("CreateServiceSpecificCredential = %+v", cc)
	}
	recent(t, "CreateDate", cc.CreateDate)
	if dataContains(t, h.dir, *cc.ServicePassword) {
		t.Fatal("the password is stored in the clear")
	}
	cc2 := must[*types.ServiceSpecificCredential](t)(create("codecommit.amazonaws.com", nil))
	_, err := create("codecommit.amazonaws.com", nil)
	wantCode(t, err, "LimitExceeded")
	if apiMessage(err) != "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2" {
		t.Fatalf("message = %q", apiMessage(err))
	}
	ks := must[*types.ServiceSpecificCredential](t)(create("cassandra.amazonaws.com", nil))

	// A Bedrock API key: an alias and a bearer token, with an expiration.
	br := must[*types.ServiceSpecificCredential](t)(create("bedrock.amazonaws.com", aws.Int32(30)))
	if *br.ServiceCredentialAlias != "dave-at-"+testAccount || br.ServicePassword != nil || br.ServiceUserName != nil ||
		br.ExpirationDate == nil || !br.ExpirationDate.Equal(br.CreateDate.Add(30*24*time.Hour)) || !strings.HasPrefix(*br.ServiceCredentialSecret, "ABSK") {
		t.Fatalf("Bedrock API key = %+v", br)
	}
	token, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(*br.ServiceCredentialSecret, "ABSK"))
	if alias, secret, ok := strings.Cut(string(token), ":"); err != nil || !ok || alias != *br.ServiceCredentialAlias || len(secret) != 44 {
		t.Fatalf("Bedrock token = %q (%v)", token, err)
	}

	for _, tc := range []struct {
		name, code, msg string
		call            func() error
	}{
		// AWS's recorded answers:
		// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam.snapshot.json
		{"unsupported service", "NoSuchEntity", "No such service s3.amazonaws.com is supported for Service Specific Credentials", func() error {
			_, err := create("s3.amazonaws.com", nil)
			return err
		}},
		{"age for a password", "InvalidInput", "CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.", func() error {
			_, err := create("cassandra.amazonaws.com", aws.Int32(1))
			return err
		}},
		{"age out of range", "ValidationError", "", func() error {
			_, err := create("bedrock.amazonaws.com", aws.Int32(36601))
			return err
		}},
		{"no such user", "NoSuchEntity", "The user with name nobody cannot be found.", func() error {
			_, err := a.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("nobody"), ServiceName: aws.String("codecommit.amazonaws.com")})
			return err
		}},
		{"no such credential", "NoSuchEntity", "No such credential ACCAAAAAAAAAAAAAAAAAA exists", func() error {
			_, err := a.ResetServiceSpecificCredential(ctx, &awsiam.ResetServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: aws.String("ACCAAAAAAAAAAAAAAAAAA")})
			return err
		}},
		{"Expired is not settable", "InvalidInput", "", func() error {
			_, err := a.UpdateServiceSpecificCredential(ctx, &awsiam.UpdateServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: cc.ServiceSpecificCredentialId, Status: types.StatusTypeExpired})
			return err
		}},
		{"list unsupported service", "NoSuchEntity", "No such service s3.amazonaws.com is supported for Service Specific Credentials", func() error {
			_, err := a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: user, ServiceName: aws.String("s3.amazonaws.com")})
			return err
		}},
		{"AllUsers with UserName", "InvalidInput", "", func() error {
			_, err := a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: user, AllUsers: aws.Bool(true)})
			return err
		}},
		{"user with credentials", "DeleteConflict", "Cannot delete entity, must delete service specific credentials first.", func() error {
			_, err := a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, tc.code)
			if tc.msg != "" && apiMessage(err) != tc.msg {
				t.Fatalf("message = %q, want %q", apiMessage(err), tc.msg)
			}
		})
	}

	// Reset: a new password, the same credential.
	reset := must[*awsiam.ResetServiceSpecificCredentialOutput](t)(a.ResetServiceSpecificCredential(ctx, &awsiam.ResetServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: cc.ServiceSpecificCredentialId}))
	if r := reset.ServiceSpecificCredential; *r.ServiceSpecificCredentialId != *cc.ServiceSpecificCredentialId || *r.ServicePassword == *cc.ServicePassword || len(*r.ServicePassword) != 44 || *r.ServiceUserName != *cc.ServiceUserName {
		t.Fatalf("Reset = %+v", r)
	}
	must[*awsiam.UpdateServiceSpecificCredentialOutput](t)(a.UpdateServiceSpecificCredential(ctx, &awsiam.UpdateServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: cc2.ServiceSpecificCredentialId, Status: types.StatusTypeInactive}))

	list := must[*awsiam.ListServiceSpecificCredentialsOutput](t)(a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: user}))
	ids := func(l []types.ServiceSpecificCredentialMetadata) []string {
		var out []string
		for _, m := range l {
			out = append(out, *m.ServiceSpecificCredentialId)
		}
		return out
	}
	if got, want := ids(list.ServiceSpecificCredentials), []string{*cc.ServiceSpecificCredentialId, *cc2.ServiceSpecificCredentialId, *ks.ServiceSpecificCredentialId, *br.ServiceSpecificCredentialId}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ListServiceSpecificCredentials = %v, want %v", got, want)
	}
	// The second credential of a service is told apart by +1, as AWS
	// names it.
	// https://docs.aws.amazon.com/cli/latest/reference/iam/list-service-specific-credentials.html#examples
	if l := list.ServiceSpecificCredentials; l[1].Status != types.StatusTypeInactive || *l[0].ServiceUserName != "dave-at-"+testAccount || *l[1].ServiceUserName != "dave+1-at-"+testAccount || *l[3].ServiceCredentialAlias != "dave-at-"+testAccount || l[3].ExpirationDate == nil {
		t.Fatalf("metadata = %+v", l)
	}
	filtered := must[*awsiam.ListServiceSpecificCredentialsOutput](t)(a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: user, ServiceName: aws.String("cassandra.amazonaws.com")}))
	if got := ids(filtered.ServiceSpecificCredentials); len(got) != 1 || got[0] != *ks.ServiceSpecificCredentialId {
		t.Fatalf("filtered = %v", got)
	}

	// A user may create only the credentials its policy's condition allows.
	_, err = h.admin().CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("erin")})
	if err != nil {
		t.Fatal(err)
	}
	erin, _ := h.newUserWithKey("erin2")
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("erin2"), PolicyName: aws.String("git"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*ServiceSpecificCredential*","Resource":"arn:aws:iam::*:user/${aws:username}","Condition":{"StringEquals":{"iam:ServiceSpecificCredentialServiceName":"codecommit.amazonaws.com"}}}]}`)}))
	_, err = erin.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("erin2"), ServiceName: aws.String("bedrock.amazonaws.com")})
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(apiMessage(err), "iam:CreateServiceSpecificCredential on resource: arn:aws:iam::"+testAccount+":user/erin2 ") {
		t.Fatalf("message = %q", apiMessage(err))
	}
	mine := must[*awsiam.CreateServiceSpecificCredentialOutput](t)(erin.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("erin2"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	must[*awsiam.DeleteServiceSpecificCredentialOutput](t)(erin.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{ServiceSpecificCredentialId: mine.ServiceSpecificCredential.ServiceSpecificCredentialId}))
	_, err = erin.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("erin"), ServiceName: aws.String("codecommit.amazonaws.com")})
	wantCode(t, err, "AccessDenied")
	must[*awsiam.CreateServiceSpecificCredentialOutput](t)(erin.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: aws.String("erin2"), ServiceName: aws.String("codecommit.amazonaws.com")}))

	everyone := must[*awsiam.ListServiceSpecificCredentialsOutput](t)(a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), ServiceName: aws.String("codecommit.amazonaws.com")}))
	if l := everyone.ServiceSpecificCredentials; len(l) != 3 || *l[0].UserName != "dave" || *l[2].UserName != "erin2" {
		t.Fatalf("AllUsers = %+v", l)
	}
	page := must[*awsiam.ListServiceSpecificCredentialsOutput](t)(a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), MaxItems: aws.Int32(4)}))
	if len(page.ServiceSpecificCredentials) != 4 || !page.IsTruncated {
		t.Fatalf("AllUsers page 1 = %+v", page)
	}
	page = must[*awsiam.ListServiceSpecificCredentialsOutput](t)(a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), Marker: page.Marker}))
	if len(page.ServiceSpecificCredentials) != 1 || page.IsTruncated || *page.ServiceSpecificCredentials[0].UserName != "erin2" {
		t.Fatalf("AllUsers page 2 = %+v", page)
	}

	h.restart()
	a = h.admin()
	list = must[*awsiam.ListServiceSpecificCredentialsOutput](t)(a.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: user}))
	if len(list.ServiceSpecificCredentials) != 4 || list.ServiceSpecificCredentials[1].Status != types.StatusTypeInactive {
		t.Fatalf("after restart: %+v", list.ServiceSpecificCredentials)
	}
	for _, m := range list.ServiceSpecificCredentials {
		must[*awsiam.DeleteServiceSpecificCredentialOutput](t)(a.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: m.ServiceSpecificCredentialId}))
	}
	must[*awsiam.DeleteUserOutput](t)(a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user}))
}

// TestServiceCredentialExpiry runs the service on an injected clock: an
// API key created with CredentialAgeDays reports Expired once its
// expiration has passed.
func TestServiceCredentialExpiry(t *testing.T) {
	ctx := context.Background()
	h := start(t, false)
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ivy")}))
	key := must[*awsiam.CreateServiceSpecificCredentialOutput](t)(a.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{
		UserName: aws.String("ivy"), ServiceName: aws.String("logs.amazonaws.com"), CredentialAgeDays: aws.Int32(1),
	})).ServiceSpecificCredential
	if !strings.HasPrefix(*key.ServiceCredentialSecret, "ACWL") || key.Status != types.StatusTypeActive {
		t.Fatalf("CloudWatch Logs API key = %+v", key)
	}
	h.close()

	// The same data, two days later.
	later := time.Now().Add(48 * time.Hour)
	st, err := sqlite.Open(ctx, filepath.Join(h.dir, "gatehouse.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := iam.New(ctx, iam.Config{Store: st, Keyring: h.keyring, Clock: func() time.Time { return later }})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(server.New(server.Config{IAM: svc}))
	defer srv.Close()
	h.URL = srv.URL
	list := must[*awsiam.ListServiceSpecificCredentialsOutput](t)(h.admin().ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: aws.String("ivy")}))
	if len(list.ServiceSpecificCredentials) != 1 || list.ServiceSpecificCredentials[0].Status != types.StatusTypeExpired {
		t.Fatalf("after expiry: %+v", list.ServiceSpecificCredentials)
	}
}
