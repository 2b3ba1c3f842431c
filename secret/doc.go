// Package secret protects secrets at rest: access-key secrets, MFA seeds
// and private keys are sealed with AES-256-GCM under a key-encryption key
// that has an ID, so keys can be rotated; passwords are hashed with
// argon2id.
package secret
