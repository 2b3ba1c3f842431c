package awsapi

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Fault says who caused an error, as the Query error envelope's <Type>.
type Fault uint8

// Faults.
const (
	Sender Fault = iota + 1
	Receiver
)

func (f Fault) String() string {
	if f == Receiver {
		return "Receiver"
	}
	return "Sender"
}

// APIError is implemented by every error that goes on the wire.
type APIError interface {
	error
	ErrorCode() string
	ErrorMessage() string
	ErrorFault() Fault
	HTTPStatus() int
}

// Error is an AWS error that no exception shape models: AccessDenied,
// ValidationError, InvalidAction, the signature errors, ...
type Error struct {
	Code    string
	Message string
	Status  int
	Fault   Fault
}

func (e *Error) Error() string        { return e.Code + ": " + e.Message }
func (e *Error) ErrorCode() string    { return e.Code }
func (e *Error) ErrorMessage() string { return e.Message }
func (e *Error) HTTPStatus() int      { return e.Status }
func (e *Error) ErrorFault() Fault {
	if e.Fault == 0 {
		if e.Status >= 500 {
			return Receiver
		}
		return Sender
	}
	return e.Fault
}

// Errorf returns an Error with a formatted message.
func Errorf(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// AccessDenied is AWS's authorization failure (403).
func AccessDenied(msg string) *Error {
	return &Error{Code: "AccessDenied", Message: msg, Status: http.StatusForbidden, Fault: Sender}
}

// ValidationError is a request that breaks the model's constraints (400).
func ValidationError(msg string) *Error {
	return &Error{Code: "ValidationError", Message: msg, Status: http.StatusBadRequest, Fault: Sender}
}

// InvalidAction is an operation the service does not have (400).
func InvalidAction(action, version string) *Error {
	return &Error{Code: "InvalidAction", Message: "Could not find operation " + action + " for version " + version, Status: http.StatusBadRequest, Fault: Sender}
}

// MissingAction is a request without an Action parameter (400).
func MissingAction() *Error {
	return &Error{Code: "MissingAction", Message: "Missing Action", Status: http.StatusBadRequest, Fault: Sender}
}

// InternalFailure is an unexpected failure of the server (500); details
// stay in the log.
func InternalFailure() *Error {
	return &Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: http.StatusInternalServerError, Fault: Receiver}
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// XMLWriter writes XML elements into a buffer, escaping text.
type XMLWriter struct {
	B *bytes.Buffer
}

// Start writes <name>.
func (w XMLWriter) Start(name string) {
	w.B.WriteByte('<')
	w.B.WriteString(name)
	w.B.WriteByte('>')
}

// End writes </name>.
func (w XMLWriter) End(name string) {
	w.B.WriteString("</")
	w.B.WriteString(name)
	w.B.WriteByte('>')
}

// Elem writes <name>text</name>.
func (w XMLWriter) Elem(name, text string) {
	w.Start(name)
	w.Text(text)
	w.End(name)
}

// Text writes escaped character data.
func (w XMLWriter) Text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&apos;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		w.B.WriteString(s[last:i])
		w.B.WriteString(esc)
		last = i + 1
	}
	w.B.WriteString(s[last:])
}

// Time writes a timestamp element in ISO 8601, as AWS does.
func (w XMLWriter) Time(name string, t time.Time) {
	w.Elem(name, t.UTC().Format("2006-01-02T15:04:05Z"))
}

// Int writes an integer element.
func (w XMLWriter) Int(name string, n int64) { w.Elem(name, strconv.FormatInt(n, 10)) }

// Bool writes a boolean element.
func (w XMLWriter) Bool(name string, b bool) { w.Elem(name, strconv.FormatBool(b)) }

// Blob writes a base64 element.
func (w XMLWriter) Blob(name string, b []byte) { w.Elem(name, base64.StdEncoding.EncodeToString(b)) }

// WriteResponse writes a Query protocol response: <OpResponse> with the
// result (if any) in <OpResult> and the request ID.
func WriteResponse(b *bytes.Buffer, op, xmlns, requestID string, result func(XMLWriter)) {
	w := XMLWriter{B: b}
	b.WriteString(`<` + op + `Response xmlns="` + xmlns + `">`)
	if result != nil {
		w.Start(op + "Result")
		result(w)
		w.End(op + "Result")
	}
	w.Start("ResponseMetadata")
	w.Elem("RequestId", requestID)
	w.End("ResponseMetadata")
	w.End(op + "Response")
}

// WriteError writes the Query protocol's error envelope.
func WriteError(b *bytes.Buffer, xmlns, requestID string, e APIError) {
	w := XMLWriter{B: b}
	b.WriteString(`<ErrorResponse xmlns="` + xmlns + `">`)
	w.Start("Error")
	w.Elem("Type", e.ErrorFault().String())
	w.Elem("Code", e.ErrorCode())
	w.Elem("Message", e.ErrorMessage())
	w.End("Error")
	w.Elem("RequestId", requestID)
	w.End("ErrorResponse")
}

// Decoder reads Query protocol parameters and collects validation
// failures in AWS's words.
type Decoder struct {
	Form      url.Values
	errors    []string
	sensitive map[string]bool // paths whose values messages leave out
	format    string          // the first Format failure, if any
}

// Sensitive marks the member at path as sensitive in the model
// (passwords, private keys): a failed constraint names the member but
// not its value, as AWS does ("Value at 'password' failed to satisfy
// constraint: ...").
func (d *Decoder) Sensitive(path string) {
	if d.sensitive == nil {
		d.sensitive = make(map[string]bool)
	}
	d.sensitive[path] = true
}

// Has reports whether the parameter is present.
func (d *Decoder) Has(key string) bool {
	_, ok := d.Form[key]
	return ok
}

// String returns a parameter ("" if absent).
func (d *Decoder) String(key string) string {
	if v := d.Form[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Int32 returns an integer parameter, or nil if absent.
func (d *Decoder) Int32(key, path string) *int32 {
	s := d.String(key)
	if s == "" && !d.Has(key) {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		d.fail(s, path, "Member must be a number")
		return nil
	}
	v := int32(n)
	return &v
}

// Int64 returns a long parameter, or nil if absent.
func (d *Decoder) Int64(key, path string) *int64 {
	s := d.String(key)
	if s == "" && !d.Has(key) {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.fail(s, path, "Member must be a number")
		return nil
	}
	return &n
}

// Bool returns a boolean parameter, or nil if absent.
func (d *Decoder) Bool(key, path string) *bool {
	if !d.Has(key) {
		return nil
	}
	s := d.String(key)
	switch strings.ToLower(s) {
	case "true":
		return Ptr(true)
	case "false":
		return Ptr(false)
	}
	d.fail(s, path, "Member must be a boolean")
	return nil
}

// Time returns a timestamp parameter (ISO 8601), or the zero time.
func (d *Decoder) Time(key, path string) time.Time {
	s := d.String(key)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(int64(n), 0).UTC()
	}
	d.fail(s, path, "Member must be a timestamp")
	return time.Time{}
}

// Blob returns a base64 parameter, or nil.
func (d *Decoder) Blob(key, path string) []byte {
	s := d.String(key)
	if s == "" {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.fail(s, path, "Member must be base64 encoded")
		return nil
	}
	return b
}

// ListLen returns how many members a list parameter has: the highest N
// for which a key prefix.member.N or prefix.member.N.* is present.
func (d *Decoder) ListLen(prefix string) int {
	return d.indexed(prefix + ".member.")
}

// MapLen is ListLen for maps (prefix.entry.N.key).
func (d *Decoder) MapLen(prefix string) int {
	return d.indexed(prefix + ".entry.")
}

func (d *Decoder) indexed(p string) int {
	n := 0
	for k := range d.Form {
		if !strings.HasPrefix(k, p) {
			continue
		}
		rest := k[len(p):]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if i, err := strconv.Atoi(rest); err == nil && i > n && i <= 1000 {
			n = i
		}
	}
	return n
}

// Required records a missing required member.
func (d *Decoder) Required(path string) {
	d.errors = append(d.errors, "Value null at '"+path+"' failed to satisfy constraint: Member must not be null")
}

// MinLen and the other checks record a failed constraint.
func (d *Decoder) MinLen(value any, path string, n int) {
	d.fail(value, path, "Member must have length greater than or equal to "+strconv.Itoa(n))
}

// MaxLen records a value longer than the model allows.
func (d *Decoder) MaxLen(value any, path string, n int) {
	d.fail(value, path, "Member must have length less than or equal to "+strconv.Itoa(n))
}

// Min records a number below the model's minimum.
func (d *Decoder) Min(value any, path string, n int64) {
	d.fail(value, path, "Member must have value greater than or equal to "+strconv.FormatInt(n, 10))
}

// Max records a number above the model's maximum.
func (d *Decoder) Max(value any, path string, n int64) {
	d.fail(value, path, "Member must have value less than or equal to "+strconv.FormatInt(n, 10))
}

// Pattern checks a string against the model's pattern (source), compiled
// as re; forbidden, if set, is a substring the pattern excludes with a
// lookahead Go's regexp does not have.
func (d *Decoder) Pattern(value, path string, re *regexp.Regexp, source, forbidden string) {
	if !re.MatchString(value) || (forbidden != "" && strings.Contains(value, forbidden)) {
		d.fail(value, path, "Member must satisfy regular expression pattern: "+source)
	}
}

// Format checks a string against a pattern the service checks itself,
// after the model's constraints: a failure is reported only when nothing
// else failed, as a ValidationError with the service's own message
// (msg, with the member's name for %s). The member's name is the last
// element of path.
func (d *Decoder) Format(value, path string, re *regexp.Regexp, forbidden, msg string) {
	if d.format != "" {
		return
	}
	if !re.MatchString(value) || (forbidden != "" && strings.Contains(value, forbidden)) {
		d.format = fmt.Sprintf(msg, path[strings.LastIndexByte(path, '.')+1:])
	}
}

// Enum checks a string against the model's enum.
func (d *Decoder) Enum(value, path string, allowed []string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	d.fail(value, path, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

// StrLen is the length of a string as the model counts it (characters).
func StrLen(s string) int { return utf8.RuneCountInString(s) }

func (d *Decoder) fail(value any, path, constraint string) {
	if d.sensitive[path] {
		d.errors = append(d.errors, "Value at '"+path+"' failed to satisfy constraint: "+constraint)
		return
	}
	var v string
	switch x := value.(type) {
	case string:
		v = x
	case []string:
		v = "[" + strings.Join(x, ", ") + "]"
	default:
		v = fmt.Sprint(x)
	}
	d.errors = append(d.errors, "Value '"+v+"' at '"+path+"' failed to satisfy constraint: "+constraint)
}

// Err returns the ValidationError of every failure recorded, or nil.
func (d *Decoder) Err() error {
	switch n := len(d.errors); n {
	case 0:
		if d.format != "" {
			return ValidationError(d.format)
		}
		return nil
	case 1:
		return ValidationError("1 validation error detected: " + d.errors[0])
	default:
		return ValidationError(strconv.Itoa(n) + " validation errors detected: " + strings.Join(d.errors, "; "))
	}
}
