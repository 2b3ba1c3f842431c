// Package catalog is the reference data of AWS IAM: every service prefix
// with its actions, access levels, resource types, ARN formats and
// condition keys (the Service Authorization Reference), the global
// condition context keys, and the AWS managed policies.
//
// The data is generated from shared/data by internal/cmd/gencatalog into
// data/ and embedded, so the package needs no files at run time. Default
// decodes it once, on first use; the Catalog it returns is immutable and
// safe for concurrent use, and so is everything reachable from it: slices
// returned by its methods or held in its structs are shared and must not
// be modified.
//
// Look-ups by service prefix, action name, resource type and condition key
// ignore ASCII case, as IAM does for those names, and are map hits that do
// not allocate for names of ordinary length. Condition keys with a
// variable part (aws:RequestTag/${TagKey}, aws:PrincipalTag/tag-key,
// s3:ExistingObjectTag/<key>) are found from a concrete key such as
// aws:RequestTag/team.
//
// Sources:
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
//
// Action names and context key names are case-insensitive:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
package catalog

//go:generate go run ../internal/cmd/gencatalog -data ../../shared/data -out .
