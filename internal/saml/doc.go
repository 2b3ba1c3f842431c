// Package saml reads SAML 2.0 identity provider metadata as IAM takes it
// for a SAML provider: the entity ID, the validUntil time and the signing
// certificates of the IdP's SAML 2.0 single sign-on descriptor.
// https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf
//
// It is pure: nothing is read, written or logged, and no clock is read.
// Every document it refuses is ErrMalformed; the iam operations give it
// AWS's words.
package saml
