package iam

import (
	"context"
	"errors"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/internal/sshkey"
)

// SSH public keys are for CodeCommit: RSA keys of at least 2048 bits,
// in OpenSSH ("ssh-rsa AAAA...") or PEM encoding (package sshkey), five
// per user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxSSHKeys = 5

// newSSHKeyID returns an SSH public key ID: APKA and 16 characters, 20 in
// all like an access key ID (the API reference's examples,
// APKAEIBAERJR2EXAMPLE; CodeCommit takes it as the SSH user name), not
// the 21 of the other unique IDs.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html#API_UploadSSHPublicKey_Examples
// https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-ssh-unixes.html
func newSSHKeyID() string { return newID(prefixSSHKey, 16) }

func errNoSuchSSHKey(id string) error {
	return iamapi.NoSuchEntity("The Public Key with id %s cannot be found.", id)
}

// parseSSHPublicKey reads an uploaded key body (see sshkey.Parse) and
// answers one it refuses as AWS does: an encoding other than OpenSSH
// ssh-rsa and PEM RSA is UnrecognizedPublicKeyEncoding; a body in one of
// them that does not decode, or a key under 2048 bits, is
// InvalidPublicKey.
func parseSSHPublicKey(body string) (sshkey.PublicKey, error) {
	k, err := sshkey.Parse(body)
	switch {
	case errors.Is(err, sshkey.ErrUnrecognized):
		return k, iamapi.UnrecognizedPublicKeyEncoding("The public key encoding format is unsupported or unrecognized. Upload an ssh-rsa public key in OpenSSH or PEM format.")
	case errors.Is(err, sshkey.ErrMalformed):
		return k, iamapi.InvalidPublicKey("The public key is malformed or otherwise invalid.")
	case errors.Is(err, sshkey.ErrTooSmall):
		return k, iamapi.InvalidPublicKey("The public key must be an RSA key of at least %d bits.", sshkey.MinRSABits)
	}
	return k, err
}

// encodeSSHKey returns a stored key body in the encoding asked for: the
// body as uploaded when it already is in that encoding, else the key
// converted (PEM as an X.509 SubjectPublicKeyInfo).
func encodeSSHKey(body, encoding string) (string, error) {
	k, err := parseSSHPublicKey(body)
	if err != nil {
		return "", err
	}
	isPEM := k.Format() == sshkey.PEM
	switch {
	case encoding == iamapi.EncodingTypePEM && isPEM, encoding == iamapi.EncodingTypeSSH && !isPEM:
		return strings.TrimSpace(body), nil
	case encoding == iamapi.EncodingTypeSSH:
		return k.OpenSSH(), nil
	}
	return k.PEM()
}

// findSSHKey authorizes action on the user and finds its key id.
func (t *txn) findSSHKey(action iamapi.Action, name, id string) (*user, *sshKey, error) {
	u, err := t.requireUser(action, name, nil)
	if err != nil {
		return nil, nil, err
	}
	k, ok := cred[*sshKey](t, kindSSHKey, ownerPrefix(u.key())+id, u)
	if !ok {
		return nil, nil, errNoSuchSSHKey(id)
	}
	return u, k, nil
}

// UploadSSHPublicKey adds an SSH public key to a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html
func (svc *Service) UploadSSHPublicKey(ctx context.Context, r *authn.Request, in *iamapi.UploadSSHPublicKeyInput) (*iamapi.UploadSSHPublicKeyOutput, error) {
	var out *iamapi.UploadSSHPublicKeyOutput
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.requireUser(iamapi.ActionUploadSSHPublicKey, in.UserName, nil)
		if err != nil {
			return err
		}
		pub, err := parseSSHPublicKey(in.SSHPublicKeyBody)
		if err != nil {
			return err
		}
		fp := pub.Fingerprint()
		// A key is the user's once: the write holds to the keys it
		// compared with.
		t.exact(kindSSHKey, ownerPrefix(u.key()))
		keys := creds[*sshKey](t, kindSSHKey, u)
		if slices.ContainsFunc(keys, func(k *sshKey) bool { return k.Fingerprint == fp }) {
			return iamapi.DuplicateSSHPublicKey("The SSH public key is already associated with the specified IAM user.")
		}
		if t.fullUnder(kindSSHKey, ownerPrefix(u.key()), maxSSHKeys) {
			return quotaExceeded("PublicKeysPerUser", maxSSHKeys)
		}
		k := &sshKey{owner: ownerOf(u), ID: newSSHKeyID(), Body: in.SSHPublicKeyBody, Fingerprint: fp, Status: statusActive, Uploaded: t.svc.now(), Order: nextOrder(keys)}
		t.put(k)
		out = &iamapi.UploadSSHPublicKeyOutput{SSHPublicKey: &iamapi.SSHPublicKey{
			UserName: u.Name, SSHPublicKeyId: k.ID, Fingerprint: fp, SSHPublicKeyBody: k.Body, Status: k.Status, UploadDate: k.Uploaded,
		}}
		return nil
	})
	return out, err
}

// GetSSHPublicKey returns a user's SSH public key in the encoding asked for.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetSSHPublicKey.html
func (svc *Service) GetSSHPublicKey(ctx context.Context, r *authn.Request, in *iamapi.GetSSHPublicKeyInput) (*iamapi.GetSSHPublicKeyOutput, error) {
	var out *iamapi.GetSSHPublicKeyOutput
	err := svc.view(r, func(t *txn) error {
		u, k, err := t.findSSHKey(iamapi.ActionGetSSHPublicKey, in.UserName, in.SSHPublicKeyId)
		if err != nil {
			return err
		}
		body, err := encodeSSHKey(k.Body, in.Encoding)
		if err != nil {
			return err
		}
		out = &iamapi.GetSSHPublicKeyOutput{SSHPublicKey: &iamapi.SSHPublicKey{
			UserName: u.Name, SSHPublicKeyId: k.ID, Fingerprint: k.Fingerprint, SSHPublicKeyBody: body, Status: k.Status, UploadDate: k.Uploaded,
		}}
		return nil
	})
	return out, err
}

// UpdateSSHPublicKey activates or deactivates an SSH public key.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateSSHPublicKey.html
func (svc *Service) UpdateSSHPublicKey(ctx context.Context, r *authn.Request, in *iamapi.UpdateSSHPublicKeyInput) (*iamapi.UpdateSSHPublicKeyOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		_, k, err := t.findSSHKey(iamapi.ActionUpdateSSHPublicKey, in.UserName, in.SSHPublicKeyId)
		if err != nil {
			return err
		}
		if err := settableStatus(in.Status); err != nil {
			return err
		}
		nk := *k
		nk.Status = in.Status
		t.put(&nk)
		return nil
	})
	return &iamapi.UpdateSSHPublicKeyOutput{}, err
}

// settableStatus rejects Expired, which the statusType enum has but
// only IAM sets (on expiring credentials).
func settableStatus(s string) error {
	if s != statusActive && s != statusInactive {
		return iamapi.InvalidInput("Invalid status %s: the status must be Active or Inactive.", s)
	}
	return nil
}

// DeleteSSHPublicKey deletes an SSH public key.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteSSHPublicKey.html
func (svc *Service) DeleteSSHPublicKey(ctx context.Context, r *authn.Request, in *iamapi.DeleteSSHPublicKeyInput) (*iamapi.DeleteSSHPublicKeyOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		_, k, err := t.findSSHKey(iamapi.ActionDeleteSSHPublicKey, in.UserName, in.SSHPublicKeyId)
		if err != nil {
			return err
		}
		t.del(kindSSHKey, k.key())
		return nil
	})
	return &iamapi.DeleteSSHPublicKeyOutput{}, err
}

// ListSSHPublicKeys lists a user's SSH public keys (by default the
// caller's; the root user has none).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListSSHPublicKeys.html
func (svc *Service) ListSSHPublicKeys(ctx context.Context, r *authn.Request, in *iamapi.ListSSHPublicKeysInput) (*iamapi.ListSSHPublicKeysOutput, error) {
	var out *iamapi.ListSSHPublicKeysOutput
	err := svc.view(r, func(t *txn) error {
		name := t.targetUser(in.UserName)
		if name == "" {
			if err := t.authorize(iamapi.ActionListSSHPublicKeys, r.ARN, nil); err != nil {
				return err
			}
			out = &iamapi.ListSSHPublicKeysOutput{SSHPublicKeys: []iamapi.SSHPublicKeyMetadata{}, IsTruncated: boolPtr(false)}
			return nil
		}
		u, err := t.requireUser(iamapi.ActionListSSHPublicKeys, name, nil)
		if err != nil {
			return err
		}
		page, marker, truncated, err := paginateInOrder("ListSSHPublicKeys", inOrder(creds[*sshKey](t, kindSSHKey, u)), in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out = &iamapi.ListSSHPublicKeysOutput{SSHPublicKeys: make([]iamapi.SSHPublicKeyMetadata, len(page)), Marker: marker, IsTruncated: boolPtr(truncated)}
		for i, k := range page {
			out.SSHPublicKeys[i] = iamapi.SSHPublicKeyMetadata{UserName: u.Name, SSHPublicKeyId: k.ID, Status: k.Status, UploadDate: k.Uploaded}
		}
		return nil
	})
	return out, err
}

// paginateInOrder pages through items in the order they are held
// (upload order).
func paginateInOrder[T any](list string, items []T, marker string, maxItems *int32) ([]T, string, bool, error) {
	type indexed struct {
		i int
		v T
	}
	xs := make([]indexed, len(items))
	for i, v := range items {
		xs[i] = indexed{i, v}
	}
	page, next, truncated, err := paginate(list, xs, func(x indexed) string { return sortableIndex(x.i) }, marker, maxItems)
	if err != nil {
		return nil, "", false, err
	}
	out := make([]T, len(page))
	for i, x := range page {
		out[i] = x.v
	}
	return out, next, truncated, nil
}
