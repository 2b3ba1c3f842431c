package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
)

// The managed and inline policy operations of users, groups and roles:
// one thin method each over attach, detach, listAttached, putInline,
// getInline, deleteInline and listInline.

// AttachUserPolicy attaches a managed policy to a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachUserPolicy.html
func (svc *Service) AttachUserPolicy(ctx context.Context, r *authn.Request, in *iamapi.AttachUserPolicyInput) (*iamapi.AttachUserPolicyOutput, error) {
	return &iamapi.AttachUserPolicyOutput{}, svc.attach(ctx, r, kindUser, iamapi.ActionAttachUserPolicy, in.UserName, in.PolicyArn)
}

// DetachUserPolicy detaches a managed policy from a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DetachUserPolicy.html
func (svc *Service) DetachUserPolicy(ctx context.Context, r *authn.Request, in *iamapi.DetachUserPolicyInput) (*iamapi.DetachUserPolicyOutput, error) {
	return &iamapi.DetachUserPolicyOutput{}, svc.detach(ctx, r, kindUser, iamapi.ActionDetachUserPolicy, in.UserName, in.PolicyArn)
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedUserPolicies.html
func (svc *Service) ListAttachedUserPolicies(ctx context.Context, r *authn.Request, in *iamapi.ListAttachedUserPoliciesInput) (*iamapi.ListAttachedUserPoliciesOutput, error) {
	page, marker, truncated, err := svc.listAttached(ctx, r, kindUser, iamapi.ActionListAttachedUserPolicies, in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesOutput{AttachedPolicies: page, Marker: marker, IsTruncated: boolPtr(truncated)}, nil
}

// PutUserPolicy adds or replaces an inline policy of a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html
func (svc *Service) PutUserPolicy(ctx context.Context, r *authn.Request, in *iamapi.PutUserPolicyInput) (*iamapi.PutUserPolicyOutput, error) {
	return &iamapi.PutUserPolicyOutput{}, svc.putInline(ctx, r, kindUser, iamapi.ActionPutUserPolicy, in.UserName, in.PolicyName, in.PolicyDocument, policy.InlineUser)
}

// GetUserPolicy returns an inline policy of a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUserPolicy.html
func (svc *Service) GetUserPolicy(ctx context.Context, r *authn.Request, in *iamapi.GetUserPolicyInput) (*iamapi.GetUserPolicyOutput, error) {
	name, doc, err := svc.getInline(ctx, r, kindUser, iamapi.ActionGetUserPolicy, in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserPolicyOutput{UserName: name, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPolicy.html
func (svc *Service) DeleteUserPolicy(ctx context.Context, r *authn.Request, in *iamapi.DeleteUserPolicyInput) (*iamapi.DeleteUserPolicyOutput, error) {
	return &iamapi.DeleteUserPolicyOutput{}, svc.deleteInline(ctx, r, kindUser, iamapi.ActionDeleteUserPolicy, in.UserName, in.PolicyName)
}

// ListUserPolicies lists the names of a user's inline policies.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUserPolicies.html
func (svc *Service) ListUserPolicies(ctx context.Context, r *authn.Request, in *iamapi.ListUserPoliciesInput) (*iamapi.ListUserPoliciesOutput, error) {
	names, marker, truncated, err := svc.listInline(ctx, r, kindUser, iamapi.ActionListUserPolicies, in.UserName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesOutput{PolicyNames: names, Marker: marker, IsTruncated: boolPtr(truncated)}, nil
}

// AttachGroupPolicy attaches a managed policy to a group.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachGroupPolicy.html
func (svc *Service) AttachGroupPolicy(ctx context.Context, r *authn.Request, in *iamapi.AttachGroupPolicyInput) (*iamapi.AttachGroupPolicyOutput, error) {
	return &iamapi.AttachGroupPolicyOutput{}, svc.attach(ctx, r, kindGroup, iamapi.ActionAttachGroupPolicy, in.GroupName, in.PolicyArn)
}

// DetachGroupPolicy detaches a managed policy from a group.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DetachGroupPolicy.html
func (svc *Service) DetachGroupPolicy(ctx context.Context, r *authn.Request, in *iamapi.DetachGroupPolicyInput) (*iamapi.DetachGroupPolicyOutput, error) {
	return &iamapi.DetachGroupPolicyOutput{}, svc.detach(ctx, r, kindGroup, iamapi.ActionDetachGroupPolicy, in.GroupName, in.PolicyArn)
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedGroupPolicies.html
func (svc *Service) ListAttachedGroupPolicies(ctx context.Context, r *authn.Request, in *iamapi.ListAttachedGroupPoliciesInput) (*iamapi.ListAttachedGroupPoliciesOutput, error) {
	page, marker, truncated, err := svc.listAttached(ctx, r, kindGroup, iamapi.ActionListAttachedGroupPolicies, in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedGroupPoliciesOutput{AttachedPolicies: page, Marker: marker, IsTruncated: boolPtr(truncated)}, nil
}

// PutGroupPolicy adds or replaces an inline policy of a group.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutGroupPolicy.html
func (svc *Service) PutGroupPolicy(ctx context.Context, r *authn.Request, in *iamapi.PutGroupPolicyInput) (*iamapi.PutGroupPolicyOutput, error) {
	return &iamapi.PutGroupPolicyOutput{}, svc.putInline(ctx, r, kindGroup, iamapi.ActionPutGroupPolicy, in.GroupName, in.PolicyName, in.PolicyDocument, policy.InlineGroup)
}

// GetGroupPolicy returns an inline policy of a group.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetGroupPolicy.html
func (svc *Service) GetGroupPolicy(ctx context.Context, r *authn.Request, in *iamapi.GetGroupPolicyInput) (*iamapi.GetGroupPolicyOutput, error) {
	name, doc, err := svc.getInline(ctx, r, kindGroup, iamapi.ActionGetGroupPolicy, in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetGroupPolicyOutput{GroupName: name, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

// DeleteGroupPolicy deletes an inline policy of a group.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteGroupPolicy.html
func (svc *Service) DeleteGroupPolicy(ctx context.Context, r *authn.Request, in *iamapi.DeleteGroupPolicyInput) (*iamapi.DeleteGroupPolicyOutput, error) {
	return &iamapi.DeleteGroupPolicyOutput{}, svc.deleteInline(ctx, r, kindGroup, iamapi.ActionDeleteGroupPolicy, in.GroupName, in.PolicyName)
}

// ListGroupPolicies lists the names of a group's inline policies.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListGroupPolicies.html
func (svc *Service) ListGroupPolicies(ctx context.Context, r *authn.Request, in *iamapi.ListGroupPoliciesInput) (*iamapi.ListGroupPoliciesOutput, error) {
	names, marker, truncated, err := svc.listInline(ctx, r, kindGroup, iamapi.ActionListGroupPolicies, in.GroupName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupPoliciesOutput{PolicyNames: names, Marker: marker, IsTruncated: boolPtr(truncated)}, nil
}

// AttachRolePolicy attaches a managed policy to a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html
func (svc *Service) AttachRolePolicy(ctx context.Context, r *authn.Request, in *iamapi.AttachRolePolicyInput) (*iamapi.AttachRolePolicyOutput, error) {
	return &iamapi.AttachRolePolicyOutput{}, svc.attach(ctx, r, kindRole, iamapi.ActionAttachRolePolicy, in.RoleName, in.PolicyArn)
}

// DetachRolePolicy detaches a managed policy from a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DetachRolePolicy.html
func (svc *Service) DetachRolePolicy(ctx context.Context, r *authn.Request, in *iamapi.DetachRolePolicyInput) (*iamapi.DetachRolePolicyOutput, error) {
	return &iamapi.DetachRolePolicyOutput{}, svc.detach(ctx, r, kindRole, iamapi.ActionDetachRolePolicy, in.RoleName, in.PolicyArn)
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedRolePolicies.html
func (svc *Service) ListAttachedRolePolicies(ctx context.Context, r *authn.Request, in *iamapi.ListAttachedRolePoliciesInput) (*iamapi.ListAttachedRolePoliciesOutput, error) {
	page, marker, truncated, err := svc.listAttached(ctx, r, kindRole, iamapi.ActionListAttachedRolePolicies, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesOutput{AttachedPolicies: page, Marker: marker, IsTruncated: boolPtr(truncated)}, nil
}

// PutRolePolicy adds or replaces an inline policy of a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html
func (svc *Service) PutRolePolicy(ctx context.Context, r *authn.Request, in *iamapi.PutRolePolicyInput) (*iamapi.PutRolePolicyOutput, error) {
	return &iamapi.PutRolePolicyOutput{}, svc.putInline(ctx, r, kindRole, iamapi.ActionPutRolePolicy, in.RoleName, in.PolicyName, in.PolicyDocument, policy.InlineRole)
}

// GetRolePolicy returns an inline policy of a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
func (svc *Service) GetRolePolicy(ctx context.Context, r *authn.Request, in *iamapi.GetRolePolicyInput) (*iamapi.GetRolePolicyOutput, error) {
	name, doc, err := svc.getInline(ctx, r, kindRole, iamapi.ActionGetRolePolicy, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRolePolicyOutput{RoleName: name, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

// DeleteRolePolicy deletes an inline policy of a role.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRolePolicy.html
func (svc *Service) DeleteRolePolicy(ctx context.Context, r *authn.Request, in *iamapi.DeleteRolePolicyInput) (*iamapi.DeleteRolePolicyOutput, error) {
	return &iamapi.DeleteRolePolicyOutput{}, svc.deleteInline(ctx, r, kindRole, iamapi.ActionDeleteRolePolicy, in.RoleName, in.PolicyName)
}

// ListRolePolicies lists the names of a role's inline policies.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRolePolicies.html
func (svc *Service) ListRolePolicies(ctx context.Context, r *authn.Request, in *iamapi.ListRolePoliciesInput) (*iamapi.ListRolePoliciesOutput, error) {
	names, marker, truncated, err := svc.listInline(ctx, r, kindRole, iamapi.ActionListRolePolicies, in.RoleName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesOutput{PolicyNames: names, Marker: marker, IsTruncated: boolPtr(truncated)}, nil
}
