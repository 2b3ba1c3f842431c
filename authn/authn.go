package authn

import (
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policy"
)

// KeyKind says which credentials signed a request.
type KeyKind uint8

const (
	// NoKey: the request was not verified (a dev-mode request let
	// through without a signature).
	NoKey KeyKind = iota
	// LongTermKey: an access key of an IAM user (AKIA...).
	LongTermKey
	// TemporaryKey: temporary credentials from STS (ASIA... with a
	// session token).
	TemporaryKey
)

var keyKindNames = [...]string{"none", "long-term", "temporary"}

func (k KeyKind) String() string {
	if int(k) < len(keyKindNames) {
		return keyKindNames[k]
	}
	return "KeyKind(" + strconv.Itoa(int(k)) + ")"
}

// Principal is who makes a request, as authentication established it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
type Principal struct {
	// Type is the kind of principal, as aws:PrincipalType names it.
	Type policy.CallerType
	// Account is the 12-digit account the principal belongs to.
	Account string
	// Partition is the ARN partition of the request ("aws", "aws-cn").
	Partition string
	// ARN is the principal's ARN: arn:aws:iam::ACCOUNT:root, the user's
	// arn:aws:iam::ACCOUNT:user/PATH/NAME, a session's
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
	ARN string
	// UserID is the principal's unique ID as aws:userid has it: the
	// account for root, the user's AIDA... ID, ROLEID:SESSION for a
	// role session, ACCOUNT:NAME for a federated user.
	UserID string
	// Name is the IAM user's name (Type User), the role's name (Type
	// AssumedRole) or the federated user's name; "" for root. Path is
	// the user's or role's path.
	Name string
	Path string
	// AccessKeyID is the access key that signed the request, and Key
	// which kind of key it is.
	AccessKeyID string
	Key         KeyKind
	// Session describes the session of temporary credentials; nil for
	// long-term credentials.
	Session *Session
}

// Session is what temporary credentials carry about the session that
// issued them.
type Session struct {
	// Name is the role session name (RoleSessionName) or the federated
	// user's name.
	Name string
	// RoleARN is the IAM ARN of the assumed role (arn:aws:iam::...:
	// role/PATH/NAME); ParentARN the IAM user that called
	// GetFederationToken or GetSessionToken.
	RoleARN   string
	ParentARN string
	// Issued is when the credentials were issued (aws:TokenIssueTime);
	// Expires when they stop working.
	Issued  time.Time
	Expires time.Time
	// SourceIdentity is the source identity set on the session
	// (aws:SourceIdentity).
	SourceIdentity string
	// MFA says the session was created with MFA, at MFATime
	// (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge).
	MFA     bool
	MFATime time.Time
}

// Root returns the root user of account in partition.
func Root(partition, account string) Principal {
	return Principal{
		Type:      policy.Account,
		Account:   account,
		Partition: partition,
		ARN:       arn.Build(partition, "iam", "", account, "root"),
		UserID:    account,
	}
}

// User returns the IAM user of account with the given path, name and
// unique ID.
func User(partition, account, path, name, userID string) Principal {
	return Principal{
		Type:      policy.User,
		Account:   account,
		Partition: partition,
		ARN:       arn.Build(partition, "iam", "", account, "user", path, name),
		UserID:    userID,
		Name:      name,
		Path:      path,
	}
}

// IsRoot reports whether p is the root user of account.
func (p *Principal) IsRoot(account string) bool {
	return p.Type == policy.Account && p.Account == account
}

// Caller returns p as the Principal element of resource-based policies
// matches it.
func (p *Principal) Caller() policy.Caller {
	c := policy.Caller{Type: p.Type, ARN: p.ARN, Account: p.Account}
	if s := p.Session; s != nil {
		c.RoleARN = s.RoleARN
		c.ParentUserARN = s.ParentARN
	}
	return c
}

// Request is an authenticated request: its principal and the facts AWS
// puts in the request context of every decision.
type Request struct {
	// ID is the request ID, as returned in ResponseMetadata.
	ID string
	// Principal is the caller. Its account is the account an IAM
	// operation acts on.
	Principal
	// Time is when the request arrived (aws:CurrentTime, aws:EpochTime).
	Time time.Time
	// SourceIP is the caller's address (aws:SourceIp); Secure says the
	// request came over TLS (aws:SecureTransport).
	SourceIP string
	Secure   bool
	// Region is the signing region (aws:RequestedRegion).
	Region string
	// Unchecked marks a dev-mode request that passed without
	// authentication; like moto, it is not authorized either.
	Unchecked bool
	// Trace, if set, is told each authorization decision the request
	// makes (the server's debug log); nil in the common case.
	Trace func(action, resource string, d authz.Decision)
}

// SetGlobalKeys sets in c the global condition keys AWS puts in the
// context of every request: the time, the transport, the source
// address and region, the principal's unique ID and, for a session
// created with MFA, the MFA keys. The keys of the principal's ARN,
// account and type are authz.SetPrincipalKeys's.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func (r *Request) SetGlobalKeys(c *policy.Context) {
	c.Set("aws:CurrentTime", r.Time.UTC().Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(r.Time.Unix(), 10))
	c.Set("aws:SecureTransport", strconv.FormatBool(r.Secure))
	if r.SourceIP != "" {
		c.Set("aws:SourceIp", r.SourceIP)
	}
	if r.Region != "" {
		c.Set("aws:RequestedRegion", r.Region)
	}
	c.Set("aws:PrincipalIsAWSService", "false")
	c.Set("aws:ViaAWSService", "false")
	if r.UserID != "" {
		c.Set("aws:userid", r.UserID)
	}
	if s := r.Session; s != nil {
		if !s.Issued.IsZero() {
			c.Set("aws:TokenIssueTime", s.Issued.UTC().Format(time.RFC3339))
		}
		if s.SourceIdentity != "" {
			c.Set("aws:SourceIdentity", s.SourceIdentity)
		}
		if s.MFA {
			c.Set("aws:MultiFactorAuthPresent", "true")
			c.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(r.Time.Sub(s.MFATime)/time.Second), 10))
		} else {
			c.Set("aws:MultiFactorAuthPresent", "false")
		}
	}
}
