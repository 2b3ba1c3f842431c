package iam

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"github.com/gatehouse/gatehouse/authn"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/internal/x509cert"
)

// Certificate quotas.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const (
	maxSigningCerts = 2  // per user
	maxServerCerts  = 20 // per account
)

// parseCertificate reads one PEM certificate, as IAM wants bodies. A
// body that does not parse is the error unparsable (each operation has
// its own words for it); a certificate outside its validity period at
// now is MalformedCertificate.
func parseCertificate(body string, now time.Time, unparsable error) (*x509.Certificate, error) {
	c, err := x509cert.Parse(body)
	if err != nil {
		return nil, unparsable
	}
	switch x509cert.CheckValidity(c, now) {
	case x509cert.ErrExpired:
		return nil, iamapi.MalformedCertificate("Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.")
	case x509cert.ErrNotYetValid:
		return nil, iamapi.MalformedCertificate("Certificate is not yet valid. The 'Not Before' date restriction on the certificate has not been met.")
	}
	return c, nil
}

// --- Signing certificates ---

func errNoSuchSigningCert(id string) error {
	return iamapi.NoSuchEntity("The Certificate with id %s cannot be found.", id)
}

// newCertificateID returns a signing certificate ID: 32 upper-case
// letters and digits, like AWS's.
func newCertificateID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 32)
	rand.Read(b)
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(b)
}

// signingCertUser resolves the optional UserName of the signing
// certificate operations and authorizes action on the user. It returns
// nil, nil for the root user, which has no signing certificates here.
func (t *txn) signingCertUser(action iamapi.Action, name string) (*user, error) {
	name = t.targetUser(name)
	if name == "" {
		return nil, t.authorize(action, t.req.ARN, nil)
	}
	return t.requireUser(action, name, nil)
}

// UploadSigningCertificate adds an X.509 signing certificate to a user
// (by default the caller), Active.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSigningCertificate.html
func (svc *Service) UploadSigningCertificate(ctx context.Context, r *authn.Request, in *iamapi.UploadSigningCertificateInput) (*iamapi.UploadSigningCertificateOutput, error) {
	var out *iamapi.UploadSigningCertificateOutput
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.signingCertUser(iamapi.ActionUploadSigningCertificate, in.UserName)
		if err != nil {
			return err
		}
		if u == nil {
			// Root credentials beyond the password are against the IAM
			// best practices; Gatehouse keeps the root user without them.
			return iamapi.InvalidInput("The root user cannot have signing certificates; create an IAM user instead.")
		}
		// AWS quotes the body it cannot parse (recorded:
		// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_signing_certificates.snapshot.json).
		c, err := parseCertificate(in.CertificateBody, t.svc.now(), iamapi.MalformedCertificate("Certificate %s is malformed.", in.CertificateBody))
		if err != nil {
			return err
		}
		if !x509cert.SigningKeySupported(c) {
			return iamapi.InvalidCertificate("The certificate's public key algorithm is not supported.")
		}
		for _, other := range all[*signingCert](t, kindSigningCert) {
			if oc, err := x509cert.Parse(other.Body); err == nil && oc.Equal(c) {
				return iamapi.DuplicateCertificate("The same certificate is already associated with an IAM user in the account.")
			}
		}
		if t.fullUnder(kindSigningCert, ownerPrefix(u.key()), maxSigningCerts) {
			return quotaExceeded("CertificatesPerUser", maxSigningCerts)
		}
		sc := &signingCert{owner: ownerOf(u), ID: newCertificateID(), Body: in.CertificateBody, Status: statusActive, Uploaded: t.svc.now(),
			Order: nextOrder(creds[*signingCert](t, kindSigningCert, u))}
		t.put(sc)
		out = &iamapi.UploadSigningCertificateOutput{Certificate: &iamapi.SigningCertificate{
			UserName: u.Name, CertificateId: sc.ID, CertificateBody: sc.Body, Status: sc.Status, UploadDate: sc.Uploaded,
		}}
		return nil
	})
	return out, err
}

// findSigningCert authorizes action and finds a signing certificate.
func (t *txn) findSigningCert(action iamapi.Action, name, id string) (*signingCert, error) {
	u, err := t.signingCertUser(action, name)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errNoSuchSigningCert(id)
	}
	c, ok := cred[*signingCert](t, kindSigningCert, ownerPrefix(u.key())+id, u)
	if !ok {
		return nil, errNoSuchSigningCert(id)
	}
	return c, nil
}

// UpdateSigningCertificate activates or deactivates a signing certificate.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateSigningCertificate.html
func (svc *Service) UpdateSigningCertificate(ctx context.Context, r *authn.Request, in *iamapi.UpdateSigningCertificateInput) (*iamapi.UpdateSigningCertificateOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		c, err := t.findSigningCert(iamapi.ActionUpdateSigningCertificate, in.UserName, in.CertificateId)
		if err != nil {
			return err
		}
		if err := settableStatus(in.Status); err != nil {
			return err
		}
		nc := *c
		nc.Status = in.Status
		t.put(&nc)
		return nil
	})
	return &iamapi.UpdateSigningCertificateOutput{}, err
}

// DeleteSigningCertificate deletes a signing certificate.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteSigningCertificate.html
func (svc *Service) DeleteSigningCertificate(ctx context.Context, r *authn.Request, in *iamapi.DeleteSigningCertificateInput) (*iamapi.DeleteSigningCertificateOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		c, err := t.findSigningCert(iamapi.ActionDeleteSigningCertificate, in.UserName, in.CertificateId)
		if err != nil {
			return err
		}
		t.del(kindSigningCert, c.key())
		return nil
	})
	return &iamapi.DeleteSigningCertificateOutput{}, err
}

// ListSigningCertificates lists a user's signing certificates (by
// default the caller's).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListSigningCertificates.html
func (svc *Service) ListSigningCertificates(ctx context.Context, r *authn.Request, in *iamapi.ListSigningCertificatesInput) (*iamapi.ListSigningCertificatesOutput, error) {
	var out *iamapi.ListSigningCertificatesOutput
	err := svc.view(r, func(t *txn) error {
		u, err := t.signingCertUser(iamapi.ActionListSigningCertificates, in.UserName)
		if err != nil {
			return err
		}
		var certs []*signingCert
		if u != nil {
			certs = inOrder(creds[*signingCert](t, kindSigningCert, u))
		}
		page, marker, truncated, err := paginateInOrder("ListSigningCertificates", certs, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out = &iamapi.ListSigningCertificatesOutput{Certificates: make([]iamapi.SigningCertificate, len(page)), Marker: marker, IsTruncated: boolPtr(truncated)}
		for i, c := range page {
			out.Certificates[i] = iamapi.SigningCertificate{UserName: u.Name, CertificateId: c.ID, CertificateBody: c.Body, Status: c.Status, UploadDate: c.Uploaded}
		}
		return nil
	})
	return out, err
}

// --- Server certificates ---

func errNoSuchServerCert(name string) error {
	return iamapi.NoSuchEntity("The Server Certificate with name %s cannot be found.", name)
}

// serverCertARN is the ARN of a server certificate, existing or not.
func (t *txn) serverCertARN(c *serverCert, name string) string {
	if c != nil {
		return iamapi.ServerCertificateARN(t.req.Partition, t.req.Account, c.Path, c.Name)
	}
	return iamapi.ServerCertificateARN(t.req.Partition, t.req.Account, "/", name)
}

// requireServerCert authorizes action on the named server certificate
// and returns it, or NoSuchEntity once the caller may know.
func (t *txn) requireServerCert(action iamapi.Action, name string, keys map[string][]string) (*serverCert, error) {
	c, ok := get[*serverCert](t, kindServerCert, nameKey(name))
	if ok {
		keys = resourceTagContext(c.Tags, keys)
	}
	if err := t.authorize(action, t.serverCertARN(c, name), keys); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchServerCert(name)
	}
	return c, nil
}

func (t *txn) serverCertMetadata(c *serverCert) *iamapi.ServerCertificateMetadata {
	return &iamapi.ServerCertificateMetadata{
		Path:                  c.Path,
		ServerCertificateName: c.Name,
		ServerCertificateId:   c.ID,
		Arn:                   t.serverCertARN(c, ""),
		UploadDate:            c.Uploaded,
		Expiration:            c.Expiration,
	}
}

// checkChain checks that a server certificate's chain is PEM and that
// each of its certificates signed the one before it (the body first),
// as IAM requires.
func checkChain(body *x509.Certificate, chain string) error {
	certs, err := x509cert.ParseChain(chain)
	if err != nil {
		return iamapi.MalformedCertificate("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.")
	}
	var ce *x509cert.ChainError
	if err := x509cert.VerifyChain(body, certs); errors.As(err, &ce) {
		return iamapi.MalformedCertificate("Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: %d", ce.Index)
	}
	return nil
}

// UploadServerCertificate stores a server certificate with its private
// key (sealed at rest, never returned) and optional chain. The body and
// chain are kept without the white space around them, as AWS answers
// them in GetServerCertificate: the Terraform provider's acceptance
// test against AWS reads back strings.TrimSpace of the PEM it uploaded
// (https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/iam/server_certificate_test.go,
// TestAccIAMServerCertificate_basic), and its schema trims the
// configured value to match, so a body echoed with its final newline
// was replaced on every plan. (A signing certificate's body comes back
// as uploaded: that resource compares it untrimmed.)
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadServerCertificate.html
func (svc *Service) UploadServerCertificate(ctx context.Context, r *authn.Request, in *iamapi.UploadServerCertificateInput) (*iamapi.UploadServerCertificateOutput, error) {
	var out *iamapi.UploadServerCertificateOutput
	err := svc.update(ctx, r, func(t *txn) error {
		path := defaultPath(in.Path)
		if err := t.authorize(iamapi.ActionUploadServerCertificate, iamapi.ServerCertificateARN(t.req.Partition, t.req.Account, path, in.ServerCertificateName), tagContext(in.Tags, nil)); err != nil {
			return err
		}
		if _, ok := get[*serverCert](t, kindServerCert, nameKey(in.ServerCertificateName)); ok {
			return iamapi.EntityAlreadyExists("The Server Certificate with name %s already exists.", in.ServerCertificateName)
		}
		if t.full(kindServerCert, maxServerCerts) {
			return quotaExceeded("ServerCertificatesPerAccount", maxServerCerts)
		}
		tags, err := newTags(in.Tags)
		if err != nil {
			return err
		}
		cert, err := parseCertificate(in.CertificateBody, t.svc.now(), iamapi.MalformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format."))
		if err != nil {
			return err
		}
		key, err := x509cert.ParsePrivateKey(in.PrivateKey)
		if err != nil {
			return iamapi.MalformedCertificate("Unable to parse private key. Please ensure the private key is in PEM format.")
		}
		if !x509cert.MatchesKey(cert, key) {
			return iamapi.KeyPairMismatch("Public key certificate and private key doesn't match.")
		}
		if in.CertificateChain != "" {
			if err := checkChain(cert, in.CertificateChain); err != nil {
				return err
			}
		}
		id := uniqueID(prefixServerCert)
		sealed, err := t.svc.keyring.Seal([]byte(in.PrivateKey), []byte(id))
		if err != nil {
			return err
		}
		c := &serverCert{
			Path: path, Name: in.ServerCertificateName, ID: id,
			Body: strings.TrimSpace(in.CertificateBody), Chain: strings.TrimSpace(in.CertificateChain), PrivateKey: sealed,
			Uploaded: t.svc.now(), Expiration: cert.NotAfter.UTC(), Tags: tags,
		}
		t.put(c)
		out = &iamapi.UploadServerCertificateOutput{ServerCertificateMetadata: t.serverCertMetadata(c), Tags: apiTags(c.Tags)}
		return nil
	})
	return out, err
}

// GetServerCertificate returns a server certificate without its key,
// with its tags (an empty list for none, as AWS answers; Upload leaves
// Tags out).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServerCertificate.html
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_server_certificates.snapshot.json (recorded from AWS)
func (svc *Service) GetServerCertificate(ctx context.Context, r *authn.Request, in *iamapi.GetServerCertificateInput) (*iamapi.GetServerCertificateOutput, error) {
	var out *iamapi.GetServerCertificateOutput
	err := svc.view(r, func(t *txn) error {
		c, err := t.requireServerCert(iamapi.ActionGetServerCertificate, in.ServerCertificateName, nil)
		if err != nil {
			return err
		}
		out = &iamapi.GetServerCertificateOutput{ServerCertificate: &iamapi.ServerCertificate{
			ServerCertificateMetadata: t.serverCertMetadata(c),
			CertificateBody:           c.Body,
			CertificateChain:          c.Chain,
			Tags:                      tagsOrEmpty(apiTags(c.Tags)),
		}}
		return nil
	})
	return out, err
}

// ListServerCertificates lists the server certificates with a path prefix.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListServerCertificates.html
func (svc *Service) ListServerCertificates(ctx context.Context, r *authn.Request, in *iamapi.ListServerCertificatesInput) (*iamapi.ListServerCertificatesOutput, error) {
	var out *iamapi.ListServerCertificatesOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionListServerCertificates, iamapi.ServerCertificateARN(t.req.Partition, t.req.Account, defaultPath(in.PathPrefix), ""), nil); err != nil {
			return err
		}
		p, err := listPage[*serverCert](t, "ListServerCertificates", kindServerCert, in.Marker, in.MaxItems, in.PathPrefix, nil)
		if err != nil {
			return err
		}
		out = &iamapi.ListServerCertificatesOutput{ServerCertificateMetadataList: make([]iamapi.ServerCertificateMetadata, len(p.items)), Marker: p.marker(), IsTruncated: boolPtr(p.more)}
		for i, c := range p.items {
			out.ServerCertificateMetadataList[i] = *t.serverCertMetadata(c)
		}
		return nil
	})
	return out, err
}

// UpdateServerCertificate renames a server certificate or changes its
// path. The caller needs the permission on the old and the new ARN.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateServerCertificate.html
func (svc *Service) UpdateServerCertificate(ctx context.Context, r *authn.Request, in *iamapi.UpdateServerCertificateInput) (*iamapi.UpdateServerCertificateOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		c, err := t.requireServerCert(iamapi.ActionUpdateServerCertificate, in.ServerCertificateName, nil)
		if err != nil {
			return err
		}
		nc := *c
		if in.NewPath != "" {
			nc.Path = in.NewPath
		}
		if in.NewServerCertificateName != "" {
			nc.Name = in.NewServerCertificateName
		}
		if nc.Path == c.Path && nc.Name == c.Name {
			return nil
		}
		if err := t.authorize(iamapi.ActionUpdateServerCertificate, t.serverCertARN(&nc, ""), resourceTagContext(c.Tags, nil)); err != nil {
			return err
		}
		if nc.key() != c.key() {
			if _, ok := get[*serverCert](t, kindServerCert, nc.key()); ok {
				return iamapi.EntityAlreadyExists("The Server Certificate with name %s already exists.", nc.Name)
			}
			t.del(kindServerCert, c.key())
		}
		t.put(&nc)
		return nil
	})
	return &iamapi.UpdateServerCertificateOutput{}, err
}

// DeleteServerCertificate deletes a server certificate.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteServerCertificate.html
func (svc *Service) DeleteServerCertificate(ctx context.Context, r *authn.Request, in *iamapi.DeleteServerCertificateInput) (*iamapi.DeleteServerCertificateOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		c, err := t.requireServerCert(iamapi.ActionDeleteServerCertificate, in.ServerCertificateName, nil)
		if err != nil {
			return err
		}
		t.del(kindServerCert, c.key())
		return nil
	})
	return &iamapi.DeleteServerCertificateOutput{}, err
}

// TagServerCertificate adds or replaces tags of a server certificate.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagServerCertificate.html
func (svc *Service) TagServerCertificate(ctx context.Context, r *authn.Request, in *iamapi.TagServerCertificateInput) (*iamapi.TagServerCertificateOutput, error) {
	return &iamapi.TagServerCertificateOutput{}, tagEntity(ctx, r, svc, (*txn).requireServerCert, iamapi.ActionTagServerCertificate, in.ServerCertificateName, in.Tags)
}

// UntagServerCertificate removes tags from a server certificate.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagServerCertificate.html
func (svc *Service) UntagServerCertificate(ctx context.Context, r *authn.Request, in *iamapi.UntagServerCertificateInput) (*iamapi.UntagServerCertificateOutput, error) {
	return &iamapi.UntagServerCertificateOutput{}, untagEntity(ctx, r, svc, (*txn).requireServerCert, iamapi.ActionUntagServerCertificate, in.ServerCertificateName, in.TagKeys)
}

// ListServerCertificateTags lists a server certificate's tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListServerCertificateTags.html
func (svc *Service) ListServerCertificateTags(ctx context.Context, r *authn.Request, in *iamapi.ListServerCertificateTagsInput) (*iamapi.ListServerCertificateTagsOutput, error) {
	return listEntityTags(ctx, r, svc, (*txn).requireServerCert, iamapi.ActionListServerCertificateTags, in.ServerCertificateName, in.Marker, in.MaxItems, func(tags []iamapi.Tag, marker string, truncated bool) *iamapi.ListServerCertificateTagsOutput {
		return &iamapi.ListServerCertificateTagsOutput{Tags: tags, Marker: marker, IsTruncated: boolPtr(truncated)}
	})
}
