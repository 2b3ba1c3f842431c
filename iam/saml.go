package iam

import (
	"cmp"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/internal/saml"
	"github.com/gatehouse/gatehouse/internal/x509cert"
)

// Quotas of SAML providers.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const (
	maxSAMLProviders   = 100
	maxSAMLPrivateKeys = 2 // privateKeyList has at most two members
)

// Assertion encryption modes.
const (
	samlEncryptionAllowed  = "Allowed"
	samlEncryptionRequired = "Required"
)

// samlValidity is how long a provider is valid when its metadata does not
// say: AWS answers ValidUntil a hundred years after the upload.
const samlValidity = 100

// samlPrivateKey is a private key that decrypts the IdP's encrypted
// assertions.
type samlPrivateKey struct {
	ID    string    `json:"id"`
	Key   []byte    `json:"key"` // the PEM as given, sealed with the key ID as associated data
	Added time.Time `json:"added"`
}

// parseSAMLMetadata reads a SAML 2.0 metadata document (see
// saml.ParseMetadata) and answers one it refuses as AWS does.
func parseSAMLMetadata(doc string) (saml.Metadata, error) {
	md, err := saml.ParseMetadata(doc)
	if err != nil {
		return saml.Metadata{}, iamapi.InvalidInput("Could not parse metadata")
	}
	return md, nil
}

// setMetadata stores a parsed metadata document in p.
func (p *samlProvider) setMetadata(doc string, md saml.Metadata, now time.Time) {
	p.Metadata, p.EntityID, p.Certs = doc, md.EntityID, md.Certificates
	p.ValidUntil = md.ValidUntil
	if p.ValidUntil.IsZero() {
		p.ValidUntil = now.AddDate(samlValidity, 0, 0)
	}
}

// parseSAMLPrivateKey checks that pemText is an unencrypted RSA private
// key in PEM (PKCS #1 or PKCS #8), the kind that decrypts XML Encryption
// key transport.
func parseSAMLPrivateKey(pemText string) (*rsa.PrivateKey, error) {
	k, err := x509cert.ParseRSAPrivateKey(pemText)
	if err != nil {
		return nil, iamapi.InvalidInput("Invalid private key: Key format is not recognized.")
	}
	return k, nil
}

// addSAMLPrivateKey seals a new private key into p.
func (t *txn) addSAMLPrivateKey(p *samlProvider, pemText string) error {
	if _, err := parseSAMLPrivateKey(pemText); err != nil {
		return err
	}
	if len(p.PrivateKeys) >= maxSAMLPrivateKeys {
		return iamapi.LimitExceeded("Private key limit of %d is reached.", maxSAMLPrivateKeys)
	}
	id := newID(prefixSAML, 18)
	sealed, err := t.svc.keyring.Seal([]byte(pemText), []byte(id))
	if err != nil {
		return err
	}
	p.PrivateKeys = append(slices.Clone(p.PrivateKeys), samlPrivateKey{ID: id, Key: sealed, Added: t.svc.now()})
	return nil
}

// prefixSAML starts SAML provider UUIDs and private key IDs (22
// characters, as the model's privateKeyIdType allows: [A-Z0-9]{22,64}).
const prefixSAML = "SAML"

func errNoSuchSAML(given string) error {
	return iamapi.NoSuchEntity("Manifest not found for arn %s", given)
}

func (t *txn) samlARN(name string) string {
	return iamapi.SAMLProviderARN(t.req.Partition, t.req.Account, name)
}

// providerARN splits the ARN of an IAM identity provider of resourceType
// (saml-provider, oidc-provider) into its account and name, in the
// request's partition; ok is false when it names another partition.
func (t *txn) providerARN(given string, resourceType iamapi.ResourceType) (account, name string, ok bool, err error) {
	a, perr := arn.Parse(given)
	if perr != nil || a.Service != "iam" || a.Region != "" {
		return "", "", false, iamapi.InvalidInput("ARN %s is not valid.", given)
	}
	typ, rest, _ := strings.Cut(a.Resource, "/")
	if typ != string(resourceType) {
		return "", "", false, awsapi.ValidationError("Invalid resource type in ARN")
	}
	if rest == "" {
		return "", "", false, iamapi.InvalidInput("ARN %s is not valid.", given)
	}
	return a.AccountID, rest, a.Partition == t.req.Partition, nil
}

// requireSAML authorizes action on the SAML provider with the given ARN
// and returns it, or NoSuchEntity once the caller may know.
func (t *txn) requireSAML(action iamapi.Action, given string, keys map[string][]string) (*samlProvider, error) {
	account, name, samePartition, err := t.providerARN(given, iamapi.ResourceSAMLProvider)
	if err != nil {
		return nil, err
	}
	var p *samlProvider
	if account == t.acct && samePartition {
		p, _ = get[*samlProvider](t, kindSAML, nameKey(name))
	}
	resource := given
	if p != nil {
		keys = resourceTagContext(p.Tags, keys)
		resource = t.samlARN(p.Name)
	}
	if err := t.authorize(action, resource, keys); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errNoSuchSAML(given)
	}
	return p, nil
}

// CreateSAMLProvider creates a SAML 2.0 identity provider from its
// metadata document.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
func (svc *Service) CreateSAMLProvider(ctx context.Context, r *authn.Request, in *iamapi.CreateSAMLProviderInput) (*iamapi.CreateSAMLProviderOutput, error) {
	var out *iamapi.CreateSAMLProviderOutput
	err := svc.update(ctx, r, func(t *txn) error {
		a := t.samlARN(in.Name)
		if err := t.authorize(iamapi.ActionCreateSAMLProvider, a, tagContext(in.Tags, nil)); err != nil {
			return err
		}
		if _, ok := get[*samlProvider](t, kindSAML, nameKey(in.Name)); ok {
			return iamapi.EntityAlreadyExists("SAML provider with name %s already exists.", in.Name)
		}
		if t.full(kindSAML, maxSAMLProviders) {
			return quotaExceeded("SAMLProvidersPerAccount", maxSAMLProviders)
		}
		md, err := parseSAMLMetadata(in.SAMLMetadataDocument)
		if err != nil {
			return err
		}
		tags, err := newTags(in.Tags)
		if err != nil {
			return err
		}
		now := t.svc.now()
		p := &samlProvider{Name: in.Name, UUID: newID(prefixSAML, 18), Created: now, Tags: tags, Encryption: samlEncryptionAllowed}
		p.setMetadata(in.SAMLMetadataDocument, md, now)
		if in.AddPrivateKey != "" {
			if err := t.addSAMLPrivateKey(p, in.AddPrivateKey); err != nil {
				return err
			}
		}
		if in.AssertionEncryptionMode != "" {
			p.Encryption = in.AssertionEncryptionMode
		}
		if p.Encryption == samlEncryptionRequired && len(p.PrivateKeys) == 0 {
			return iamapi.InvalidInput("Unable to set assertion encryption mode to Required because no private key is provided.")
		}
		t.put(p)
		out = &iamapi.CreateSAMLProviderOutput{SAMLProviderArn: a, Tags: apiTags(tags)}
		return nil
	})
	return out, err
}

// GetSAMLProvider returns a SAML provider's metadata document and
// settings; private keys are listed by ID only.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetSAMLProvider.html
func (svc *Service) GetSAMLProvider(ctx context.Context, r *authn.Request, in *iamapi.GetSAMLProviderInput) (*iamapi.GetSAMLProviderOutput, error) {
	var out *iamapi.GetSAMLProviderOutput
	err := svc.view(r, func(t *txn) error {
		p, err := t.requireSAML(iamapi.ActionGetSAMLProvider, in.SAMLProviderArn, nil)
		if err != nil {
			return err
		}
		keys := make([]iamapi.SAMLPrivateKey, len(p.PrivateKeys))
		for i, k := range p.PrivateKeys {
			keys[i] = iamapi.SAMLPrivateKey{KeyId: k.ID, Timestamp: k.Added}
		}
		out = &iamapi.GetSAMLProviderOutput{
			SAMLProviderUUID:        p.UUID,
			SAMLMetadataDocument:    p.Metadata,
			CreateDate:              p.Created,
			ValidUntil:              p.ValidUntil,
			Tags:                    tagsOrEmpty(apiTags(p.Tags)),
			AssertionEncryptionMode: cmp.Or(p.Encryption, samlEncryptionAllowed),
			PrivateKeyList:          keys,
		}
		return nil
	})
	return out, err
}

// UpdateSAMLProvider replaces the metadata document, changes the
// assertion encryption mode, or adds or removes a private key.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateSAMLProvider.html
func (svc *Service) UpdateSAMLProvider(ctx context.Context, r *authn.Request, in *iamapi.UpdateSAMLProviderInput) (*iamapi.UpdateSAMLProviderOutput, error) {
	var out *iamapi.UpdateSAMLProviderOutput
	err := svc.update(ctx, r, func(t *txn) error {
		p, err := t.requireSAML(iamapi.ActionUpdateSAMLProvider, in.SAMLProviderArn, nil)
		if err != nil {
			return err
		}
		switch {
		case in.SAMLMetadataDocument == "" && in.AssertionEncryptionMode == "" && in.AddPrivateKey == "" && in.RemovePrivateKey == "":
			return iamapi.InvalidInput("Unable to update identity provider. No updates are defined for metadata or encryption assertion.")
		case in.AddPrivateKey != "" && in.RemovePrivateKey != "":
			return iamapi.InvalidInput("Unable to add and remove private keys in the same request. Set a value for only one of the two parameters.")
		}
		np := *p
		np.Encryption = cmp.Or(np.Encryption, samlEncryptionAllowed)
		if in.SAMLMetadataDocument != "" {
			md, err := parseSAMLMetadata(in.SAMLMetadataDocument)
			if err != nil {
				return err
			}
			np.setMetadata(in.SAMLMetadataDocument, md, t.svc.now())
		}
		if in.AddPrivateKey != "" {
			if err := t.addSAMLPrivateKey(&np, in.AddPrivateKey); err != nil {
				return err
			}
		}
		if in.AssertionEncryptionMode != "" {
			if in.AssertionEncryptionMode == samlEncryptionRequired && len(np.PrivateKeys) == 0 {
				return iamapi.InvalidInput("Unable to set assertion encryption mode to Required because no private key is provided.")
			}
			np.Encryption = in.AssertionEncryptionMode
		}
		if in.RemovePrivateKey != "" {
			i := slices.IndexFunc(np.PrivateKeys, func(k samlPrivateKey) bool { return k.ID == in.RemovePrivateKey })
			if i < 0 {
				return iamapi.InvalidInput("Unable to remove private key because the Key ID does not match a private key.")
			}
			if len(np.PrivateKeys) == 1 && np.Encryption == samlEncryptionRequired {
				return iamapi.InvalidInput("Failed to remove private key. Assertion encryption mode is Required, so the provider must keep at least one private key.")
			}
			np.PrivateKeys = slices.Delete(slices.Clone(np.PrivateKeys), i, i+1)
		}
		t.put(&np)
		out = &iamapi.UpdateSAMLProviderOutput{SAMLProviderArn: t.samlARN(np.Name)}
		return nil
	})
	return out, err
}

// DeleteSAMLProvider deletes a SAML provider. Roles that trust it are
// left as they are.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteSAMLProvider.html
func (svc *Service) DeleteSAMLProvider(ctx context.Context, r *authn.Request, in *iamapi.DeleteSAMLProviderInput) (*iamapi.DeleteSAMLProviderOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		p, err := t.requireSAML(iamapi.ActionDeleteSAMLProvider, in.SAMLProviderArn, nil)
		if err != nil {
			return err
		}
		t.del(kindSAML, p.key())
		return nil
	})
	return &iamapi.DeleteSAMLProviderOutput{}, err
}

// ListSAMLProviders lists the account's SAML providers (without tags).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListSAMLProviders.html
func (svc *Service) ListSAMLProviders(ctx context.Context, r *authn.Request, in *iamapi.ListSAMLProvidersInput) (*iamapi.ListSAMLProvidersOutput, error) {
	var out *iamapi.ListSAMLProvidersOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionListSAMLProviders, t.samlARN("*"), nil); err != nil {
			return err
		}
		ps := all[*samlProvider](t, kindSAML)
		out = &iamapi.ListSAMLProvidersOutput{SAMLProviderList: make([]iamapi.SAMLProviderListEntry, len(ps))}
		for i, p := range ps {
			out.SAMLProviderList[i] = iamapi.SAMLProviderListEntry{Arn: t.samlARN(p.Name), ValidUntil: p.ValidUntil, CreateDate: p.Created}
		}
		return nil
	})
	return out, err
}

// TagSAMLProvider adds or replaces tags of a SAML provider.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagSAMLProvider.html
func (svc *Service) TagSAMLProvider(ctx context.Context, r *authn.Request, in *iamapi.TagSAMLProviderInput) (*iamapi.TagSAMLProviderOutput, error) {
	return &iamapi.TagSAMLProviderOutput{}, tagEntity(ctx, r, svc, (*txn).requireSAML, iamapi.ActionTagSAMLProvider, in.SAMLProviderArn, in.Tags)
}

// UntagSAMLProvider removes tags from a SAML provider.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagSAMLProvider.html
func (svc *Service) UntagSAMLProvider(ctx context.Context, r *authn.Request, in *iamapi.UntagSAMLProviderInput) (*iamapi.UntagSAMLProviderOutput, error) {
	return &iamapi.UntagSAMLProviderOutput{}, untagEntity(ctx, r, svc, (*txn).requireSAML, iamapi.ActionUntagSAMLProvider, in.SAMLProviderArn, in.TagKeys)
}

// ListSAMLProviderTags lists a SAML provider's tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListSAMLProviderTags.html
func (svc *Service) ListSAMLProviderTags(ctx context.Context, r *authn.Request, in *iamapi.ListSAMLProviderTagsInput) (*iamapi.ListSAMLProviderTagsOutput, error) {
	return listEntityTags(ctx, r, svc, (*txn).requireSAML, iamapi.ActionListSAMLProviderTags, in.SAMLProviderArn, in.Marker, in.MaxItems, func(tags []iamapi.Tag, marker string, truncated bool) *iamapi.ListSAMLProviderTagsOutput {
		return &iamapi.ListSAMLProviderTagsOutput{Tags: tags, Marker: marker, IsTruncated: boolPtr(truncated)}
	})
}

// SAMLIdentityProvider is what federation through a SAML provider
// (sts:AssumeRoleWithSAML) needs to know of it.
type SAMLIdentityProvider struct {
	// ARN is the provider's ARN in the canonical partition.
	ARN string
	// EntityID is the IdP's entity ID (the Issuer of its responses).
	EntityID string
	// Certificates are the IdP's signing certificates.
	Certificates []*x509.Certificate
	// ValidUntil is when the provider expires.
	ValidUntil time.Time
	// EncryptionRequired says assertions must be encrypted.
	EncryptionRequired bool
	// PrivateKeys decrypt encrypted assertions, oldest first.
	PrivateKeys []crypto.Decrypter
}

// SAMLProvider looks up the SAML provider with the canonical ARN
// providerARN ("arn:aws:iam::ACCOUNT:saml-provider/NAME").
func (svc *Service) SAMLProvider(providerARN string) (SAMLIdentityProvider, error) {
	a, err := arn.Parse(providerARN)
	typ, name, _ := strings.Cut(a.Resource, "/")
	if err != nil || a.Service != "iam" || typ != "saml-provider" {
		return SAMLIdentityProvider{}, ErrNoProvider
	}
	svc.mu.RLock()
	p, _ := svc.state.lookup(recordKey{a.AccountID, kindSAML, nameKey(name)}).(*samlProvider)
	svc.mu.RUnlock()
	if p == nil {
		return SAMLIdentityProvider{}, ErrNoProvider
	}
	out := SAMLIdentityProvider{
		ARN:                iamapi.SAMLProviderARN(canonicalPartition, a.AccountID, p.Name),
		EntityID:           p.EntityID,
		ValidUntil:         p.ValidUntil,
		EncryptionRequired: p.Encryption == samlEncryptionRequired,
	}
	for _, der := range p.Certs {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return SAMLIdentityProvider{}, err
		}
		out.Certificates = append(out.Certificates, c)
	}
	for _, k := range p.PrivateKeys {
		pemText, err := svc.keyring.Open(k.Key, []byte(k.ID))
		if err != nil {
			return SAMLIdentityProvider{}, err
		}
		rk, err := parseSAMLPrivateKey(string(pemText))
		if err != nil {
			return SAMLIdentityProvider{}, err
		}
		out.PrivateKeys = append(out.PrivateKeys, rk)
	}
	return out, nil
}

// ErrNoProvider reports that no identity provider has the ARN or URL
// asked for.
var ErrNoProvider = errors.New("iam: no such identity provider")
