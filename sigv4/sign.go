package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sign signs r (whose body is body) with c for region and service at now,
// setting X-Amz-Date, X-Amz-Security-Token (with a session token) and
// Authorization. It signs host, x-amz-date, content-type (when set) and
// the security token, with the body's hash as the payload hash.
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
	signature(r, &res, newSigningKey(c.SecretAccessKey, deriveKey(c.SecretAccessKey, res.date, region, service)), payloadHash(body), &sig)
	r.Header.Set("Authorization", Algorithm+" Credential="+c.AccessKeyID+"/"+res.date+"/"+region+"/"+service+"/"+terminator+", SignedHeaders="+res.signedHeaders+", Signature="+hex.EncodeToString(sig[:]))
}

// Presign adds the presigned query parameters to r (a request without
// body) so that it is valid for expires from now. The payload hash is
// the empty body's, as the SDKs presign for services other than S3.
func Presign(r *http.Request, c Credentials, region, service string, now time.Time, expires time.Duration) {
	now = now.UTC()
	res := Result{AccessKeyID: c.AccessKeyID, Region: region, Service: service, date: now.Format(shortDateFormat),
		signedHeaders: "host", amzDate: now.Format(amzDateFormat), Presigned: true}
	q := r.URL.Query()
	q.Set("X-Amz-Algorithm", Algorithm)
	q.Set("X-Amz-Credential", c.AccessKeyID+"/"+res.date+"/"+region+"/"+service+"/"+terminator)
	q.Set("X-Amz-Date", res.amzDate)
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires.Seconds())))
	q.Set("X-Amz-SignedHeaders", "host")
	if c.SessionToken != "" {
		q.Set("X-Amz-Security-Token", c.SessionToken)
	}
	r.URL.RawQuery = q.Encode()
	var sig [sha256.Size]byte
	signature(r, &res, newSigningKey(c.SecretAccessKey, deriveKey(c.SecretAccessKey, res.date, region, service)), payloadHash(nil), &sig)
	q.Set("X-Amz-Signature", hex.EncodeToString(sig[:]))
	r.URL.RawQuery = q.Encode()
}

func payloadHash(body []byte) []byte {
	sum := sha256.Sum256(body)
	return hex.AppendEncode(nil, sum[:])
}
