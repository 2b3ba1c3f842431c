package policy

import "errors"

// Sentinel errors, matched with errors.Is.
var (
	// ErrMalformed is wrapped by every *Error whose AWS code is
	// MalformedPolicyDocument.
	ErrMalformed = errors.New("policy: malformed policy document")
	// ErrLimitExceeded is wrapped by every *Error whose AWS code is
	// LimitExceeded (a policy over its size quota).
	ErrLimitExceeded = errors.New("policy: limit exceeded")
)

// Code is the AWS error code of a rejected policy.
type Code uint8

// Codes.
const (
	CodeMalformed     Code = iota + 1 // MalformedPolicyDocument
	CodeLimitExceeded                 // LimitExceeded
)

func (c Code) String() string {
	switch c {
	case CodeMalformed:
		return "MalformedPolicyDocument"
	case CodeLimitExceeded:
		return "LimitExceeded"
	}
	return "Unknown"
}

// Error is a policy AWS would reject, with AWS's error code and message
// (for example "Syntax errors in policy.").
type Error struct {
	Code    Code
	Message string

	// path is the element at fault, from the document root; nil for the
	// document as a whole.
	path []PathElement
	// notJSON marks text that is not JSON at all; off is the byte
	// offset where reading stopped.
	notJSON bool
	off     int
}

func (e *Error) Error() string { return e.Code.String() + ": " + e.Message }

// Unwrap returns ErrMalformed or ErrLimitExceeded.
func (e *Error) Unwrap() error {
	if e.Code == CodeLimitExceeded {
		return ErrLimitExceeded
	}
	return ErrMalformed
}

// Path is the element the error is about (nil for the whole document),
// as Access Analyzer writes paths; an index into an element written as a
// single value is included (Tree.LocateError drops it).
func (e *Error) Path() []PathElement { return e.path }

// Invalid JSON is answered in the words of the API the policy goes to:
// IAM's CreateRole and UpdateAssumeRolePolicy, like S3's PutBucketPolicy,
// say "This policy contains invalid Json"; CreatePolicy, PutUserPolicy and
// the other identity-policy operations say "Syntax errors in policy."
// https://github.com/AWSCookbook/Security/issues/2 (CreateRole),
// getmoto/moto tests/test_iam/test_iam_policies.py (CreatePolicy).
const invalidJSONMessage = "This policy contains invalid Json"

// forKind returns the error as IAM words it for a policy of kind k.
func (e *Error) forKind(k Kind) *Error {
	if e.notJSON && (k == Trust || k == Resource) {
		c := *e
		c.Message = invalidJSONMessage
		return &c
	}
	return e
}

// kindError words err, from Parse, for a policy of kind k.
func kindError(err error, k Kind) error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.forKind(k)
	}
	return err
}

func malformed(msg string) *Error { return &Error{Code: CodeMalformed, Message: msg} }

func malformedAt(msg string, path []PathElement) *Error {
	return &Error{Code: CodeMalformed, Message: msg, path: path}
}

const (
	msgSyntax = "Syntax errors in policy."
	msgLegacy = "The policy failed legacy parsing"
)

func syntaxError() *Error { return malformed(msgSyntax) }

func syntaxAt(path ...PathElement) *Error { return malformedAt(msgSyntax, path) }

func legacyError() *Error { return malformed(msgLegacy) }

func legacyAt(path ...PathElement) *Error { return malformedAt(msgLegacy, path) }
