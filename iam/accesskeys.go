package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// maxAccessKeys is the quota of access keys per user.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxAccessKeys = 2

// CreateAccessKey creates an access key for a user (by default the
// caller). The secret is returned once and sealed at rest.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
func (svc *Service) CreateAccessKey(ctx context.Context, r *authn.Request, in *iamapi.CreateAccessKeyInput) (*iamapi.CreateAccessKeyOutput, error) {
	var out *iamapi.CreateAccessKeyOutput
	err := svc.update(ctx, r, func(t *txn) error {
		name := t.targetUser(in.UserName)
		if name == "" {
			// Root access keys are against the IAM best practices;
			// Gatehouse keeps the root user without keys.
			return iamapi.InvalidInput("The root user cannot have access keys; create an IAM user instead.")
		}
		u, err := t.requireUser(iamapi.ActionCreateAccessKey, name, nil)
		if err != nil {
			return err
		}
		if t.fullUnder(kindAccessKey, ownerPrefix(u.key()), maxAccessKeys) {
			return quotaExceeded("AccessKeysPerUser", maxAccessKeys)
		}
		k, secretKey, err := t.newAccessKey(u)
		if err != nil {
			return err
		}
		out = &iamapi.CreateAccessKeyOutput{AccessKey: &iamapi.AccessKey{
			UserName: u.Name, AccessKeyId: k.ID, Status: statusActive, SecretAccessKey: secretKey, CreateDate: k.Created.Truncate(time.Second),
		}}
		return nil
	})
	return out, err
}

// newAccessKey stages a new active access key of u, with the claim of
// its ID, and returns it with its secret.
func (t *txn) newAccessKey(u *user) (*accessKey, string, error) {
	id := newID(prefixAccessKey, 16)
	for !t.claimKeyID(id, u) {
		id = newID(prefixAccessKey, 16)
	}
	secretKey := newSecretKey()
	sealed, err := t.svc.keyring.Seal([]byte(secretKey), []byte(id))
	if err != nil {
		return nil, "", err
	}
	// Kept to the nanosecond (AWS shows seconds) so that two keys
	// made in one second still list in the order they were made.
	k := &accessKey{owner: ownerOf(u), ID: id, Secret: sealed, Status: statusActive, Created: t.svc.clock().UTC()}
	t.put(k)
	return k, secretKey, nil
}

// claimKeyID stages the claim of access key ID id for u, committed only
// if no key anywhere has the ID then; false if one has it already.
func (t *txn) claimKeyID(id string, u *user) bool {
	if _, taken := getAt[*accessKeyID](t, recordKey{"", kindAccessKeyID, id}); taken {
		return false
	}
	t.putGlobal(&accessKeyID{ID: id, Account: t.acct, UserID: u.ID})
	return true
}

// ListAccessKeys lists a user's access keys (by default the caller's).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html
func (svc *Service) ListAccessKeys(ctx context.Context, r *authn.Request, in *iamapi.ListAccessKeysInput) (*iamapi.ListAccessKeysOutput, error) {
	var out *iamapi.ListAccessKeysOutput
	err := svc.view(r, func(t *txn) error {
		name := t.targetUser(in.UserName)
		if name == "" {
			if err := t.authorize(iamapi.ActionListAccessKeys, r.ARN, nil); err != nil {
				return err
			}
			out = &iamapi.ListAccessKeysOutput{AccessKeyMetadata: []iamapi.AccessKeyMetadata{}, IsTruncated: boolPtr(false)}
			return nil
		}
		u, err := t.requireUser(iamapi.ActionListAccessKeys, name, nil)
		if err != nil {
			return err
		}
		// Oldest first; the page key (creation time, then ID) follows
		// that order, so a marker finds its place again.
		keys := slices.SortedFunc(slices.Values(creds[*accessKey](t, kindAccessKey, u)), func(a, b *accessKey) int { return strings.Compare(accessKeyOrder(a), accessKeyOrder(b)) })
		page, marker, truncated, err := paginate("ListAccessKeys", keys, accessKeyOrder, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out = &iamapi.ListAccessKeysOutput{AccessKeyMetadata: make([]iamapi.AccessKeyMetadata, len(page)), Marker: marker, IsTruncated: boolPtr(truncated)}
		for i, k := range page {
			out.AccessKeyMetadata[i] = iamapi.AccessKeyMetadata{UserName: u.Name, AccessKeyId: k.ID, Status: k.Status, CreateDate: k.Created.Truncate(time.Second)}
		}
		return nil
	})
	return out, err
}

// accessKeyOrder is the sort key of ListAccessKeys.
func accessKeyOrder(k *accessKey) string {
	return k.Created.UTC().Format("20060102150405.000000000") + k.ID
}

// findKey returns access key id of the named user (by default the
// caller).
func (t *txn) findKey(action iamapi.Action, name, id string) (*accessKey, error) {
	name = t.targetUser(name)
	if name == "" {
		if err := t.authorize(action, t.req.ARN, nil); err != nil {
			return nil, err
		}
		return nil, iamapi.NoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	u, err := t.requireUser(action, name, nil)
	if err != nil {
		return nil, err
	}
	k, ok := cred[*accessKey](t, kindAccessKey, ownerPrefix(u.key())+id, u)
	if !ok {
		return nil, iamapi.NoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return k, nil
}

// UpdateAccessKey activates or deactivates an access key.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
func (svc *Service) UpdateAccessKey(ctx context.Context, r *authn.Request, in *iamapi.UpdateAccessKeyInput) (*iamapi.UpdateAccessKeyOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		k, err := t.findKey(iamapi.ActionUpdateAccessKey, in.UserName, in.AccessKeyId)
		if err != nil {
			return err
		}
		nk := *k
		nk.Status = in.Status
		t.put(&nk)
		return nil
	})
	return &iamapi.UpdateAccessKeyOutput{}, err
}

// DeleteAccessKey deletes an access key and the claim of its ID.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html
func (svc *Service) DeleteAccessKey(ctx context.Context, r *authn.Request, in *iamapi.DeleteAccessKeyInput) (*iamapi.DeleteAccessKeyOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		k, err := t.findKey(iamapi.ActionDeleteAccessKey, in.UserName, in.AccessKeyId)
		if err != nil {
			return err
		}
		t.del(kindAccessKey, k.key())
		if _, ok := getAt[*accessKeyID](t, recordKey{"", kindAccessKeyID, k.ID}); ok {
			t.delGlobal(kindAccessKeyID, k.ID)
		}
		t.dropKeyUse(in.AccessKeyId)
		return nil
	})
	return &iamapi.DeleteAccessKeyOutput{}, err
}

// GetAccessKeyLastUsed tells when and where an access key was last used.
// The decision is on the key's user. A key that is not the account's
// is answered as AWS does, AccessDenied naming the key, whoever asks
// (test_access_key_errors, get-last-used-nonexistent-key-error, in
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_users.snapshot.json).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html
func (svc *Service) GetAccessKeyLastUsed(ctx context.Context, r *authn.Request, in *iamapi.GetAccessKeyLastUsedInput) (*iamapi.GetAccessKeyLastUsedOutput, error) {
	var out *iamapi.GetAccessKeyLastUsedOutput
	err := svc.view(r, func(t *txn) error {
		notOurs := func() error {
			return awsapi.AccessDenied("User: " + r.ARN + " is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key " + in.AccessKeyId)
		}
		o, ok := t.base.keys[in.AccessKeyId]
		if !ok || o.account != r.Account {
			return notOurs()
		}
		u, err := t.requireUser(iamapi.ActionGetAccessKeyLastUsed, o.userKey, nil)
		if err != nil {
			return err
		}
		k, ok := cred[*accessKey](t, kindAccessKey, o.record(in.AccessKeyId).key, u)
		if !ok {
			return notOurs()
		}
		lu := &iamapi.AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
		if use, ok := t.lastKeyUse(k.ID); ok {
			lu = &iamapi.AccessKeyLastUsed{LastUsedDate: use.Used, ServiceName: use.Service, Region: use.Region}
		}
		out = &iamapi.GetAccessKeyLastUsedOutput{UserName: u.Name, AccessKeyLastUsed: lu}
		return nil
	})
	return out, err
}
