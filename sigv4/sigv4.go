package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
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
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Signature") != "" || q.Get("X-Amz-Credential") != "" {
		return parseQuery(q)
	}
	return Result{}, errMissing
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
	res.amzDate = r.Header.Get("X-Amz-Date")
	if res.amzDate == "" && r.Header.Get("Date") == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return Result{}, incomplete(strings.Join(missing, " ") + " Authorization=" + auth)
	}
	if err := res.setCredential(credential); err != nil {
		return Result{}, err
	}
	res.SessionToken = r.Header.Get("X-Amz-Security-Token")
	if res.amzDate == "" {
		t, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			return Result{}, incomplete("Date must be in ISO-8601 'basic format'. Got '" + r.Header.Get("Date") + "'. See http://en.wikipedia.org/wiki/ISO_8601")
		}
		res.amzDate = t.UTC().Format(amzDateFormat)
	}
	t, err := time.Parse(amzDateFormat, res.amzDate)
	if err != nil {
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
	t, err := time.Parse(amzDateFormat, res.amzDate)
	if err != nil {
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
	parts := strings.Split(c, "/")
	if len(parts) != 5 || parts[0] == "" {
		return incomplete("Credential should be scoped to a valid region. ")
	}
	if parts[4] != "aws4_request" {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" + parts[4] + "'. ")
	}
	if _, err := time.Parse(shortDateFormat, parts[1]); err != nil {
		return incomplete("Credential should be scoped to a valid date. ")
	}
	res.AccessKeyID, res.date, res.Region, res.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// Verifier checks SigV4 signatures and caches derived signing keys. It is
// safe for concurrent use.
type Verifier struct {
	maxSkew time.Duration
	mu      sync.RWMutex
	keys    map[scopeKey]cachedKey
}

type scopeKey struct{ akid, date, region, service string }

type cachedKey struct {
	secret string
	key    []byte
}

// maxCachedKeys bounds the signing-key cache; it is emptied when full.
const maxCachedKeys = 4096

// NewVerifier returns a verifier allowing maxSkew between the signature
// time and now (0 means AWS's 5 minutes).
func NewVerifier(maxSkew time.Duration) *Verifier {
	if maxSkew <= 0 {
		maxSkew = defaultSkew
	}
	return &Verifier{maxSkew: maxSkew, keys: make(map[scopeKey]cachedKey)}
}

func (v *Verifier) signingKey(res *Result, secret string) []byte {
	k := scopeKey{res.AccessKeyID, res.date, res.Region, res.Service}
	v.mu.RLock()
	c, ok := v.keys[k]
	v.mu.RUnlock()
	if ok && c.secret == secret {
		return c.key
	}
	key := deriveKey(secret, res.date, res.Region, res.Service)
	v.mu.Lock()
	if len(v.keys) >= maxCachedKeys {
		clear(v.keys)
	}
	v.keys[k] = cachedKey{secret: secret, key: key}
	v.mu.Unlock()
	return key
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

// Verify checks the signature of r, whose body has been read into body.
func (v *Verifier) Verify(r *http.Request, body []byte, now time.Time, lookup Lookup) (Result, error) {
	res, err := Parse(r)
	if err != nil {
		return Result{}, err
	}
	secret, ok := lookup(res.AccessKeyID)
	if !ok {
		return Result{}, errUnknown
	}
	if res.SignedAt.Format(shortDateFormat) != res.date {
		return Result{}, &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
			Message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + res.date + "' != '" + res.SignedAt.Format(shortDateFormat) + "', from '" + res.amzDate + "'."}
	}
	now = now.UTC()
	if res.Presigned {
		if now.After(res.SignedAt.Add(res.expires)) {
			return Result{}, &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
				Message: "Signature expired: " + res.SignedAt.Add(res.expires).Format(amzDateFormat) + " is now earlier than " + now.Format(amzDateFormat)}
		}
	} else {
		if res.SignedAt.Before(now.Add(-v.maxSkew)) {
			return Result{}, &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
				Message: "Signature expired: " + res.amzDate + " is now earlier than " + now.Add(-v.maxSkew).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " - " + skewText(v.maxSkew) + ")"}
		}
		if res.SignedAt.After(now.Add(v.maxSkew)) {
			return Result{}, &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
				Message: "Signature not yet current: " + res.amzDate + " is still later than " + now.Add(v.maxSkew).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " + " + skewText(v.maxSkew) + ")"}
		}
	}
	want := signature(r, body, &res, v.signingKey(&res, secret))
	got, err := hex.DecodeString(res.signature)
	if err != nil || !hmac.Equal(got, want) {
		return Result{}, errNoMatch
	}
	return res, nil
}

func skewText(d time.Duration) string {
	return strconv.Itoa(int(d.Minutes())) + " min."
}

var sha256Pool = sync.Pool{New: func() any { return sha256.New() }}

// signature computes the raw signature of r for the parsed parameters.
func signature(r *http.Request, body []byte, res *Result, key []byte) []byte {
	var b strings.Builder
	b.Grow(512)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	writeCanonicalURI(&b, r.URL)
	b.WriteByte('\n')
	writeCanonicalQuery(&b, r.URL.RawQuery, res.Presigned)
	b.WriteByte('\n')
	for name := range strings.SplitSeq(res.signedHeaders, ";") {
		b.WriteString(name)
		b.WriteByte(':')
		writeHeaderValue(&b, r, name)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(res.signedHeaders)
	b.WriteByte('\n')
	b.WriteString(payloadHash(r, body, res.Presigned))

	h := sha256Pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(b.String()))
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	sha256Pool.Put(h)

	var sts strings.Builder
	sts.Grow(160)
	sts.WriteString(Algorithm)
	sts.WriteByte('\n')
	sts.WriteString(res.amzDate)
	sts.WriteByte('\n')
	sts.WriteString(res.date + "/" + res.Region + "/" + res.Service + "/aws4_request")
	sts.WriteByte('\n')
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], sum[:])
	sts.Write(hexSum[:])
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(sts.String()))
	return mac.Sum(nil)
}

func payloadHash(r *http.Request, body []byte, presigned bool) string {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		return h
	}
	if presigned && r.Method == http.MethodGet {
		return unsignedPayload
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func writeCanonicalURI(b *strings.Builder, u *url.URL) {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	b.WriteString(p)
}

// writeCanonicalQuery writes the query sorted by name then value, each
// URI-encoded as RFC 3986 says; a presigned request leaves out its
// signature.
func writeCanonicalQuery(b *strings.Builder, raw string, presigned bool) {
	if raw == "" {
		return
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return
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
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
}

// uriEncode encodes s as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~
func uriEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// writeHeaderValue writes a header's canonical value: values trimmed,
// inner runs of spaces collapsed, several values joined with commas.
func writeHeaderValue(b *strings.Builder, r *http.Request, name string) {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = []string{strconv.FormatInt(r.ContentLength, 10)}
	default:
		values = r.Header.Values(name)
	}
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		v = strings.TrimSpace(v)
		if strings.Contains(v, "  ") {
			v = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(v)
	}
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
	sig := signature(r, body, &res, deriveKey(c.SecretAccessKey, res.date, region, service))
	r.Header.Set("Authorization", Algorithm+" Credential="+c.AccessKeyID+"/"+res.date+"/"+region+"/"+service+"/aws4_request, SignedHeaders="+res.signedHeaders+", Signature="+hex.EncodeToString(sig))
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
	sig := signature(r, nil, &res, deriveKey(c.SecretAccessKey, res.date, region, service))
	q.Set("X-Amz-Signature", hex.EncodeToString(sig))
	r.URL.RawQuery = q.Encode()
}
