package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"github.com/gatehouse/gatehouse/authn"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// maxServiceCreds is the quota of service-specific credentials per
// user and service.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html
const maxServiceCreds = 2

// credentialService is a service that takes service-specific
// credentials: a generated user name and password (CodeCommit Git
// credentials, Keyspaces), or an API key (Bedrock, CloudWatch Logs)
// whose secret is a bearer token with the service's prefix.
type credentialService struct {
	apiKeyPrefix string // "" for user name and password credentials
}

// credentialServices are the services the API reference lists for
// CreateServiceSpecificCredential.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_bedrock.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_HTTP_Endpoints_BearerTokenAuth.html
var credentialServices = map[string]credentialService{
	"codecommit.amazonaws.com": {},
	"cassandra.amazonaws.com":  {},
	"bedrock.amazonaws.com":    {apiKeyPrefix: "ABSK"},
	"logs.amazonaws.com":       {apiKeyPrefix: "ACWL"},
}

// errServiceNotSupported and errNoSuchServiceCred are AWS's answers as
// recorded: a service without service-specific credentials is
// NoSuchEntity (404), not the model's NotSupportedService, for Create and
// List alike; an ID the user does not have is NoSuchEntity too.
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam.snapshot.json
// (test_create_service_specific_credential_invalid_service,
// test_user_match_id_mismatch)
func errServiceNotSupported(name string) error {
	return iamapi.NoSuchEntity("No such service %s is supported for Service Specific Credentials", name)
}

func errNoSuchServiceCred(id string) error {
	return iamapi.NoSuchEntity("No such credential %s exists", id)
}

// newServicePassword returns a generated password: 32 random bytes in
// base64, 44 characters like AWS's.
func newServicePassword() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// credStatus is the status a credential reports at now: Expired once
// its expiration has passed.
func credStatus(c serviceCred, now time.Time) string {
	if !c.Expiration.IsZero() && !now.Before(c.Expiration) {
		return iamapi.StatusTypeExpired
	}
	return c.Status
}

// serviceUserName is the user name (or API key alias) of a new
// credential for service after same, the user's credentials for it:
// <user>-at-<account> for the first, <user>+1-at-<account> for the
// second, as AWS names them, so the two are told apart when they sign
// in.
// https://docs.aws.amazon.com/cli/latest/reference/iam/list-service-specific-credentials.html#examples
func serviceUserName(u *user, same []*serviceCred, account string) string {
	taken := func(name string) bool {
		return slices.ContainsFunc(same, func(c *serviceCred) bool { return c.UserName == name || c.CredAlias == name })
	}
	name := u.Name + "-at-" + account
	for n := 1; taken(name); n++ {
		name = u.Name + "+" + strconv.Itoa(n) + "-at-" + account
	}
	return name
}

// issue generates the secret of c (a password or an API key secret),
// seals it under the credential ID and returns what the caller sees
// once: the credential with its password or API key.
func (t *txn) issue(c *serviceCred, owner string) (*iamapi.ServiceSpecificCredential, error) {
	secret := newServicePassword()
	sealed, err := t.svc.keyring.Seal([]byte(secret), []byte(c.ID))
	if err != nil {
		return nil, err
	}
	c.Password = sealed
	out := &iamapi.ServiceSpecificCredential{
		CreateDate:                  c.Created,
		ExpirationDate:              c.Expiration,
		ServiceName:                 c.Service,
		ServiceUserName:             c.UserName,
		ServiceCredentialAlias:      c.CredAlias,
		ServiceSpecificCredentialId: c.ID,
		UserName:                    owner,
		Status:                      credStatus(*c, t.svc.now()),
	}
	if prefix := credentialServices[c.Service].apiKeyPrefix; prefix != "" {
		out.ServiceCredentialSecret = prefix + base64.StdEncoding.EncodeToString([]byte(c.CredAlias+":"+secret))
	} else {
		out.ServicePassword = secret
	}
	return out, nil
}

// CreateServiceSpecificCredential creates a credential of a user for
// one service; the password or API key is returned once.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html
func (svc *Service) CreateServiceSpecificCredential(ctx context.Context, r *authn.Request, in *iamapi.CreateServiceSpecificCredentialInput) (*iamapi.CreateServiceSpecificCredentialOutput, error) {
	keys := map[string][]string{"iam:ServiceSpecificCredentialServiceName": {in.ServiceName}}
	if in.CredentialAgeDays != nil {
		keys["iam:ServiceSpecificCredentialAgeDays"] = []string{strconv.Itoa(int(*in.CredentialAgeDays))}
	}
	var out *iamapi.CreateServiceSpecificCredentialOutput
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.requireUser(iamapi.ActionCreateServiceSpecificCredential, in.UserName, keys)
		if err != nil {
			return err
		}
		cs, ok := credentialServices[in.ServiceName]
		if !ok {
			return errServiceNotSupported(in.ServiceName)
		}
		if in.CredentialAgeDays != nil && cs.apiKeyPrefix == "" {
			return iamapi.InvalidInput("CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.")
		}
		// The names of the service's credentials are the user's once:
		// the write holds to those it chose a new one beside.
		prefix := servicePrefix(u.key(), in.ServiceName)
		t.exact(kindServiceCred, prefix)
		if t.fullUnder(kindServiceCred, prefix, maxServiceCreds) {
			return quotaExceeded("ServiceSpecificCredentialsPerUserPerService", maxServiceCreds)
		}
		c := &serviceCred{owner: ownerOf(u), ID: uniqueID(prefixServiceCred), Service: in.ServiceName, Status: statusActive, Created: t.svc.now(),
			Order: nextOrder(creds[*serviceCred](t, kindServiceCred, u))}
		same := slices.DeleteFunc(creds[*serviceCred](t, kindServiceCred, u), func(o *serviceCred) bool { return o.Service != in.ServiceName })
		serviceUser := serviceUserName(u, same, t.acct)
		if cs.apiKeyPrefix == "" {
			c.UserName = serviceUser
		} else {
			c.CredAlias = serviceUser
		}
		if in.CredentialAgeDays != nil {
			c.Expiration = c.Created.Add(time.Duration(*in.CredentialAgeDays) * 24 * time.Hour)
		}
		issued, err := t.issue(c, u.Name)
		if err != nil {
			return err
		}
		t.put(c)
		out = &iamapi.CreateServiceSpecificCredentialOutput{ServiceSpecificCredential: issued}
		return nil
	})
	return out, err
}

// findServiceCred authorizes action on the owner of credential id (by
// default the caller) and finds it. The credential's service is the
// iam:ServiceSpecificCredentialServiceName key of the decision.
func (t *txn) findServiceCred(action iamapi.Action, name, id string) (*user, *serviceCred, error) {
	name = t.targetUser(name)
	if name == "" {
		if err := t.authorize(action, t.req.ARN, nil); err != nil {
			return nil, nil, err
		}
		return nil, nil, errNoSuchServiceCred(id)
	}
	find := func(u *user) *serviceCred {
		for _, c := range creds[*serviceCred](t, kindServiceCred, u) {
			if c.ID == id {
				return c
			}
		}
		return nil
	}
	var keys map[string][]string
	if u, ok := get[*user](t, kindUser, nameKey(name)); ok {
		if c := find(u); c != nil {
			keys = map[string][]string{"iam:ServiceSpecificCredentialServiceName": {c.Service}}
		}
	}
	u, err := t.requireUser(action, name, keys)
	if err != nil {
		return nil, nil, err
	}
	c := find(u)
	if c == nil {
		return nil, nil, errNoSuchServiceCred(id)
	}
	return u, c, nil
}

// ResetServiceSpecificCredential replaces a credential's password (or
// API key secret) with a new generated one, returned once; the old one
// stops working at once.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResetServiceSpecificCredential.html
func (svc *Service) ResetServiceSpecificCredential(ctx context.Context, r *authn.Request, in *iamapi.ResetServiceSpecificCredentialInput) (*iamapi.ResetServiceSpecificCredentialOutput, error) {
	var out *iamapi.ResetServiceSpecificCredentialOutput
	err := svc.update(ctx, r, func(t *txn) error {
		u, c, err := t.findServiceCred(iamapi.ActionResetServiceSpecificCredential, in.UserName, in.ServiceSpecificCredentialId)
		if err != nil {
			return err
		}
		nc := *c
		issued, err := t.issue(&nc, u.Name)
		if err != nil {
			return err
		}
		t.put(&nc)
		out = &iamapi.ResetServiceSpecificCredentialOutput{ServiceSpecificCredential: issued}
		return nil
	})
	return out, err
}

// UpdateServiceSpecificCredential activates or deactivates a credential.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateServiceSpecificCredential.html
func (svc *Service) UpdateServiceSpecificCredential(ctx context.Context, r *authn.Request, in *iamapi.UpdateServiceSpecificCredentialInput) (*iamapi.UpdateServiceSpecificCredentialOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		_, c, err := t.findServiceCred(iamapi.ActionUpdateServiceSpecificCredential, in.UserName, in.ServiceSpecificCredentialId)
		if err != nil {
			return err
		}
		if err := settableStatus(in.Status); err != nil {
			return err
		}
		nc := *c
		nc.Status = in.Status
		t.put(&nc)
		return nil
	})
	return &iamapi.UpdateServiceSpecificCredentialOutput{}, err
}

// DeleteServiceSpecificCredential deletes a credential.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteServiceSpecificCredential.html
func (svc *Service) DeleteServiceSpecificCredential(ctx context.Context, r *authn.Request, in *iamapi.DeleteServiceSpecificCredentialInput) (*iamapi.DeleteServiceSpecificCredentialOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		_, c, err := t.findServiceCred(iamapi.ActionDeleteServiceSpecificCredential, in.UserName, in.ServiceSpecificCredentialId)
		if err != nil {
			return err
		}
		t.del(kindServiceCred, c.key())
		return nil
	})
	return &iamapi.DeleteServiceSpecificCredentialOutput{}, err
}

// ListServiceSpecificCredentials lists a user's credentials (by
// default the caller's), or with AllUsers every user's, optionally of
// one service. Like the other list operations it answers IsTruncated,
// false on a last page: AWS left it out before the operation could page
// (recorded in March 2025) and has answered it since (recorded in March
// 2026).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListServiceSpecificCredentials.html
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_users.snapshot.json (test_user_rename_updates_service_specific_credentials, 2026)
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam.snapshot.json (test_service_specific_credential_lifecycle, 2025)
func (svc *Service) ListServiceSpecificCredentials(ctx context.Context, r *authn.Request, in *iamapi.ListServiceSpecificCredentialsInput) (*iamapi.ListServiceSpecificCredentialsOutput, error) {
	allUsers := in.AllUsers != nil && *in.AllUsers
	var out *iamapi.ListServiceSpecificCredentialsOutput
	err := svc.view(r, func(t *txn) error {
		var users []*user
		after, err := markerKey("ListServiceSpecificCredentials", in.Marker)
		if err != nil {
			return err
		}
		switch name := t.targetUser(in.UserName); {
		case allUsers:
			if err := t.authorize(iamapi.ActionListServiceSpecificCredentials, iamapi.UserARN(t.req.Partition, t.req.Account, "/", ""), nil); err != nil {
				return err
			}
			if in.UserName != "" {
				return iamapi.InvalidInput("AllUsers cannot be specified together with UserName.")
			}
			// The users with service-specific credentials from the
			// marker's on, until they have more than a page after the
			// marker (a read-only view: the visible state's index). Of
			// one service, the users with none of it are walked too.
			if ix := t.ix(); ix != nil {
				from, _, _ := strings.Cut(after, "\x00")
				n, limit := 0, defaultMaxItems
				if in.MaxItems != nil {
					limit = int(*in.MaxItems)
				}
				for x := range ix.owned[kindServiceCred].from(from).seq() {
					u, ok := get[*user](t, kindUser, x.sort)
					if !ok {
						continue
					}
					users = append(users, u)
					for i, c := range inOrder(creds[*serviceCred](t, kindServiceCred, u)) {
						if (in.ServiceName == "" || c.Service == in.ServiceName) && u.key()+"\x00"+sortableIndex(i) > after {
							n++
						}
					}
					if n > limit {
						break
					}
				}
			}
		case name == "":
			if err := t.authorize(iamapi.ActionListServiceSpecificCredentials, r.ARN, nil); err != nil {
				return err
			}
		default:
			u, err := t.requireUser(iamapi.ActionListServiceSpecificCredentials, name, nil)
			if err != nil {
				return err
			}
			users = []*user{u}
		}
		if _, ok := credentialServices[in.ServiceName]; in.ServiceName != "" && !ok {
			return errServiceNotSupported(in.ServiceName)
		}
		type owned struct {
			key string // sorts by user, then creation
			u   *user
			c   *serviceCred
		}
		var listed []owned
		for _, u := range users {
			for i, c := range inOrder(creds[*serviceCred](t, kindServiceCred, u)) {
				if in.ServiceName == "" || c.Service == in.ServiceName {
					listed = append(listed, owned{u.key() + "\x00" + sortableIndex(i), u, c})
				}
			}
		}
		page, marker, truncated, err := paginate("ListServiceSpecificCredentials", listed, func(o owned) string { return o.key }, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		now := t.svc.now()
		out = &iamapi.ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: make([]iamapi.ServiceSpecificCredentialMetadata, len(page)), Marker: marker, IsTruncated: boolPtr(truncated)}
		for i, o := range page {
			out.ServiceSpecificCredentials[i] = iamapi.ServiceSpecificCredentialMetadata{
				UserName:                    o.u.Name,
				Status:                      credStatus(*o.c, now),
				ServiceUserName:             o.c.UserName,
				ServiceCredentialAlias:      o.c.CredAlias,
				CreateDate:                  o.c.Created,
				ExpirationDate:              o.c.Expiration,
				ServiceSpecificCredentialId: o.c.ID,
				ServiceName:                 o.c.Service,
			}
		}
		return nil
	})
	return out, err
}
