package policy

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Kind is the place a policy is attached. It decides which elements the
// policy must and must not have, and its size quota.
type Kind uint8

// Kinds.
const (
	// Identity is an identity-based policy of no particular place (for
	// evaluation); it has no size quota.
	Identity    Kind = iota + 1
	Managed          // customer managed policy (also used as a permissions boundary)
	InlineUser       // inline policy of a user
	InlineGroup      // inline policy of a group
	InlineRole       // inline policy of a role
	Trust            // role trust policy (the role's resource-based policy)
	Resource         // resource-based policy: bucket, key, queue, topic, ...
	SCP              // service control policy
	RCP              // resource control policy
	Session          // session policy of a role or federated-user session
	Endpoint         // VPC endpoint policy
)

var kindNames = [...]string{
	Identity: "identity", Managed: "managed", InlineUser: "inline-user", InlineGroup: "inline-group",
	InlineRole: "inline-role", Trust: "trust", Resource: "resource", SCP: "scp", RCP: "rcp",
	Session: "session", Endpoint: "endpoint",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind returns the Kind named by s (as String writes it).
func ParseKind(s string) (Kind, bool) {
	for k, name := range kindNames {
		if name != "" && name == s {
			return Kind(k), true
		}
	}
	return 0, false
}

// HasPrincipals reports whether the statements of a policy of this kind
// name the principals they apply to (Principal or NotPrincipal): trust,
// resource, resource control and VPC endpoint policies. The statements of
// the other kinds may not.
func (k Kind) HasPrincipals() bool {
	switch k {
	case Trust, Resource, RCP, Endpoint:
		return true
	}
	return false
}

// StoredByIAM reports whether IAM itself stores a policy of this kind
// (identity-based policies and role trust policies), so that IAM's rule
// on statement IDs applies: letters and digits only.
func (k Kind) StoredByIAM() bool {
	switch k {
	case Identity, Managed, InlineUser, InlineGroup, InlineRole, Trust:
		return true
	}
	return false
}

// SizeQuota is the largest size of a policy of this kind in characters,
// white space not counted, or 0 if the kind has none here.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
func (k Kind) SizeQuota() int {
	switch k {
	case Managed:
		return 6144
	case InlineUser:
		return 2048
	case InlineGroup:
		return 5120
	case InlineRole:
		return 10240
	case Trust:
		return 2048
	case SCP, RCP:
		return 5120
	case Session:
		return 2048
	}
	return 0
}

// PolicySize is the size AWS counts against the quotas: the characters of
// the document, white space excluded.
func PolicySize(data []byte) int {
	n := 0
	for len(data) > 0 {
		r, w := utf8.DecodeRune(data)
		data = data[w:]
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// CheckSize returns a LimitExceeded *Error, with AWS's message, when data
// is over the quota of kind. entity is the name of the user, group or role
// the inline policy belongs to, for the message.
func CheckSize(data []byte, kind Kind, entity string) error {
	if q := kind.SizeQuota(); q == 0 || PolicySize(data) <= q {
		return nil
	}
	return sizeError(kind, entity)
}

// textSize is PolicySize of text.
func textSize(s string) int {
	n := 0
	for _, r := range s { // an invalid byte is one RuneError, as utf8.DecodeRune reads it
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// sizeError is the LimitExceeded error of a policy of kind over its
// quota.
func sizeError(kind Kind, entity string) *Error {
	q := kind.SizeQuota()
	var msg string
	switch kind {
	case Managed:
		msg = "Cannot exceed quota for PolicySize: 6144"
	case InlineUser:
		msg = "Maximum policy size of 2048 bytes exceeded for user " + entity
	case InlineGroup:
		msg = "Maximum policy size of 5120 bytes exceeded for group " + entity
	case InlineRole:
		msg = "Maximum policy size of 10240 bytes exceeded for role " + entity
	case Trust:
		msg = "Cannot exceed quota for ACLSizePerRole: 2048"
	default:
		msg = "The policy is larger than the " + strconv.Itoa(q) + " character quota for " + kind.String() + " policies"
	}
	return &Error{Code: CodeLimitExceeded, Message: msg}
}
