// Package oidc checks what IAM takes for an OpenID Connect identity
// provider: the provider URL (the issuer of its tokens), which also
// names the provider, and the list of its certificates' thumbprints.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
//
// It is pure: nothing is read, written, fetched or logged. Errors are
// typed (ErrNotURL, ErrNotHTTPS, ErrInvalidURL, ErrTooManyThumbprints);
// the iam operations give them AWS's words.
package oidc
