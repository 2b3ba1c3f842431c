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

// Validate makes the checks of a parsed signature that need no secret,
// in AWS's order: the signature's time against now (DefaultMaxSkew or
// the service's either way; a presigned request also ends at its
// X-Amz-Expires when that is sooner), the credential's five elements,
// then its scope: a well-formed region the service answers for, the
// service's signing name, the
// terminator and the date of X-Amz-Date, all failures in one message.
func (res *Result) Validate(svc Service, now time.Time) error {
	if len(res.amzDate) != len(amzDateFormat) { // not from Parse
		return errMissing
	}
	now = now.UTC()
	skew := svc.maxSkew()
	if res.SignedAt.After(now.Add(skew)) {
		return noMatch("Signature not yet current: " + res.amzDate + " is still later than " + now.Add(skew).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " + " + durationText(skew) + ")")
	}
	life := skew
	if res.hasExpires && res.expires < life {
		life = res.expires
	}
	if now.After(res.SignedAt.Add(life)) {
		return noMatch("Signature expired: " + res.amzDate + " is now earlier than " + now.Add(-life).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " - " + durationText(life) + ")")
	}
	if !res.scoped {
		return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + res.credential + "'")
	}
	if svc.validRegion(res.Region) && res.Service == svc.Name && res.term == terminator && res.date == res.amzDate[:8] {
		return nil
	}
	// Each of AWS's messages ends with ". ", the date's with ".".
	var msg strings.Builder
	if !svc.validRegion(res.Region) {
		msg.WriteString("Credential should be scoped to a valid region, not '" + res.Region + "'. ")
	}
	if res.Service != svc.Name {
		msg.WriteString("Credential should be scoped to correct service: '" + svc.Name + "'. ")
	}
	if res.term != terminator {
		msg.WriteString("Credential should be scoped with a valid terminator: 'aws4_request', not '" + res.term + "'. ")
	}
	if res.date != res.amzDate[:8] {
		msg.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + res.date + "' != '" + res.amzDate[:8] + "', from '" + res.amzDate + "'.")
	}
	return noMatch(msg.String())
}

// Verifier checks SigV4 signatures and caches derived signing keys. It is
// safe for concurrent use; the zero value is not, use NewVerifier.
type Verifier struct {
	mu   sync.RWMutex
	keys map[scopeKey]*signingKey
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

// NewVerifier returns a verifier with an empty key cache.
func NewVerifier() *Verifier {
	return &Verifier{keys: make(map[scopeKey]*signingKey)}
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
	return hmacSum(k, terminator)
}

func hmacSum(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// Verify parses, validates and checks the signature of r, whose body has
// been read into body, for svc, with the secret lookup returns for its
// access key. It does not look at session tokens: a caller that serves
// temporary credentials resolves the key and the token together, between
// Validate and CheckSignature, as AWS does.
func (v *Verifier) Verify(r *http.Request, body []byte, svc Service, now time.Time, lookup Lookup) (Result, error) {
	res, err := Parse(r)
	if err != nil {
		return Result{}, err
	}
	if err := res.Validate(svc, now); err != nil {
		return Result{}, err
	}
	secret, ok := lookup(res.AccessKeyID)
	if !ok {
		return Result{}, errUnknown
	}
	if err := v.CheckSignature(r, body, &res, svc, secret); err != nil {
		return Result{}, err
	}
	return res, nil
}

// CheckSignature checks the signature of r as Parse read it into res and
// Validate passed it, with the secret of res.AccessKeyID: the payload
// hash as svc takes it, then the signature itself, compared in constant
// time. Only a lower-case hex signature matches, as AWS compares it.
func (v *Verifier) CheckSignature(r *http.Request, body []byte, res *Result, svc Service, secret string) error {
	var payload [2 * sha256.Size]byte
	switch svc.Payload {
	case PayloadBody:
		sum := sha256.Sum256(body)
		hex.Encode(payload[:], sum[:])
		// The hash the client names must be the body's: a body swapped
		// after signing is caught even where the header is not signed.
		if h, ok := joinedHeader(r.Header, "X-Amz-Content-Sha256"); ok && h != string(payload[:]) {
			return errNoMatch
		}
	default:
		return errNoMatch
	}
	var got [sha256.Size]byte
	if !lowerHex(res.signature, got[:]) {
		return errNoMatch
	}
	var want [sha256.Size]byte
	signature(r, res, v.signingKey(res, secret), payload[:], &want)
	if !hmac.Equal(got[:], want[:]) {
		return errNoMatch
	}
	return nil
}

// lowerHex decodes a signature of exactly 64 lower-case hex digits.
func lowerHex(s string, out []byte) bool {
	if len(s) != 2*len(out) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	_, err := hex.Decode(out, []byte(s))
	return err == nil
}

// scratch is the per-signature working memory, pooled.
type scratch struct {
	buf      []byte
	h        hash.Hash
	sum, out [sha256.Size]byte
}

var scratchPool = sync.Pool{New: func() any { return &scratch{buf: make([]byte, 0, 1024), h: sha256.New()} }}

// signature computes the raw signature of r for the parsed parameters
// and the payload hash into out.
func signature(r *http.Request, res *Result, key *signingKey, payloadHash []byte, out *[sha256.Size]byte) {
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
	b = append(b, payloadHash...)

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
	b = append(b, '/')
	b = append(b, terminator...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, s.sum[:])
	key.mac(s, b)
	*out = s.out
	s.buf = b[:0]
	scratchPool.Put(s)
}

// appendCanonicalURI appends the path as the services other than S3
// take it: the path as sent (escaped) URI-encoded once more, every byte
// but A-Z a-z 0-9 - _ . ~ and / (so "%2F" is "%252F").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
func appendCanonicalURI(b []byte, u *url.URL) []byte {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	const upper = "0123456789ABCDEF"
	for i := 0; i < len(p); i++ {
		if c := p[i]; c == '/' || unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upper[c>>4], upper[c&15])
		}
	}
	return b
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
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

// appendHeaderValue appends a header's canonical value as the SDKs make
// it: inner runs of spaces collapsed to one, white space trimmed, several
// values joined with commas.
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
		for j := 0; j < len(v); j++ {
			if v[j] == ' ' && j > 0 && v[j-1] == ' ' {
				continue
			}
			b = append(b, v[j])
		}
	}
	return b
}
