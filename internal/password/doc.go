// Package password applies the rules of an IAM password policy to a new
// password: its minimum length and the character types it must have,
// under an account's custom policy or AWS's default one.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
//
// It is pure: nothing is read, written or logged. Hashing and the reuse
// of earlier passwords are not its business (package secret hashes;
// package iam keeps the history). Every refusal wraps ErrPolicy; the iam
// operations give it AWS's words.
package password
