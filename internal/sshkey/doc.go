// Package sshkey reads SSH public keys as IAM takes them for CodeCommit:
// RSA keys of at least MinRSABits bits in OpenSSH ("ssh-rsa AAAA...") or
// PEM encoding, with their MD5 fingerprint and either encoding back.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html
//
// It is pure: nothing is read, written or logged. Errors are typed
// (ErrUnrecognized, ErrMalformed, ErrTooSmall); the iam operations give
// them AWS's words.
package sshkey
