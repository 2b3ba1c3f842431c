package iam

import (
	"context"
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
func (svc *Service) CreateAccessKey(ctx context.Context, in *iamapi.CreateAccessKeyInput) (*iamapi.CreateAccessKeyOutput, error) {
	r := RequestFrom(ctx)
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
		if len(u.AccessKeys) >= maxAccessKeys {
			return quotaExceeded("AccessKeysPerUser", maxAccessKeys)
		}
		id, secretKey := newID(prefixAccessKey, 16), newSecretKey()
		sealed, err := t.svc.keyring.Seal([]byte(secretKey), []byte(id))
		if err != nil {
			return err
		}
		// Kept to the nanosecond (AWS shows seconds) so that two keys
		// made in one second still list in the order they were made.
		k := accessKey{ID: id, Secret: sealed, Status: statusActive, Created: t.svc.clock().UTC()}
		nu := *u
		nu.AccessKeys = append(slices.Clone(u.AccessKeys), k)
		t.put(&nu)
		out = &iamapi.CreateAccessKeyOutput{AccessKey: &iamapi.AccessKey{
			UserName: u.Name, AccessKeyId: id, Status: statusActive, SecretAccessKey: secretKey, CreateDate: k.Created.Truncate(time.Second),
		}}
		return nil
	})
	return out, err
}

// ListAccessKeys lists a user's access keys (by default the caller's).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html
func (svc *Service) ListAccessKeys(ctx context.Context, in *iamapi.ListAccessKeysInput) (*iamapi.ListAccessKeysOutput, error) {
	r := RequestFrom(ctx)
	var out *iamapi.ListAccessKeysOutput
	err := svc.view(r, func(t *txn) error {
		name := t.targetUser(in.UserName)
		if name == "" {
			if err := t.authorize(iamapi.ActionListAccessKeys, r.Caller.ARN, nil); err != nil {
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
		keys := slices.SortedFunc(slices.Values(u.AccessKeys), func(a, b accessKey) int { return strings.Compare(accessKeyOrder(a), accessKeyOrder(b)) })
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
func accessKeyOrder(k accessKey) string {
	return k.Created.UTC().Format("20060102150405.000000000") + k.ID
}

// findKey returns the user owning access key id, checking that it is the
// named user when a name is given.
func (t *txn) findKey(action iamapi.Action, name, id string) (*user, int, error) {
	name = t.targetUser(name)
	if name == "" {
		if err := t.authorize(action, t.req.Caller.ARN, nil); err != nil {
			return nil, 0, err
		}
		return nil, 0, iamapi.NoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	u, err := t.requireUser(action, name, nil)
	if err != nil {
		return nil, 0, err
	}
	i := slices.IndexFunc(u.AccessKeys, func(k accessKey) bool { return k.ID == id })
	if i < 0 {
		return nil, 0, iamapi.NoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return u, i, nil
}

// UpdateAccessKey activates or deactivates an access key.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
func (svc *Service) UpdateAccessKey(ctx context.Context, in *iamapi.UpdateAccessKeyInput) (*iamapi.UpdateAccessKeyOutput, error) {
	r := RequestFrom(ctx)
	err := svc.update(ctx, r, func(t *txn) error {
		u, i, err := t.findKey(iamapi.ActionUpdateAccessKey, in.UserName, in.AccessKeyId)
		if err != nil {
			return err
		}
		nu := *u
		nu.AccessKeys = slices.Clone(u.AccessKeys)
		nu.AccessKeys[i].Status = in.Status
		t.put(&nu)
		return nil
	})
	return &iamapi.UpdateAccessKeyOutput{}, err
}

// DeleteAccessKey deletes an access key.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html
func (svc *Service) DeleteAccessKey(ctx context.Context, in *iamapi.DeleteAccessKeyInput) (*iamapi.DeleteAccessKeyOutput, error) {
	r := RequestFrom(ctx)
	err := svc.update(ctx, r, func(t *txn) error {
		u, i, err := t.findKey(iamapi.ActionDeleteAccessKey, in.UserName, in.AccessKeyId)
		if err != nil {
			return err
		}
		nu := *u
		nu.AccessKeys = slices.Delete(slices.Clone(u.AccessKeys), i, i+1)
		t.put(&nu)
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
func (svc *Service) GetAccessKeyLastUsed(ctx context.Context, in *iamapi.GetAccessKeyLastUsedInput) (*iamapi.GetAccessKeyLastUsedOutput, error) {
	r := RequestFrom(ctx)
	var out *iamapi.GetAccessKeyLastUsedOutput
	err := svc.view(r, func(t *txn) error {
		o, ok := t.base.keys[in.AccessKeyId]
		if !ok || o.account != r.Account {
			return awsapi.AccessDenied("User: " + r.Caller.ARN + " is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key " + in.AccessKeyId)
		}
		u, err := t.requireUser(iamapi.ActionGetAccessKeyLastUsed, o.userKey, nil)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(u.AccessKeys, func(k accessKey) bool { return k.ID == in.AccessKeyId })
		k := u.AccessKeys[i]
		lu := &iamapi.AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
		if use, ok := t.lastKeyUse(k.ID); ok {
			lu = &iamapi.AccessKeyLastUsed{LastUsedDate: use.Used, ServiceName: use.Service, Region: use.Region}
		}
		out = &iamapi.GetAccessKeyLastUsedOutput{UserName: u.Name, AccessKeyLastUsed: lu}
		return nil
	})
	return out, err
}
