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
}

func (e *Error) Error() string { return e.Code.String() + ": " + e.Message }

// Unwrap returns ErrMalformed or ErrLimitExceeded.
func (e *Error) Unwrap() error {
	if e.Code == CodeLimitExceeded {
		return ErrLimitExceeded
	}
	return ErrMalformed
}

func malformed(msg string) *Error { return &Error{Code: CodeMalformed, Message: msg} }

func syntaxError() *Error { return malformed("Syntax errors in policy.") }

func legacyError() *Error { return malformed("The policy failed legacy parsing") }
