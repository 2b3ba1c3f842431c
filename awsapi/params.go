package awsapi

import (
	"net/http"
	"net/url"
	"strings"
)

// maxIndex is the highest list or map index N a parameter key may have
// (prefix.member.N, prefix.entry.N.key); it bounds the work a request
// can ask of the decoder.
const maxIndex = 1000

// UnknownParameter is a parameter that the operation does not have and
// that is not a common parameter. AWS's Query services answer it as
// EC2 does: "UnknownParameter", "The parameter ImageType is not
// recognized", 400 (recorded in https://github.com/appoxy/aws/issues/32).
// IAM's own answer is not recorded; an IAM that ignored the parameter
// would silently drop what the caller asked for (a misspelled
// PermissionsBoundary, say), so it is refused the same way.
func UnknownParameter(name string) *Error {
	return &Error{Code: "UnknownParameter", Message: "The parameter " + name + " is not recognized", Status: http.StatusBadRequest, Fault: Sender}
}

// CommonParameter reports whether key is a parameter every Query request
// may carry, whatever its operation: Action and Version, the SigV4
// presigned-URL parameters, and those of the older signature forms
// (SigV2's AWSAccessKeyId, Signature*, Timestamp, Expires, and
// SecurityToken for temporary credentials).
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonParameters.html
func CommonParameter(key string) bool {
	switch key {
	case "Action", "Version",
		"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
		"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
		"AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
		"Timestamp", "Expires", "SecurityToken":
		return true
	}
	return false
}

// CheckParameters returns UnknownParameter for a key of form that is
// neither a common parameter nor one that known accepts (a member path
// of the operation's input: Name, List.member.N[.Field],
// Map.entry.N.key, ...); with several, it names the first in byte
// order, so the answer does not depend on map order. It allocates
// nothing when every key is known.
func CheckParameters(form url.Values, known func(key string) bool) error {
	var first string
	found := false
	for k := range form {
		if CommonParameter(k) || known(k) {
			continue
		}
		if !found || k < first {
			first, found = k, true
		}
	}
	if found {
		return UnknownParameter(first)
	}
	return nil
}

// CutKey splits a parameter key at its first dot: "Tags.member.1.Key"
// is "Tags", "member.1.Key", true; "UserName" is "UserName", "", false.
func CutKey(key string) (name, rest string, more bool) {
	return strings.Cut(key, ".")
}

// ListMember reads the rest of a list parameter's key, "member.N" or
// "member.N.tail", where N is a decimal index from 1 to 1000 without
// leading zeros; ok is false for anything else.
func ListMember(rest string) (tail string, more, ok bool) {
	after, found := strings.CutPrefix(rest, "member.")
	if !found {
		return "", false, false
	}
	return index(after)
}

// MapEntry reads the rest of a map parameter's key, "entry.N.key" or
// "entry.N.value[.tail]"; field is "key" or "value".
func MapEntry(rest string) (field, tail string, more, ok bool) {
	after, found := strings.CutPrefix(rest, "entry.")
	if !found {
		return "", "", false, false
	}
	after, more, ok = index(after)
	if !ok || !more {
		return "", "", false, false
	}
	field, tail, more = CutKey(after)
	if field != "key" && field != "value" {
		return "", "", false, false
	}
	return field, tail, more, true
}

// index reads "N" or "N.tail".
func index(s string) (tail string, more, ok bool) {
	n, tail, more := CutKey(s)
	if len(n) == 0 || len(n) > 4 || n[0] == '0' {
		return "", false, false
	}
	v := 0
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return "", false, false
		}
		v = v*10 + int(n[i]-'0')
	}
	return tail, more, v <= maxIndex
}
