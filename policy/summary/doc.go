// Package summary builds the IAM console's policy summary: for each
// service a policy names, the access levels it grants or denies (Full
// access, or Full and Limited per level: List, Read, Write, Permissions
// management, Tagging), the resources and the request conditions, and
// warnings for services and actions that grant nothing because AWS does
// not know them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary.html
package summary
