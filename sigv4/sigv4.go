package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Algorithm is the only signing algorithm SigV4 verification accepts.
const Algorithm = "AWS4-HMAC-SHA256"

const (
	amzDateFormat   = "20060102T150405Z"
	shortDateFormat = "20060102"
	defaultSkew     = 5 * time.Minute
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// Credentials of a caller.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// Lookup returns the secret of an access key; ok is false if unknown.
type Lookup func(accessKeyID string) (secret string, ok bool)

// Result is what a request says about its signature.
type Result struct {
	AccessKeyID, Region, Service, SessionToken string
	Presigned                                  bool
	SignedAt                                   time.Time

	date          string // yyyymmdd of the credential scope
	signedHeaders string
	signature     string
	amzDate       string
	expires       time.Duration
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

var (
	errMissing = &Error{Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token", Status: http.StatusForbidden}
	errUnknown = &Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: http.StatusForbidden}
	errNoMatch = &Error{Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", Status: http.StatusForbidden}
)

// Parse reads the signature parameters of a request, from the
// Authorization header or the presigned query, without verifying them.
func Parse(r *http.Request) (Result, error) {
	if auth := firstHeader(r, "Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Signature") != "" || q.Get("X-Amz-Credential") != "" {
		return parseQuery(q)
	}
	return Result{}, errMissing
}

// firstHeader returns the first value of a header given by its canonical
// name.
func firstHeader(r *http.Request, canonical string) string {
	if v := r.Header[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func parseHeader(r *http.Request, auth string) (Result, error) {
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != Algorithm {
		return Result{}, incomplete("Unsupported AWS 'algorithm': '" + alg + "'")
	}
	var res Result
	var credential string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			res.signedHeaders = v
		case "Signature":
			res.signature = v
		}
	}
	var missing []string
	if credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if res.signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if res.signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	res.amzDate = firstHeader(r, "X-Amz-Date")
	if res.amzDate == "" && r.Header.Get("Date") == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return Result{}, incomplete(strings.Join(missing, " ") + " Authorization=" + auth)
	}
	if err := res.setCredential(credential); err != nil {
		return Result{}, err
	}
	res.SessionToken = firstHeader(r, "X-Amz-Security-Token")
	if res.amzDate == "" {
		t, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			return Result{}, incomplete("Date must be in ISO-8601 'basic format'. Got '" + r.Header.Get("Date") + "'. See http://en.wikipedia.org/wiki/ISO_8601")
		}
		res.amzDate = t.UTC().Format(amzDateFormat)
	}
	t, ok := parseAmzDate(res.amzDate)
	if !ok {
		return Result{}, incomplete("Date must be in ISO-8601 'basic format'. Got '" + res.amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	res.SignedAt = t
	return res, nil
}

func parseQuery(q url.Values) (Result, error) {
	var res Result
	res.Presigned = true
	if alg := q.Get("X-Amz-Algorithm"); alg != Algorithm {
		return Result{}, incomplete("Unsupported AWS 'algorithm': '" + alg + "'")
	}
	var missing []string
	for _, p := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(p) == "" {
			missing = append(missing, "AWS query-string parameters must include '"+p+"'.")
		}
	}
	if len(missing) > 0 {
		return Result{}, incomplete(strings.Join(missing, " ") + " Re-examine the query-string parameters.")
	}
	res.signature, res.signedHeaders, res.amzDate = q.Get("X-Amz-Signature"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Date")
	if err := res.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return Result{}, err
	}
	res.SessionToken = q.Get("X-Amz-Security-Token")
	t, ok := parseAmzDate(res.amzDate)
	if !ok {
		return Result{}, incomplete("Date must be in ISO-8601 'basic format'. Got '" + res.amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	res.SignedAt = t
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 0 {
			return Result{}, incomplete("X-Amz-Expires must be non-negative")
		}
		res.expires = time.Duration(n) * time.Second
	}
	return res, nil
}

// setCredential parses "AKID/yyyymmdd/region/service/aws4_request".
func (res *Result) setCredential(c string) error {
	akid, rest, ok1 := strings.Cut(c, "/")
	date, rest, ok2 := strings.Cut(rest, "/")
	region, rest, ok3 := strings.Cut(rest, "/")
	service, term, ok4 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || !ok3 || !ok4 || akid == "" || strings.IndexByte(term, '/') >= 0 {
		return incomplete("Credential should be scoped to a valid region. ")
	}
	if term != "aws4_request" {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" + term + "'. ")
	}
	if _, ok := parseDate(date); !ok {
		return incomplete("Credential should be scoped to a valid date. ")
	}
	res.AccessKeyID, res.date, res.Region, res.Service = akid, date, region, service
	return nil
}

// parseAmzDate parses the basic ISO 8601 form "20060102T150405Z"
// without time.Parse's generality.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateFormat) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	d, ok := parseDate(s[:8])
	if !ok {
		return time.Time{}, false
	}
	h, ok1 := digits(s[9:11])
	m, ok2 := digits(s[11:13])
	sec, ok3 := digits(s[13:15])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return time.Time{}, false
	}
	return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second), true
}

// parseDate parses "20060102".
func parseDate(s string) (time.Time, bool) {
	if len(s) != len(shortDateFormat) {
		return time.Time{}, false
	}
	y, ok1 := digits(s[:4])
	mo, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // past the end of the month
		return time.Time{}, false
	}
	return t, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Verifier checks SigV4 signatures and caches derived signing keys. It is
// safe for concurrent use.
type Verifier struct {
	maxSkew time.Duration
	mu      sync.RWMutex
	keys    map[scopeKey]*signingKey
}

type scopeKey struct{ akid, date, region, service string }

// signingKey is a derived key with its HMAC-SHA256 state precomputed:
// the SHA-256 states after the inner and outer padded key blocks, so a
// signature costs no key setup.
type signingKey struct {
	secret       string
	inner, outer []byte // marshaled sha256 states
}

func newSigningKey(secret string, key []byte) *signingKey {
	var ipad, opad [sha256.BlockSize]byte
	copy(ipad[:], key)
	copy(opad[:], key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	state := func(pad []byte) []byte {
		h := sha256.New()
		h.Write(pad)
		b, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			panic("sigv4: sha256 state: " + err.Error())
		}
		return b
	}
	return &signingKey{secret: secret, inner: state(ipad[:]), outer: state(opad[:])}
}

// mac writes HMAC-SHA256(key, msg) into s.out.
func (k *signingKey) mac(s *scratch, msg []byte) {
	h := s.h
	u := h.(encoding.BinaryUnmarshaler)
	if err := u.UnmarshalBinary(k.inner); err != nil {
		panic("sigv4: sha256 state: " + err.Error())
	}
	h.Write(msg)
	h.Sum(s.sum[:0])
	if err := u.UnmarshalBinary(k.outer); err != nil {
		panic("sigv4: sha256 state: " + err.Error())
	}
	h.Write(s.sum[:])
	h.Sum(s.out[:0])
}

// maxCachedKeys bounds the signing-key cache; it is emptied when full.
const maxCachedKeys = 4096

// NewVerifier returns a verifier allowing maxSkew between the signature
// time and now (0 means AWS's 5 minutes).
func NewVerifier(maxSkew time.Duration) *Verifier {
	if maxSkew <= 0 {
		maxSkew = defaultSkew
	}
	return &Verifier{maxSkew: maxSkew, keys: make(map[scopeKey]*signingKey)}
}

func (v *Verifier) signingKey(res *Result, secret string) *signingKey {
	k := scopeKey{res.AccessKeyID, res.date, res.Region, res.Service}
	v.mu.RLock()
	c, ok := v.keys[k]
	v.mu.RUnlock()
	if ok && c.secret == secret {
		return c
	}
	c = newSigningKey(secret, deriveKey(secret, res.date, res.Region, res.Service))
	v.mu.Lock()
	if len(v.keys) >= maxCachedKeys {
		clear(v.keys)
	}
	v.keys[k] = c
	v.mu.Unlock()
	return c
}

func deriveKey(secret, date, region, service string) []byte {
	k := hmacSum([]byte("AWS4"+secret), date)
	k = hmacSum(k, region)
	k = hmacSum(k, service)
	return hmacSum(k, "aws4_request")
}

func hmacSum(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// Verify checks the signature of r, whose body has been read into body,
// with the secret lookup returns for its access key.
func (v *Verifier) Verify(r *http.Request, body []byte, now time.Time, lookup Lookup) (Result, error) {
	res, err := Parse(r)
	if err != nil {
		return Result{}, err
	}
	secret, ok := lookup(res.AccessKeyID)
	if !ok {
		return Result{}, errUnknown
	}
	if err := v.Check(r, body, &res, secret, now); err != nil {
		return Result{}, err
	}
	return res, nil
}

// Check verifies the signature of r as Parse read it into res, with the
// secret of res.AccessKeyID: the dates, the clock skew (or a presigned
// URL's expiry) and the signature itself, compared in constant time.
func (v *Verifier) Check(r *http.Request, body []byte, res *Result, secret string, now time.Time) error {
	if res.amzDate[:8] != res.date {
		return &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
			Message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + res.date + "' != '" + res.amzDate[:8] + "', from '" + res.amzDate + "'."}
	}
	now = now.UTC()
	if res.Presigned {
		if now.After(res.SignedAt.Add(res.expires)) {
			return &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
				Message: "Signature expired: " + res.SignedAt.Add(res.expires).Format(amzDateFormat) + " is now earlier than " + now.Format(amzDateFormat)}
		}
	} else {
		if res.SignedAt.Before(now.Add(-v.maxSkew)) {
			return &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
				Message: "Signature expired: " + res.amzDate + " is now earlier than " + now.Add(-v.maxSkew).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " - " + skewText(v.maxSkew) + ")"}
		}
		if res.SignedAt.After(now.Add(v.maxSkew)) {
			return &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
				Message: "Signature not yet current: " + res.amzDate + " is still later than " + now.Add(v.maxSkew).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " + " + skewText(v.maxSkew) + ")"}
		}
	}
	var got [sha256.Size]byte
	if len(res.signature) != 2*sha256.Size {
		return errNoMatch
	}
	if _, err := hex.Decode(got[:], []byte(res.signature)); err != nil {
		return errNoMatch
	}
	var want [sha256.Size]byte
	signature(r, body, res, v.signingKey(res, secret), &want)
	if !hmac.Equal(got[:], want[:]) {
		return errNoMatch
	}
	return nil
}

func skewText(d time.Duration) string {
	return strconv.Itoa(int(d.Minutes())) + " min."
}

// scratch is the per-signature working memory, pooled.
type scratch struct {
	buf      []byte
	h        hash.Hash
	sum, out [sha256.Size]byte
}

var scratchPool = sync.Pool{New: func() any { return &scratch{buf: make([]byte, 0, 1024), h: sha256.New()} }}

// signature computes the raw signature of r for the parsed parameters
// into out.
func signature(r *http.Request, body []byte, res *Result, key *signingKey, out *[sha256.Size]byte) {
	s := scratchPool.Get().(*scratch)
	b := s.buf[:0]
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r.URL)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.URL.RawQuery, res.Presigned)
	b = append(b, '\n')
	for name := range strings.SplitSeq(res.signedHeaders, ";") {
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, r, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, res.signedHeaders...)
	b = append(b, '\n')
	b = appendPayloadHash(b, r, body, res.Presigned)

	h := s.h
	h.Reset()
	h.Write(b)
	h.Sum(s.sum[:0])

	b = b[:0]
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = append(b, res.amzDate...)
	b = append(b, '\n')
	b = append(b, res.date...)
	b = append(b, '/')
	b = append(b, res.Region...)
	b = append(b, '/')
	b = append(b, res.Service...)
	b = append(b, "/aws4_request\n"...)
	b = hex.AppendEncode(b, s.sum[:])
	key.mac(s, b)
	*out = s.out
	s.buf = b[:0]
	scratchPool.Put(s)
}

func appendPayloadHash(b []byte, r *http.Request, body []byte, presigned bool) []byte {
	if h := headerValues(r, "x-amz-content-sha256"); len(h) > 0 && h[0] != "" {
		return append(b, h[0]...)
	}
	if presigned && r.Method == http.MethodGet {
		return append(b, unsignedPayload...)
	}
	sum := sha256.Sum256(body)
	return hex.AppendEncode(b, sum[:])
}

func appendCanonicalURI(b []byte, u *url.URL) []byte {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return append(b, p...)
}

// appendCanonicalQuery appends the query sorted by name then value, each
// URI-encoded as RFC 3986 says; a presigned request leaves out its
// signature.
func appendCanonicalQuery(b []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return b
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return b
	}
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, kv{uriEncode(k), uriEncode(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

// uriEncode encodes s as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~
func uriEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// canonicalHeaderKeys spares the common signed headers the work of
// net/http's canonicalization.
var canonicalHeaderKeys = map[string]string{
	"content-type":          "Content-Type",
	"x-amz-date":            "X-Amz-Date",
	"x-amz-security-token":  "X-Amz-Security-Token",
	"x-amz-content-sha256":  "X-Amz-Content-Sha256",
	"x-amz-user-agent":      "X-Amz-User-Agent",
	"amz-sdk-invocation-id": "Amz-Sdk-Invocation-Id",
	"amz-sdk-request":       "Amz-Sdk-Request",
	"user-agent":            "User-Agent",
}

// headerValues returns the values of the header named by its lower-case
// name.
func headerValues(r *http.Request, name string) []string {
	if k, ok := canonicalHeaderKeys[name]; ok {
		return r.Header[k]
	}
	return r.Header.Values(name)
}

// appendHeaderValue appends a header's canonical value: values trimmed,
// inner runs of spaces collapsed, several values joined with commas.
func appendHeaderValue(b []byte, r *http.Request, name string) []byte {
	var values []string
	switch name {
	case "host":
		return append(b, strings.TrimSpace(r.Host)...)
	case "content-length":
		return strconv.AppendInt(b, r.ContentLength, 10)
	default:
		values = headerValues(r, name)
	}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		v = strings.TrimSpace(v)
		if strings.Contains(v, "  ") {
			v = strings.Join(strings.Fields(v), " ")
		}
		b = append(b, v...)
	}
	return b
}

// Sign signs r (whose body is body) with c for region and service at now,
// setting X-Amz-Date, X-Amz-Security-Token (with a session token) and
// Authorization. It signs host, x-amz-date, content-type (when set) and
// the security token.
func Sign(r *http.Request, body []byte, c Credentials, region, service string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format(amzDateFormat)
	r.Header.Set("X-Amz-Date", amzDate)
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	signed := []string{"host", "x-amz-date"}
	if r.Header.Get("Content-Type") != "" {
		signed = append(signed, "content-type")
	}
	if c.SessionToken != "" {
		signed = append(signed, "x-amz-security-token")
	}
	slices.Sort(signed)
	res := Result{AccessKeyID: c.AccessKeyID, Region: region, Service: service, date: now.Format(shortDateFormat),
		signedHeaders: strings.Join(signed, ";"), amzDate: amzDate}
	var sig [sha256.Size]byte
	signature(r, body, &res, newSigningKey(c.SecretAccessKey, deriveKey(c.SecretAccessKey, res.date, region, service)), &sig)
	r.Header.Set("Authorization", Algorithm+" Credential="+c.AccessKeyID+"/"+res.date+"/"+region+"/"+service+"/aws4_request, SignedHeaders="+res.signedHeaders+", Signature="+hex.EncodeToString(sig[:]))
}

// Presign adds the presigned query parameters to r (a GET without body)
// so that it is valid for expires from now.
func Presign(r *http.Request, c Credentials, region, service string, now time.Time, expires time.Duration) {
	now = now.UTC()
	res := Result{AccessKeyID: c.AccessKeyID, Region: region, Service: service, date: now.Format(shortDateFormat),
		signedHeaders: "host", amzDate: now.Format(amzDateFormat), Presigned: true}
	q := r.URL.Query()
	q.Set("X-Amz-Algorithm", Algorithm)
	q.Set("X-Amz-Credential", c.AccessKeyID+"/"+res.date+"/"+region+"/"+service+"/aws4_request")
	q.Set("X-Amz-Date", res.amzDate)
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires.Seconds())))
	q.Set("X-Amz-SignedHeaders", "host")
	if c.SessionToken != "" {
		q.Set("X-Amz-Security-Token", c.SessionToken)
	}
	r.URL.RawQuery = q.Encode()
	var sig [sha256.Size]byte
	signature(r, nil, &res, newSigningKey(c.SecretAccessKey, deriveKey(c.SecretAccessKey, res.date, region, service)), &sig)
	q.Set("X-Amz-Signature", hex.EncodeToString(sig[:]))
	r.URL.RawQuery = q.Encode()
}
