package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Parse reads the signature parameters of a request, from the
// Authorization header or the presigned query, without verifying them.
// It makes AWS's first checks, in AWS's order: one form only, the
// algorithm, the parameters in key=value form and all present, host
// among the signed headers, the date in ISO 8601 basic form (and for a
// presigned request a valid X-Amz-Expires).
//
// A field sent twice (two Authorization or X-Amz-Date headers, two
// X-Amz-Credential parameters, ...) is read as the comma-joined list an
// HTTP intermediary makes of it (RFC 9110 section 5.3), which no check
// accepts: AWS answers two Authorization headers "'AWS4-HMAC-SHA256' not
// a valid key=value pair (missing equal-sign) in Authorization header:
// ...", and the others fail their own checks.
// https://github.com/dacut/scratchstack-aws-signature/blob/main/docs/AWS%20Auth%20Error%20Ordering.pdf
func Parse(r *http.Request) (Result, error) {
	auth, hasAuth := joinedHeader(r.Header, "Authorization")
	if strings.TrimSpace(auth) == "" {
		hasAuth = false
	}
	var q url.Values
	if r.URL.RawQuery != "" {
		// A malformed query is the server's MalformedQueryString; what
		// parses is all there is to read here.
		q, _ = url.ParseQuery(r.URL.RawQuery)
	}
	_, hasAlg := q["X-Amz-Algorithm"]
	switch {
	case hasAuth && hasAlg:
		return Result{}, errBothForms
	case hasAuth:
		return parseHeader(r, auth)
	case hasAlg:
		return parseQuery(q)
	}
	return Result{}, errMissing
}

// joinedHeader returns the values of a header given by its canonical
// name, joined with commas when there are several (allocating only then).
func joinedHeader(h http.Header, canonical string) (string, bool) {
	return joined(h[canonical])
}

func joined(vs []string) (string, bool) {
	switch len(vs) {
	case 0:
		return "", false
	case 1:
		return vs[0], true
	}
	return strings.Join(vs, ","), true
}

func parseHeader(r *http.Request, auth string) (Result, error) {
	auth = strings.TrimSpace(auth)
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != Algorithm {
		return Result{}, incomplete("Unsupported AWS 'algorithm': '" + alg + "'.")
	}
	var res Result
	var credential string
	var hasSignedHeaders bool
	// AWS splits the parameters at commas and spaces; a later parameter
	// of the same name wins.
	for part := range strings.SplitSeq(rest, ",") {
		for part = strings.Trim(part, " "); part != ""; {
			tok := part
			if i := strings.IndexByte(part, ' '); i >= 0 {
				tok, part = part[:i], strings.Trim(part[i+1:], " ")
			} else {
				part = ""
			}
			k, v, ok := strings.Cut(tok, "=")
			if !ok {
				return Result{}, incomplete("'" + tok + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + auth + "'.")
			}
			switch k {
			case "Credential":
				credential = v
			case "SignedHeaders":
				res.signedHeaders, hasSignedHeaders = v, true
			case "Signature":
				res.signature = v
			}
		}
	}
	var missing []string
	if credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if res.signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !hasSignedHeaders {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	amzDate, hasAmzDate := joinedHeader(r.Header, "X-Amz-Date")
	date, hasDate := joinedHeader(r.Header, "Date")
	if !hasAmzDate && !hasDate {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return Result{}, incomplete(strings.Join(missing, " ") + " Authorization=" + auth)
	}
	if !signsHost(res.signedHeaders) {
		return Result{}, errHost
	}
	if hasAmzDate {
		res.amzDate = amzDate
	} else {
		t, err := http.ParseTime(date)
		if err != nil {
			return Result{}, badDate(date)
		}
		res.amzDate = t.UTC().Format(amzDateFormat)
	}
	t, ok := parseAmzDate(res.amzDate)
	if !ok {
		return Result{}, badDate(res.amzDate)
	}
	res.SignedAt = t
	res.SessionToken, _ = joinedHeader(r.Header, "X-Amz-Security-Token")
	res.setCredential(credential)
	return res, nil
}

// signsHost reports whether the signed headers name host (or HTTP/2's
// :authority), so that a captured request cannot be sent to another host.
func signsHost(signed string) bool {
	for name := range strings.SplitSeq(signed, ";") {
		if strings.EqualFold(name, "host") || name == ":authority" {
			return true
		}
	}
	return false
}

func parseQuery(q url.Values) (Result, error) {
	res := Result{Presigned: true}
	if alg, _ := joined(q["X-Amz-Algorithm"]); alg != Algorithm {
		// AWS does not take the query for a signature then.
		return Result{}, errMissing
	}
	var missing []string
	for _, p := range [...]string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if v, _ := joined(q[p]); v == "" {
			missing = append(missing, "AWS query-string parameters must include '"+p+"'.")
		}
	}
	if len(missing) > 0 {
		return Result{}, incomplete(strings.Join(missing, " ") + " Re-examine the query-string parameters.")
	}
	credential, _ := joined(q["X-Amz-Credential"])
	res.signature, _ = joined(q["X-Amz-Signature"])
	res.signedHeaders, _ = joined(q["X-Amz-SignedHeaders"])
	res.amzDate, _ = joined(q["X-Amz-Date"])
	if !signsHost(res.signedHeaders) {
		return Result{}, errHost
	}
	t, ok := parseAmzDate(res.amzDate)
	if !ok {
		return Result{}, badDate(res.amzDate)
	}
	res.SignedAt = t
	if e, ok := joined(q["X-Amz-Expires"]); ok {
		// S3's answers; the other services keep a presigned request to
		// the skew window, and AWS records no answer of theirs.
		if !isInteger(e) {
			return Result{}, queryParameters("X-Amz-Expires should be a number")
		}
		if e[0] == '-' {
			return Result{}, queryParameters("X-Amz-Expires must be non-negative")
		}
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n > int64(MaxExpires/time.Second) {
			return Result{}, queryParameters("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
		}
		res.expires, res.hasExpires = time.Duration(n)*time.Second, true
	}
	res.SessionToken, _ = joined(q["X-Amz-Security-Token"])
	res.setCredential(credential)
	return res, nil
}

// isInteger reports whether s is an optionally signed run of digits
// (which ParseInt refuses only when it overflows).
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	_, ok := digits(s)
	return ok
}

// setCredential splits "AKID/yyyymmdd/region/service/aws4_request";
// Validate refuses a credential without its five elements.
func (res *Result) setCredential(c string) {
	res.credential = c
	akid, rest, ok1 := strings.Cut(c, "/")
	date, rest, ok2 := strings.Cut(rest, "/")
	region, rest, ok3 := strings.Cut(rest, "/")
	service, term, ok4 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || !ok3 || !ok4 || strings.IndexByte(term, '/') >= 0 {
		return
	}
	res.scoped = true
	res.AccessKeyID, res.date, res.Region, res.Service, res.term = akid, date, region, service, term
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

// validRegion reports whether s has the form of an AWS region name:
// two or more lower-case words and a number, joined by hyphens
// ("us-east-1", "us-gov-west-1", "eu-isoe-west-1"). Any such name is
// accepted, so that regions AWS opens later work; the region picks the
// partition.
func validRegion(s string) bool {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return false
	}
	if num := s[i+1:]; num == "" || len(num) > 3 {
		return false
	} else if _, ok := digits(num); !ok {
		return false
	}
	words := 0
	for w := range strings.SplitSeq(s[:i], "-") {
		if w == "" {
			return false
		}
		for j := 0; j < len(w); j++ {
			if w[j] < 'a' || w[j] > 'z' {
				return false
			}
		}
		words++
	}
	return words >= 2
}
