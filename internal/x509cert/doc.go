// Package x509cert reads X.509 certificates and private keys in PEM as
// IAM takes them: a certificate body, a chain that must sign it, a
// private key that must match it, and a certificate's validity at a
// given time. It is pure: the time is an argument, and nothing is read,
// written or logged.
//
// Errors are typed (ErrMalformed, ErrExpired, ErrNotYetValid,
// *ChainError); the iam operations give them AWS's words.
package x509cert
