package iam

import (
	"encoding/base64"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// defaultMaxItems is the page size of list operations without MaxItems.
const defaultMaxItems = 100

// paginate returns the page of items (sorted by key) that follows the
// marker: at most maxItems of them, the marker of the next page, and
// whether there is one. Markers are opaque to clients and name the list
// they page (the operation, list) and the last key returned, so pages
// stay stable while other requests write, and a marker of one list is
// refused by another.
// https://docs.aws.amazon.com/IAM/latest/APIReference/Welcome.html (Marker, MaxItems, IsTruncated)
func paginate[T any](list string, items []T, key func(T) string, marker string, maxItems *int32) ([]T, string, bool, error) {
	n := defaultMaxItems
	if maxItems != nil {
		n = int(*maxItems)
	}
	start := 0
	if marker != "" {
		last, err := parseMarker(list, marker)
		if err != nil {
			return nil, "", false, err
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > last })
	}
	end := min(start+n, len(items))
	page := items[start:end]
	if end < len(items) {
		return page, newMarker(list, key(items[end-1])), true, nil
	}
	return page, "", false, nil
}

// markerVersion opens every marker, so that a value IAM did not hand
// out is told apart from one it did. Version 2 markers name their list
// (version 1 did not, and are refused).
const markerVersion = 2

// newMarker returns the marker of list's page after key: the version,
// the list's name, a NUL (no list name holds one) and the key.
func newMarker(list, key string) string {
	b := make([]byte, 0, 2+len(list)+len(key))
	b = append(append(append(append(b, markerVersion), list...), 0), key...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseMarker returns the key a marker of list names, or the error IAM
// answers for a marker it did not hand out for list: a ValidationError
// "Invalid Marker.", never an empty page (a client echoing a corrupted
// marker back would otherwise stop early or loop).
// Recorded: https://github.com/faiscadev/fakecloud/pull/1615 (AWS's
// answer to a malformed Marker on IAM list operations); a marker of one
// list sent to another is refused too: ListUsers's marker sent to
// ListAccessKeys is "Invalid Marker"
// (https://github.com/trek10inc/awsets/pull/21).
func parseMarker(list, marker string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || len(b) < len(list)+3 || b[0] != markerVersion || string(b[1:1+len(list)]) != list || b[1+len(list)] != 0 {
		return "", errInvalidMarker()
	}
	key := b[len(list)+2:]
	if !utf8.Valid(key) {
		return "", errInvalidMarker()
	}
	return string(key), nil
}

func errInvalidMarker() error { return awsapi.ValidationError("Invalid Marker.") }

// pathPrefixMatch reports whether path starts with prefix; an empty
// prefix matches every path.
func pathPrefixMatch(path, prefix string) bool {
	return prefix == "" || strings.HasPrefix(path, prefix)
}

// defaultPath returns p, or "/" when it is empty.
func defaultPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// Tag quotas.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxTags = 50

// tagContext returns the request context keys of tags being set:
// aws:RequestTag/<key> and aws:TagKeys.
func tagContext(tags []iamapi.Tag, keys map[string][]string) map[string][]string {
	if len(tags) == 0 {
		return keys
	}
	if keys == nil {
		keys = make(map[string][]string)
	}
	tk := make([]string, 0, len(tags))
	for _, t := range tags {
		keys["aws:RequestTag/"+t.Key] = []string{t.Value}
		tk = append(tk, t.Key)
	}
	keys["aws:TagKeys"] = tk
	return keys
}

// resourceTagContext adds aws:ResourceTag/<key> for an entity's tags.
func resourceTagContext(tags []Tag, keys map[string][]string) map[string][]string {
	if len(tags) == 0 {
		return keys
	}
	if keys == nil {
		keys = make(map[string][]string)
	}
	for _, t := range tags {
		keys["aws:ResourceTag/"+t.Key] = []string{t.Value}
		keys["iam:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return keys
}

// reservedTagPrefix begins the tag keys AWS keeps for itself, in any
// case ("aws:", "AWS:", "Aws:"): callers can neither add nor remove them.
// https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
const reservedTagPrefix = "aws:"

func reservedTagKey(k string) bool {
	return len(k) >= len(reservedTagPrefix) && strings.EqualFold(k[:len(reservedTagPrefix)], reservedTagPrefix)
}

// errReservedTagKey is IAM's answer to a reserved tag key. The code is
// InvalidInput like IAM's other tag-value errors; no recorded AWS answer
// gives the text, which follows the EC2 wording of the same rule.
func errReservedTagKey() error {
	return iamapi.InvalidInput("Tag keys starting with 'aws:' are reserved for internal use")
}

// sameTagKey compares tag keys as a kind does: ignoring case (users,
// roles and the other identities: "Duplicate tag keys found. Please note
// that Tag keys are case insensitive.") or exactly (customer managed
// policies, where "a" and "A" are two tags).
// Recorded AWS responses:
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_roles.snapshot.json (test_role_tag_errors)
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_policies.snapshot.json (test_policy_tag_lifecycle)
func sameTagKey(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// checkNewTags rejects reserved keys and a request that repeats a key.
func checkNewTags(tags []iamapi.Tag, fold bool) error {
	for _, t := range tags {
		if reservedTagKey(t.Key) {
			return errReservedTagKey()
		}
	}
	for i, t := range tags {
		for _, u := range tags[:i] {
			if sameTagKey(t.Key, u.Key, fold) {
				if fold {
					return iamapi.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
				}
				return iamapi.InvalidInput("Duplicate tag keys found.")
			}
		}
	}
	return nil
}

// mergeTags returns current with tags added or replaced (by key), or a
// LimitExceeded error beyond the quota.
func mergeTags(current []Tag, tags []iamapi.Tag, fold bool) ([]Tag, error) {
	if err := checkNewTags(tags, fold); err != nil {
		return nil, err
	}
	out := slices.Clone(current)
	for _, t := range tags {
		i := slices.IndexFunc(out, func(c Tag) bool { return sameTagKey(c.Key, t.Key, fold) })
		if i >= 0 {
			out[i] = Tag{Key: t.Key, Value: t.Value}
		} else {
			out = append(out, Tag{Key: t.Key, Value: t.Value})
		}
	}
	if len(out) > maxTags {
		return nil, iamapi.LimitExceeded("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// removeTags returns current without the keys, or the error for a
// reserved key.
func removeTags(current []Tag, keys []string, fold bool) ([]Tag, error) {
	if slices.ContainsFunc(keys, reservedTagKey) {
		return nil, errReservedTagKey()
	}
	return slices.DeleteFunc(slices.Clone(current), func(c Tag) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return sameTagKey(k, c.Key, fold) })
	}), nil
}

// newTags checks the tags given when an entity is created (keys ignore
// case); newPolicyTags does for a customer managed policy.
func newTags(tags []iamapi.Tag) ([]Tag, error) {
	return mergeTags(nil, tags, true)
}

func newPolicyTags(tags []iamapi.Tag) ([]Tag, error) {
	return mergeTags(nil, tags, false)
}

// tagsOrEmpty returns tags, or an empty list for none, where AWS answers
// an empty Tags element rather than none (the authorization details and
// the Get operations of instance profiles, server certificates, SAML and
// OIDC providers and managed policies).
func tagsOrEmpty(tags []iamapi.Tag) []iamapi.Tag {
	if tags == nil {
		return []iamapi.Tag{}
	}
	return tags
}

func apiTags(tags []Tag) []iamapi.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamapi.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// quotaExceeded is AWS's LimitExceeded message for an account quota.
func quotaExceeded(quota string, limit int) error {
	return iamapi.LimitExceeded("Cannot exceed quota for %s: %s", quota, strconv.Itoa(limit))
}

func boolPtr(b bool) *bool { return awsapi.Ptr(b) }
