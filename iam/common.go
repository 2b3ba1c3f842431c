package iam

import (
	"encoding/base64"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// defaultMaxItems is the page size of list operations without MaxItems.
const defaultMaxItems = 100

// paginate returns the page of items (sorted by key) that follows the
// marker: at most maxItems of them, the marker of the next page, and
// whether there is one. Markers are opaque to clients and name the last
// key returned, so pages stay stable while other requests write.
// https://docs.aws.amazon.com/IAM/latest/APIReference/Welcome.html (Marker, MaxItems, IsTruncated)
func paginate[T any](items []T, key func(T) string, marker string, maxItems *int32) ([]T, string, bool, error) {
	n := defaultMaxItems
	if maxItems != nil {
		n = int(*maxItems)
	}
	start := 0
	if marker != "" {
		last, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", false, iamapi.InvalidInput("Invalid Marker.")
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > string(last) })
	}
	end := min(start+n, len(items))
	page := items[start:end]
	if end < len(items) {
		return page, base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1]))), true, nil
	}
	return page, "", false, nil
}

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

// checkNewTags rejects a request that repeats a tag key (keys are
// case-insensitive).
func checkNewTags(tags []iamapi.Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return iamapi.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	return nil
}

// mergeTags returns current with tags added or replaced (by key, ignoring
// case), or a LimitExceeded error beyond the quota.
func mergeTags(current []Tag, tags []iamapi.Tag) ([]Tag, error) {
	if err := checkNewTags(tags); err != nil {
		return nil, err
	}
	out := slices.Clone(current)
	for _, t := range tags {
		i := slices.IndexFunc(out, func(c Tag) bool { return strings.EqualFold(c.Key, t.Key) })
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

// removeTags returns current without the keys (ignoring case).
func removeTags(current []Tag, keys []string) []Tag {
	return slices.DeleteFunc(slices.Clone(current), func(c Tag) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, c.Key) })
	})
}

func newTags(tags []iamapi.Tag) ([]Tag, error) {
	return mergeTags(nil, tags)
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
