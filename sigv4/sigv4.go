package sigv4

import (
	"net/http"
	"strconv"
	"time"
)

// Algorithm is the only signing algorithm SigV4 verification accepts.
const Algorithm = "AWS4-HMAC-SHA256"

const (
	amzDateFormat   = "20060102T150405Z"
	shortDateFormat = "20060102"
	terminator      = "aws4_request"
)

// DefaultMaxSkew is how far AWS lets a signature's time be from its own
// clock, either way: 15 minutes. IAM answers a request signed earlier
// "Signature expired: 20200305T153154Z is now earlier than
// 20200305T231847Z (20200305T233347Z - 15 min.)" (ListAccessKeys), STS
// the same (GetCallerIdentity, AssumeRole).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html
const DefaultMaxSkew = 15 * time.Minute

// MaxExpires is the longest X-Amz-Expires a presigned request may state:
// seven days, the life of a signing key.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
const MaxExpires = 7 * 24 * time.Hour

// Payload says what a service takes as the payload hash of its canonical
// requests. It is a property of the service: S3's UNSIGNED-PAYLOAD and
// streaming forms would be further values, for the S3 gateway.
type Payload uint8

const (
	// PayloadBody is the SHA-256 of the body received, as every AWS
	// service but S3 computes it; an X-Amz-Content-Sha256 header, when
	// sent, must name that same hash. A presigned GET has the empty body.
	PayloadBody Payload = iota
)

// Service is what a service requires of the signatures of its requests.
// The zero MaxSkew means DefaultMaxSkew.
type Service struct {
	// Name is the signing name the credential scope must name ("iam").
	Name string
	// Payload is how the payload hash is found.
	Payload Payload
	// MaxSkew bounds the distance between a signature's time and now.
	// A presigned request lives at most this long after its X-Amz-Date
	// (less if its X-Amz-Expires says less): every AWS service but S3
	// keeps presigned requests to the clock skew window.
	MaxSkew time.Duration
	// Region reports whether the service answers for a well-formed
	// region (one of its partition, say); nil means every one. A region
	// it refuses fails the scope check in AWS's words: "Credential should
	// be scoped to a valid region, not 'cn-north-1'. ".
	Region func(region string) bool
}

// validRegion reports whether a credential scope's region is one the
// service answers for.
func (s Service) validRegion(region string) bool {
	return validRegion(region) && (s.Region == nil || s.Region(region))
}

func (s Service) maxSkew() time.Duration {
	if s.MaxSkew > 0 {
		return s.MaxSkew
	}
	return DefaultMaxSkew
}

// Credentials of a caller.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// Lookup returns the secret of an access key; ok is false if unknown.
type Lookup func(accessKeyID string) (secret string, ok bool)

// Result is what a request says about its signature, as Parse reads it.
// AccessKeyID, Region and Service are empty unless the credential has
// its five elements.
type Result struct {
	AccessKeyID, Region, Service, SessionToken string
	Presigned                                  bool
	SignedAt                                   time.Time

	credential    string // as sent: keyid/date/region/service/terminator
	scoped        bool   // credential has its five elements
	date, term    string // of the credential scope
	signedHeaders string
	signature     string
	amzDate       string
	expires       time.Duration // X-Amz-Expires of a presigned request
	hasExpires    bool
}

// Error is a signature failure with AWS's code, message and HTTP status.
type Error struct {
	Code, Message string
	Status        int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func incomplete(msg string) error {
	return &Error{Code: "IncompleteSignature", Message: msg, Status: http.StatusBadRequest}
}

func noMatch(msg string) error {
	return &Error{Code: "SignatureDoesNotMatch", Message: msg, Status: http.StatusForbidden}
}

func queryParameters(msg string) error {
	return &Error{Code: "AuthorizationQueryParametersError", Message: msg, Status: http.StatusBadRequest}
}

var (
	errMissing = &Error{Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token", Status: http.StatusForbidden}
	errUnknown = &Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: http.StatusForbidden}
	errNoMatch = noMatch("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	// errBothForms is AWS's answer, without a message, to a request with
	// both an Authorization header and an X-Amz-Algorithm parameter.
	errBothForms = noMatch("")
	errHost      = noMatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
)

func badDate(s string) error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '" + s + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// durationText writes a duration as AWS's skew messages do: "15 min.".
func durationText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min."
	}
	return strconv.Itoa(int(d/time.Second)) + " sec."
}
