package iam

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// linkedService is one service that has a service-linked role: the
// service principal, the role's name, the managed policies attached to
// it and whether callers may add a custom suffix to the name. The table
// of them (lookupLinkedService) is generated from servicelinkedroles.json,
// where each entry cites the AWS page and the sources it comes from.
type linkedService struct {
	Service      string
	RoleName     string
	Policies     []string // canonical ARNs of AWS managed policies
	CustomSuffix bool
	Doc          string // the AWS page the entry comes from
}

//go:generate go run ../internal/cmd/genslr -data servicelinkedroles.json -out servicelinkedroles_gen.go

// Deletion task states.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLinkedRoleDeletionStatus.html
const deletionSucceeded = "SUCCEEDED"

const deletionTaskPrefix = "task" + serviceLinkedRolesPath

// maxRoleName is the length limit of role names.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
const maxRoleName = 64

// errProtectedRole is IAM's answer to a change of a service-linked role
// that only the service may make.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
func errProtectedRole(name string) error {
	return iamapi.UnmodifiableEntity("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", name)
}

// protectedHolder returns errProtectedRole if h is a service-linked role:
// its policies are the service's, not the caller's.
func protectedHolder(h holder) error {
	if r, ok := h.(*role); ok && r.Service != "" {
		return errProtectedRole(r.Name)
	}
	return nil
}

// serviceLinkedTrust is the trust policy of a service-linked role: only
// the service may assume it.
func serviceLinkedTrust(service string) string {
	b, _ := json.Marshal(service)
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":` + string(b) + `},"Action":"sts:AssumeRole"}]}`
}

// CreateServiceLinkedRole creates the role a service uses on the
// caller's behalf, at /aws-service-role/<service>/, trusting only the
// service, with the service's managed policies attached.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html
func (svc *Service) CreateServiceLinkedRole(ctx context.Context, r *authn.Request, in *iamapi.CreateServiceLinkedRoleInput) (*iamapi.CreateServiceLinkedRoleOutput, error) {
	ls, ok := lookupLinkedService(in.AWSServiceName)
	if !ok {
		// No recorded AWS answer to an unknown principal was found; this
		// text is Gatehouse's.
		return nil, iamapi.InvalidInput("Unrecognized service principal: %s", in.AWSServiceName)
	}
	name := ls.RoleName
	if in.CustomSuffix != "" {
		// AWS's answer for every service that takes no suffix, recorded in
		// the "recorded" source of servicelinkedroles.json.
		if !ls.CustomSuffix {
			return nil, iamapi.InvalidInput("Custom suffix is not allowed for %s", in.AWSServiceName)
		}
		name += "_" + in.CustomSuffix
		if len(name) > maxRoleName {
			// The suffix fits its own constraint but the role name
			// does not fit the role's.
			return nil, awsapi.ValidationError(fmt.Sprintf("1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to %d", name, maxRoleName))
		}
	}
	path := serviceLinkedRolesPath + ls.Service + "/"
	var out *iamapi.CreateServiceLinkedRoleOutput
	err := svc.update(ctx, r, func(t *txn) error {
		keys := map[string][]string{"iam:AWSServiceName": {ls.Service}}
		if err := t.authorize(iamapi.ActionCreateServiceLinkedRole, iamapi.RoleARN(t.req.Partition, t.req.Account, path, name), keys); err != nil {
			return err
		}
		if _, ok := get[*role](t, kindRole, nameKey(name)); ok {
			return iamapi.InvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		if t.full(kindRole, maxRoles) {
			return quotaExceeded("RolesPerAccount", maxRoles)
		}
		nr := &role{
			Path: path, Name: name, ID: uniqueID(prefixRole), Created: t.svc.now(),
			Trust: serviceLinkedTrust(ls.Service), Description: in.Description, MaxSession: defaultMaxSession,
			Attached: slices.Clone(ls.Policies), Service: ls.Service,
		}
		t.put(nr)
		ar := t.apiRole(nr)
		ar.RoleLastUsed = nil
		out = &iamapi.CreateServiceLinkedRoleOutput{Role: ar}
		return nil
	})
	return out, err
}

// DeleteServiceLinkedRole submits a service-linked role for deletion.
// No service here holds resources that use the role, so the deletion
// succeeds at once; the task is kept for
// GetServiceLinkedRoleDeletionStatus.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteServiceLinkedRole.html
func (svc *Service) DeleteServiceLinkedRole(ctx context.Context, r *authn.Request, in *iamapi.DeleteServiceLinkedRoleInput) (*iamapi.DeleteServiceLinkedRoleOutput, error) {
	var out *iamapi.DeleteServiceLinkedRoleOutput
	err := svc.update(ctx, r, func(t *txn) error {
		ro, err := t.requireRole(iamapi.ActionDeleteServiceLinkedRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		if ro.Service == "" {
			return errNoSuchRole(in.RoleName)
		}
		task := &slrDeletion{ID: deletionTaskPrefix + ro.Service + "/" + ro.Name + "/" + newUUID(), Status: deletionSucceeded, Created: t.svc.now()}
		t.del(kindRole, ro.key())
		t.put(task)
		out = &iamapi.DeleteServiceLinkedRoleOutput{DeletionTaskId: task.ID}
		return nil
	})
	return out, err
}

// GetServiceLinkedRoleDeletionStatus reports how a deletion task ended.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLinkedRoleDeletionStatus.html
func (svc *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, r *authn.Request, in *iamapi.GetServiceLinkedRoleDeletionStatusInput) (*iamapi.GetServiceLinkedRoleDeletionStatusOutput, error) {
	// task/aws-service-role/<service>/<role>/<uuid>: the role ARN is the
	// resource of the authorization.
	rest, ok := strings.CutPrefix(in.DeletionTaskId, deletionTaskPrefix)
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, iamapi.InvalidInput("Invalid deletion task id: %s", in.DeletionTaskId)
	}
	var out *iamapi.GetServiceLinkedRoleDeletionStatusOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionGetServiceLinkedRoleDeletionStatus, iamapi.RoleARN(t.req.Partition, t.req.Account, serviceLinkedRolesPath+parts[0]+"/", parts[1]), nil); err != nil {
			return err
		}
		task, ok := get[*slrDeletion](t, kindSLRDeletion, in.DeletionTaskId)
		if !ok {
			return iamapi.NoSuchEntity("Deletion task %s cannot be found.", in.DeletionTaskId)
		}
		out = &iamapi.GetServiceLinkedRoleDeletionStatusOutput{Status: task.Status}
		return nil
	})
	return out, err
}

// newUUID returns a random (version 4) UUID in lower case, the form of
// deletion task IDs and issuer identifiers.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
