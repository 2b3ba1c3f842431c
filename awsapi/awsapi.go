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

// InvalidClientTokenID is AWS's answer for an access key or a session
// token it does not know, or that is not active (403).
func InvalidClientTokenID() *Error {
	return &Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: http.StatusForbidden, Fault: Sender}
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

// MalformedQueryString is a request whose parameters cannot be parsed.
func MalformedQueryString(msg string) *Error {
	return &Error{Code: "MalformedQueryString", Message: msg, Status: http.StatusBadRequest, Fault: Sender}
}

// RequestEntityTooLarge is a request body over the server's limit (413).
func RequestEntityTooLarge(limit int64) *Error {
	return &Error{Code: "RequestEntityTooLarge", Message: "Request body must be less than " + strconv.FormatInt(limit, 10) + " bytes", Status: http.StatusRequestEntityTooLarge, Fault: Sender}
}

// RequestTimeout is a request whose body did not arrive in time: AWS's
// common error RequestTimeoutException ("Reading the request timed
// out", HTTP 408), which the SDKs retry.
// https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html
func RequestTimeout() *Error {
	return &Error{Code: "RequestTimeoutException", Message: "Reading the request timed out.", Status: http.StatusRequestTimeout, Fault: Sender}
}

// Throttling is AWS's answer to a caller over its request rate: IAM
// answers Sender, "Throttling", "Rate exceeded", HTTP 400 (as recorded
// in https://github.com/nccgroup/Scout2/issues/17 and
// https://github.com/legion-platform/legion/issues/807), which every
// SDK retries with backoff.
func Throttling() *Error {
	return &Error{Code: "Throttling", Message: "Rate exceeded", Status: http.StatusBadRequest, Fault: Sender}
}

// CommonErrorCodes are the codes of the errors no service model names,
// sorted: AWS's common errors, the SigV4 errors, and the wire errors of
// this package. With a model's exception codes they are the closed set
// a server labels its metrics with.
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
var CommonErrorCodes = []string{
	"AccessDenied",
	"AccessDeniedException",
	"AuthorizationQueryParametersError",
	"ExpiredToken",
	"ExpiredTokenException",
	"IncompleteSignature",
	"InternalFailure",
	"InvalidAction",
	"InvalidClientTokenId",
	"InvalidParameterCombination",
	"InvalidParameterValue",
	"InvalidQueryParameter",
	"MalformedQueryString",
	"MissingAction",
	"MissingAuthenticationToken",
	"MissingParameter",
	"NotAuthorized",
	"OptInRequired",
	"RequestEntityTooLarge",
	"RequestExpired",
	"RequestTimeoutException",
	"ServiceUnavailable",
	"SignatureDoesNotMatch",
	"Throttling",
	"ThrottlingException",
	"UnknownParameter",
	"UnrecognizedClientException",
	"ValidationError",
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// XMLWriter writes XML elements into a buffer, escaping text. Whatever
// it is given, what it writes is well-formed XML 1.0 (see Text).
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

// replacement stands for a character XML 1.0 cannot carry.
const replacement = "\uFFFD"

// asciiText is what each ASCII byte becomes in character data: "" for
// the byte itself. The markup characters are escaped; CR is a character
// reference so that parsers do not turn it into LF; the control
// characters XML 1.0 forbids (all below U+0020 but tab, LF and CR) are
// replaced. They cannot be escaped: &#x0; and &#x1; are not well-formed
// XML 1.0 either, and AWS S3's &#x7; in its responses is what makes
// botocore and the Java SDK fail to parse them
// (https://github.com/boto/botocore/issues/3496,
// https://github.com/aws/aws-sdk-java/issues/3112).
// https://www.w3.org/TR/xml/#charsets
var asciiText = func() (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = replacement
	}
	t['\t'], t['\n'] = "", ""
	t['\r'] = "&#xD;"
	t['<'], t['>'], t['&'] = "&lt;", "&gt;", "&amp;"
	t['"'], t['\''] = "&quot;", "&apos;"
	return t
}()

// Text writes s as character data. Characters that XML 1.0 does not
// allow — the control characters but tab, LF and CR, U+FFFE and U+FFFF —
// and every byte that is not part of valid UTF-8 (which includes
// encoded surrogates) are written as U+FFFD, one per character or
// byte, the way encoding/xml.EscapeText does: the response stays
// parseable by every client and still shows where the input had them.
func (w XMLWriter) Text(s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if esc := asciiText[c]; esc != "" {
				w.B.WriteString(s[last:i])
				w.B.WriteString(esc)
				last = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || r == 0xFFFE || r == 0xFFFF {
			w.B.WriteString(s[last:i])
			w.B.WriteString(replacement)
			last = i + n
		}
		i += n
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
	// lens is the highest index of each list and map, by key prefix
	// ("Tags.member.", "Tags.entry."), read in one pass over the form
	// when a first list or map is decoded: the work stays linear in the
	// size of the request however many lists it nests.
	lens map[string]int
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
	if d.lens == nil {
		d.lens = make(map[string]int)
		for k := range d.Form {
			d.scanIndexes(k)
		}
	}
	return d.lens[p]
}

// scanIndexes records in d.lens the index of each ".member.N" and
// ".entry.N" in key k, under the prefix that ends with it.
func (d *Decoder) scanIndexes(k string) {
	for i := 0; i < len(k); i++ {
		if k[i] != '.' {
			continue
		}
		var marker string
		switch rest := k[i+1:]; {
		case strings.HasPrefix(rest, "member."):
			marker = "member."
		case strings.HasPrefix(rest, "entry."):
			marker = "entry."
		default:
			continue
		}
		end := i + 1 + len(marker)
		num := k[end:]
		if j := strings.IndexByte(num, '.'); j >= 0 {
			num = num[:j]
		}
		if n, err := strconv.Atoi(num); err == nil && n > d.lens[k[:end]] && n <= maxIndex {
			d.lens[k[:end]] = n
		}
	}
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
