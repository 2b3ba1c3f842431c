package authz

import (
	"strings"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/policy"
)

// ParseCaller turns a principal as AWS names it into a Caller: an IAM user
// or role ARN, an account root (arn:aws:iam::111122223333:root), a role
// session (arn:aws:sts::111122223333:assumed-role/Role/session), a
// federated user (arn:aws:sts::111122223333:federated-user/bob, with the
// ARN of the IAM user that created it in parentUser), a service principal
// (s3.amazonaws.com), or "anonymous". A role ARN stands for a session of
// that role.
func ParseCaller(principal, parentUser string) (policy.Caller, error) {
	bad := &RequestError{Field: "principal", Value: principal}
	switch {
	case principal == "anonymous":
		return policy.Caller{Type: policy.Anonymous}, nil
	case !strings.HasPrefix(principal, "arn:"):
		if principal == "" || strings.ContainsAny(principal, ":/*? ") || !strings.Contains(principal, ".") {
			return policy.Caller{}, bad
		}
		return policy.Caller{Type: policy.Service, Service: principal, ARN: principal}, nil
	}
	a, err := arn.Parse(principal)
	if err != nil || a.AccountID == "" || a.Region != "" {
		return policy.Caller{}, bad
	}
	c := policy.Caller{ARN: principal, Account: a.AccountID}
	switch {
	case a.Service == "iam" && a.Resource == "root":
		c.Type = policy.Account
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		c.Type = policy.User
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		c.Type, c.RoleARN = policy.AssumedRole, principal
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		parts := strings.Split(a.Resource, "/")
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return policy.Caller{}, bad
		}
		c.Type = policy.AssumedRole
		c.RoleARN = arn.ARN{Partition: a.Partition, Service: "iam", AccountID: a.AccountID, Resource: "role/" + parts[1]}.String()
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "federated-user/"):
		c.Type = policy.FederatedUser
		c.ParentUserARN = parentUser
	default:
		return policy.Caller{}, bad
	}
	return c, nil
}

// SetPrincipalKeys sets the principal's global condition keys that AWS
// always sends and that are absent from ctx: aws:PrincipalArn (for a role
// session, the role's ARN), aws:PrincipalAccount, aws:PrincipalType and,
// for an IAM user, aws:username.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
func SetPrincipalKeys(c *policy.Caller, ctx *policy.Context) {
	set := func(k, v string) {
		if v != "" && !ctx.Has(k) {
			ctx.Set(k, v)
		}
	}
	switch c.Type {
	case policy.Anonymous:
		set("aws:PrincipalType", "Anonymous")
		return
	case policy.Service:
		return
	}
	pa := c.ARN
	if c.Type == policy.AssumedRole && c.RoleARN != "" {
		pa = c.RoleARN
	}
	set("aws:PrincipalArn", pa)
	set("aws:PrincipalAccount", c.Account)
	set("aws:PrincipalType", c.Type.String())
	if c.Type == policy.User {
		name := c.ARN[strings.LastIndexByte(c.ARN, '/')+1:]
		set("aws:username", name)
	}
}
