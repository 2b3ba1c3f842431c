package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/iam"
	"github.com/gatehouse/gatehouse/server"
)

// AWS's answers the forgery table expects. Texts, codes, statuses and
// their order of checks: the AWS auth error ordering recorded in
// https://github.com/dacut/scratchstack-aws-signature/blob/main/docs/AWS%20Auth%20Error%20Ordering.pdf
// and the responses cited in sigv4's TestChecks.
const (
	msgMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgToken    = "The security token included in the request is invalid."
	msgHost     = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgService  = "Credential should be scoped to correct service: 'iam'. "
)

// form is how a request carries its signature.
type form int

const (
	headerPOST form = iota // Authorization header, parameters in a form body (the SDKs)
	headerGET              // Authorization header, parameters in the query
	presigned              // presigned GET, parameters and signature in the query
)

func (f form) String() string { return [...]string{"header POST", "header GET", "presigned"}[f] }

// wire is a request as it goes on the wire, to be altered after signing.
type wire struct {
	form   form
	method string
	path   string
	query  string // raw
	header http.Header
	host   string
	body   []byte
}

// want is an expected answer; code "" is success.
type want struct {
	code, msg string
	status    int
}

func refused(code string, status int, msg string) want { return want{code, msg, status} }

var (
	ok       = want{}
	mismatch = want{"SignatureDoesNotMatch", msgMismatch, 403}
	badToken = want{"InvalidClientTokenId", msgToken, 403}
)

// forgery is one request altered from a correctly signed one: sign says
// how it is signed (the control uses the same), alter what is changed
// after signing, at when the server receives it (after the signature's
// time), and want AWS's answer, given the request as sent.
type forgery struct {
	name  string
	form  form
	sign  signing
	alter func(w *wire)
	at    time.Duration
	want  func(w *wire) want
}

// signing is how the table signs a request.
type signing struct {
	key              aws.Credentials
	service, region  string
	offset           time.Duration // signature time after the table's start
	expires          string        // presigned X-Amz-Expires ("" for none)
	contentSHA256    bool          // sign an X-Amz-Content-Sha256 header (header forms)
	token            string        // a session token, signed
	unsignedTokenHdr string        // a session token added after signing
	payload          string        // the payload hash to sign, if not the body's
}

// forgeryBench is a server on loopback with a clock the table sets.
type forgeryBench struct {
	t     *testing.T
	h     *harness
	url   string
	host  string
	start time.Time
	clock atomic.Int64 // unix nanoseconds
	http  *http.Client
}

func newForgeryBench(t *testing.T) *forgeryBench {
	h := start(t, false)
	// The server's clock is the table's: half past the hour, so that a
	// second either way stays in the day.
	b := &forgeryBench{t: t, h: h, start: time.Now().UTC().Truncate(time.Hour).Add(30 * time.Minute), http: &http.Client{}}
	b.clock.Store(b.start.UnixNano())
	srv := httptest.NewServer(server.New(server.Config{IAM: h.svc, Clock: func() time.Time { return time.Unix(0, b.clock.Load()) }}))
	t.Cleanup(srv.Close)
	b.url = srv.URL
	b.host = strings.TrimPrefix(srv.URL, "http://")
	return b
}

// request returns CreateUser for name in form f, signed as s says.
func (b *forgeryBench) request(f form, name string, s signing) *wire {
	b.t.Helper()
	params := url.Values{"Action": {"CreateUser"}, "UserName": {name}, "Version": {"2010-05-08"}}
	w := &wire{form: f, path: "/", header: http.Header{}, host: b.host}
	switch f {
	case headerPOST:
		w.method = http.MethodPost
		w.body = []byte(params.Encode())
		w.header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	case headerGET:
		w.method = http.MethodGet
		w.query = params.Encode()
	case presigned:
		w.method = http.MethodGet
		if s.expires != "" {
			params.Set("X-Amz-Expires", s.expires)
		}
		if s.token != "" {
			params.Set("X-Amz-Security-Token", s.token)
		}
		w.query = params.Encode()
	}
	payload := sha256Hex(w.body)
	if s.payload != "" {
		payload = s.payload
	}
	if f != presigned {
		if s.contentSHA256 {
			w.header.Set("X-Amz-Content-Sha256", payload)
		}
		if s.token != "" {
			w.header.Set("X-Amz-Security-Token", s.token)
		}
	}
	r := w.httpRequest(b.url)
	at := b.start.Add(s.offset)
	signer := v4.NewSigner()
	if f == presigned {
		u, _, err := signer.PresignHTTP(context.Background(), s.key, r, payload, s.service, s.region, at)
		if err != nil {
			b.t.Fatal(err)
		}
		pu, _ := url.Parse(u)
		w.query = pu.RawQuery
	} else {
		if err := signer.SignHTTP(context.Background(), s.key, r, payload, s.service, s.region, at); err != nil {
			b.t.Fatal(err)
		}
		w.header = r.Header
	}
	if s.unsignedTokenHdr != "" {
		w.header.Set("X-Amz-Security-Token", s.unsignedTokenHdr)
	}
	return w
}

func (w *wire) httpRequest(base string) *http.Request {
	u := base + w.path
	if w.query != "" {
		u += "?" + w.query
	}
	var body io.Reader
	if w.body != nil {
		body = bytes.NewReader(w.body)
	}
	r, err := http.NewRequest(w.method, u, body)
	if err != nil {
		panic(err)
	}
	r.Header = w.header.Clone()
	r.Host = w.host
	return r
}

// send sends w to the bench's server at the bench's start plus at.
func (b *forgeryBench) send(w *wire, at time.Duration) want {
	b.t.Helper()
	b.clock.Store(b.start.Add(at).UnixNano())
	status, data := send(b.t, b.http, w.httpRequest(b.url))
	if status == http.StatusOK {
		return ok
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := xml.Unmarshal(data, &e); err != nil {
		b.t.Fatalf("status %d, body %q: %v", status, data, err)
	}
	return want{e.Error.Code, e.Error.Message, status}
}

// userExists reports whether the account has the user, asking as the
// admin through the bench's own harness server (real clock).
func (b *forgeryBench) userExists(name string) bool {
	b.t.Helper()
	_, err := b.h.admin().GetUser(context.Background(), &awsiam.GetUserInput{UserName: aws.String(name)})
	switch apiCode(err) {
	case "":
		return true
	case "NoSuchEntity":
		return false
	}
	b.t.Fatalf("GetUser %s: %v", name, err)
	return false
}

// TestForgedRequests alters correctly signed CreateUser requests one
// signed component at a time, in the three forms a signature travels in,
// and expects AWS's code, message and status for each, next to the
// control (the same request unaltered) that succeeds; no forged request
// creates anybody.
func TestForgedRequests(t *testing.T) {
	b := newForgeryBench(t)
	ctx := context.Background()
	a := b.h.admin()
	admin := b.h.adminKey

	// Keys to forge with: another user's (no permissions needed, only
	// its ID is used), an inactive and a deleted key of the admin.
	_, userKey := b.h.newUserWithKey("bystander")
	inactive := must[*awsiam.CreateAccessKeyOutput](t)(a.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("admin")}))
	must[*awsiam.UpdateAccessKeyOutput](t)(a.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("admin"), AccessKeyId: inactive.AccessKey.AccessKeyId, Status: types.StatusTypeInactive}))
	inactiveKey := aws.Credentials{AccessKeyID: *inactive.AccessKey.AccessKeyId, SecretAccessKey: *inactive.AccessKey.SecretAccessKey}
	deleted := must[*awsiam.CreateAccessKeyOutput](t)(a.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bystander")}))
	must[*awsiam.DeleteAccessKeyOutput](t)(a.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("bystander"), AccessKeyId: deleted.AccessKey.AccessKeyId}))
	deletedKey := aws.Credentials{AccessKeyID: *deleted.AccessKey.AccessKeyId, SecretAccessKey: *deleted.AccessKey.SecretAccessKey}

	cases := forgeries(b, admin, userKey, inactiveKey, deletedKey)
	if len(cases) < 300 {
		t.Fatalf("%d cases, want hundreds", len(cases))
	}
	var controls, forged []string
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			control := fmt.Sprintf("ctl-%03d", i)
			if got := b.send(b.request(c.form, control, controlSigning(c, admin)), c.at); got != ok {
				t.Fatalf("control refused: %+v", got)
			}
			controls = append(controls, control)
			name := fmt.Sprintf("frg-%03d", i)
			w := b.request(c.form, name, c.sign)
			if c.alter != nil {
				c.alter(w)
			}
			exp := c.want(w)
			got := b.send(w, c.at)
			if got != exp {
				t.Fatalf("answer %s %q (%d)\nwant   %s %q (%d)", got.code, got.msg, got.status, exp.code, exp.msg, exp.status)
			}
			if exp == ok {
				controls = append(controls, name)
				return
			}
			forged = append(forged, name)
			if b.userExists(name) || b.userExists(swapName(name)) {
				t.Fatalf("forged request created a user")
			}
		})
	}
	// No state changed but the controls': the account's users are
	// exactly the admin, the bystander and the controls.
	var users []string
	p := awsiam.NewListUsersPaginator(a, &awsiam.ListUsersInput{})
	for p.HasMorePages() {
		out := must[*awsiam.ListUsersOutput](t)(p.NextPage(ctx))
		for _, u := range out.Users {
			users = append(users, *u.UserName)
		}
	}
	wantUsers := append([]string{"admin", "bystander"}, controls...)
	slices.Sort(users)
	slices.Sort(wantUsers)
	if !slices.Equal(users, wantUsers) {
		t.Fatalf("users after the table: %d, want %d (%d forged)", len(users), len(wantUsers), len(forged))
	}
	t.Logf("%d cases: %d refused, %d accepted as AWS accepts them", len(cases), len(forged), len(controls)-len(cases))
}

// controlSigning is how the control of a case is signed: as the case
// (its form, region when a real one, content-sha256), but with the
// admin's key, no session token, for IAM, at the time the server
// receives it.
func controlSigning(c forgery, admin aws.Credentials) signing {
	s := signing{key: admin, service: "iam", region: "us-east-1", offset: c.at, contentSHA256: c.sign.contentSHA256}
	if validRegionName(c.sign.region) {
		s.region = c.sign.region
	}
	if c.form == presigned {
		s.expires = presignLife
	}
	return s
}

// presignLife is the table's usual X-Amz-Expires.
const presignLife = "300"

func validRegionName(r string) bool {
	switch r {
	case "us-east-1", "eu-west-1", "us-west-2", "ap-southeast-7":
		return true
	}
	return false
}

func swapName(name string) string { return "swp-" + strings.TrimPrefix(name, "frg-") }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// forgeries generates the table: every signed component altered one at a
// time, in each form it exists in.
func forgeries(b *forgeryBench, admin, userKey, inactiveKey, deletedKey aws.Credentials) []forgery {
	var out []forgery
	add := func(f form, name string, s signing, alter func(*wire), at time.Duration, w func(*wire) want) {
		out = append(out, forgery{name: f.String() + "/" + name, form: f, sign: s, alter: alter, at: at, want: w})
	}
	is := func(x want) func(*wire) want { return func(*wire) want { return x } }
	for _, f := range []form{headerPOST, headerGET, presigned} {
		std := signing{key: admin, service: "iam", region: "us-east-1"}
		if f == presigned {
			std.expires = presignLife
		}
		with := func(mod func(*signing)) signing { s := std; mod(&s); return s }

		// Equivalent requests AWS accepts: the controls of the table.
		add(f, "unaltered", std, nil, 0, is(ok))
		add(f, "an unsigned header added", std, func(w *wire) { w.header.Set("X-Forwarded-For", "203.0.113.9") }, 0, is(ok))
		add(f, "query reordered", std, func(w *wire) { w.query = reorder(w.query) }, 0, is(ok))

		// Method and path.
		if f != headerPOST {
			add(f, "method GET to POST", std, func(w *wire) {
				w.method = http.MethodPost
				w.header.Set("Content-Type", "application/x-www-form-urlencoded")
				w.body = []byte{}
			}, 0, is(mismatch))
		}
		for _, p := range []string{"/x", "/iam/", "//", "/%2F", "/index.html"} {
			add(f, "path "+p, std, func(w *wire) { w.path = p }, 0, is(mismatch))
		}

		// The query.
		add(f, "query parameter added", std, func(w *wire) { w.query += "&Path=%2Fevil%2F" }, 0, is(mismatch))
		if f != headerPOST {
			add(f, "query UserName changed", std, func(w *wire) { w.query = strings.Replace(w.query, "UserName=frg-", "UserName=swp-", 1) }, 0, is(mismatch))
			add(f, "query UserName twice", std, func(w *wire) { w.query += "&UserName=" + "swp-x" }, 0, is(mismatch))
			add(f, "query Version removed", std, func(w *wire) { w.query = dropParam(w.query, "Version") }, 0,
				func(w *wire) want {
					return refused("InvalidAction", 400, "Could not find operation CreateUser for version NO_VERSION_SPECIFIED")
				})
		}

		// Every byte of the operation's parameters (the body of a form
		// POST, the query otherwise) flipped: refused by the routing
		// when the flip changes the operation, else by the signature.
		params := len(url.Values{"Action": {"CreateUser"}, "UserName": {"frg-000"}, "Version": {"2010-05-08"}}.Encode())
		for i := range params {
			add(f, fmt.Sprintf("parameters byte %d", i), std, func(w *wire) {
				if f == headerPOST {
					w.body[i] ^= 0x01
				} else {
					q := []byte(w.query)
					q[i] ^= 0x01
					w.query = string(q)
				}
			}, 0, b.routeWant)
		}

		// The body (form POSTs): swapped, a parameter appended, swapped
		// under a signed X-Amz-Content-Sha256 (the hash a non-S3 service
		// takes is the body's own), S3's UNSIGNED-PAYLOAD.
		if f == headerPOST {
			add(f, "body swapped", std, func(w *wire) { w.body = swapBody(w.body) }, 0, is(mismatch))
			add(f, "body parameter appended", std, func(w *wire) { w.body = append(w.body, "&Path=%2Fevil%2F"...) }, 0, is(mismatch))
			add(f, "body swapped, content-sha256 signed", with(func(s *signing) { s.contentSHA256 = true }), func(w *wire) { w.body = swapBody(w.body) }, 0, is(mismatch))
			add(f, "body swapped, content-sha256 set to it", with(func(s *signing) { s.contentSHA256 = true }), func(w *wire) {
				w.body = swapBody(w.body)
				w.header.Set("X-Amz-Content-Sha256", sha256Hex(w.body))
			}, 0, is(mismatch))
			add(f, "content-sha256 signed", with(func(s *signing) { s.contentSHA256 = true }), nil, 0, is(ok))
			add(f, "content-sha256 of another body, unsigned", std, func(w *wire) { w.header.Set("X-Amz-Content-Sha256", sha256Hex([]byte("x"))) }, 0, is(mismatch))
			add(f, "content-sha256 twice", with(func(s *signing) { s.contentSHA256 = true }), func(w *wire) {
				w.header["X-Amz-Content-Sha256"] = []string{sha256Hex(w.body), sha256Hex(w.body)}
			}, 0, is(mismatch))
			add(f, "content-type charset changed", std, func(w *wire) { w.header.Set("Content-Type", "application/x-www-form-urlencoded; charset=latin1") }, 0, is(mismatch))
			add(f, "content-type removed", std, func(w *wire) { w.header.Del("Content-Type") }, 0, is(mismatch))
			add(f, "content-type inner spaces doubled", std, func(w *wire) { w.header.Set("Content-Type", "application/x-www-form-urlencoded;  charset=utf-8") }, 0, is(ok))
		}

		// The host: replay against another host, and a signature that
		// leaves host out.
		for _, h := range []string{"127.0.0.2:1", "iam.amazonaws.com", "localhost"} {
			add(f, "replayed to host "+h, std, func(w *wire) { w.host = h }, 0, is(mismatch))
		}
		add(f, "host not signed", std, func(w *wire) {
			if f == presigned { // host is all a presigned URL signs
				setSignedHeaders(w, "x-forwarded-for")
			} else {
				setSignedHeaders(w, without(signedHeaders(w), "host"))
			}
		}, 0, is(refused("SignatureDoesNotMatch", 403, msgHost)))
		add(f, "host signed as Host", std, func(w *wire) { setSignedHeaders(w, strings.Replace(signedHeaders(w), "host", "Host", 1)) }, 0, is(mismatch))

		// Signed headers.
		add(f, "signed headers list a missing header", std, func(w *wire) { setSignedHeaders(w, signedHeaders(w)+";x-missing") }, 0, is(mismatch))
		add(f, "signed headers reversed", std, func(w *wire) { setSignedHeaders(w, reverseList(signedHeaders(w))) }, 0, func(w *wire) want {
			if !strings.Contains(signedHeaders(w), ";") { // host alone
				return ok
			}
			return mismatch
		})
		add(f, "payload UNSIGNED-PAYLOAD (S3's)", with(func(s *signing) { s.payload = "UNSIGNED-PAYLOAD"; s.contentSHA256 = f != presigned }), nil, 0, is(mismatch))
		if f != presigned {
			for _, name := range strings.Split(signedHeaders(b.request(f, "probe", with(func(s *signing) { s.key = admin; s.service = "iam"; s.region = "us-east-1" }))), ";") {
				if name == "host" || name == "content-length" {
					continue
				}
				canon := http.CanonicalHeaderKey(name)
				add(f, "signed header "+name+" changed", std, func(w *wire) { w.header.Set(canon, w.header.Get(canon)+"0") }, 0, func(w *wire) want {
					if name == "x-amz-date" {
						return refused("IncompleteSignature", 400, "Date must be in ISO-8601 'basic format'. Got '"+w.header.Get(canon)+"'. See http://en.wikipedia.org/wiki/ISO_8601")
					}
					return mismatch
				})
				add(f, "signed header "+name+" removed", std, func(w *wire) { w.header.Del(canon) }, 0, func(w *wire) want {
					if name == "x-amz-date" {
						return refused("IncompleteSignature", 400, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="+w.header.Get("Authorization"))
					}
					return mismatch
				})
			}
		}

		// The date, to the second and to the day.
		add(f, "date one second later", std, func(w *wire) { setAmzDate(w, b.start.Add(time.Second)) }, 0, is(mismatch))
		add(f, "date one second earlier", std, func(w *wire) { setAmzDate(w, b.start.Add(-time.Second)) }, 0, is(mismatch))
		add(f, "date a day earlier", std, func(w *wire) { setAmzDate(w, b.start.Add(-24*time.Hour)) }, 0, func(w *wire) want {
			d, life := b.start.Add(-24*time.Hour).Format("20060102T150405Z"), 15*time.Minute
			if f == presigned {
				life = 5 * time.Minute
			}
			return refused("SignatureDoesNotMatch", 403, "Signature expired: "+d+" is now earlier than "+b.start.Add(-life).Format("20060102T150405Z")+" ("+b.start.Format("20060102T150405Z")+" - "+strconv.Itoa(int(life/time.Minute))+" min.)")
		})
		add(f, "date not ISO 8601", std, func(w *wire) { setAmzDateRaw(w, b.start.Format(time.RFC3339)) }, 0, is(refused("IncompleteSignature", 400, "Date must be in ISO-8601 'basic format'. Got '"+b.start.Format(time.RFC3339)+"'. See http://en.wikipedia.org/wiki/ISO_8601")))

		// The credential scope, element by element.
		day := b.start.Format("20060102")
		add(f, "scope date the day before", std, func(w *wire) { setScope(w, 1, b.start.Add(-24*time.Hour).Format("20060102")) }, 0, func(w *wire) want {
			return refused("SignatureDoesNotMatch", 403, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+b.start.Add(-24*time.Hour).Format("20060102")+"' != '"+day+"', from '"+b.start.Format("20060102T150405Z")+"'.")
		})
		add(f, "scope date not a date", std, func(w *wire) { setScope(w, 1, "2026-1-1") }, 0, func(w *wire) want {
			return refused("SignatureDoesNotMatch", 403, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '2026-1-1' != '"+day+"', from '"+b.start.Format("20060102T150405Z")+"'.")
		})
		for _, r := range []string{"eu-west-1", "us-west-2"} {
			add(f, "scope region changed to "+r, std, func(w *wire) { setScope(w, 2, r) }, 0, is(mismatch))
		}
		add(f, "scope region changed to cn-north-1", std, func(w *wire) { setScope(w, 2, "cn-north-1") }, 0, is(refused("SignatureDoesNotMatch", 403, "Credential should be scoped to a valid region, not 'cn-north-1'. ")))
		for _, r := range []string{"not-a-region", "US-EAST-1", "", "us-east", "us_east_1", "us-east-1a", "*", "us-east-1 "} {
			msg := "Credential should be scoped to a valid region, not '" + r + "'. "
			add(f, "scope region "+strconv.Quote(r), std, func(w *wire) { setScope(w, 2, r) }, 0, spaced(f, "/iam/aws4_request", refused("SignatureDoesNotMatch", 403, msg)))
			if r != "us-east-1 " {
				add(f, "signed for region "+strconv.Quote(r), with(func(s *signing) { s.region = r }), nil, 0, is(refused("SignatureDoesNotMatch", 403, msg)))
			}
		}
		for _, r := range []string{"eu-west-1", "ap-southeast-7", "us-west-2"} {
			add(f, "signed for region "+r, with(func(s *signing) { s.region = r }), nil, 0, is(ok))
		}
		// A region of another partition would answer in its ARNs, which
		// no stored policy names (a Deny escaped): refused (auth.go
		// checkPartition).
		for _, r := range []string{"cn-north-1", "us-gov-west-1", "eu-isoe-west-1", "eusc-de-east-1", "us-iso-east-1"} {
			add(f, "signed for region "+r+" of another partition", with(func(s *signing) { s.region = r }), nil, 0, is(refused("SignatureDoesNotMatch", 403, "Credential should be scoped to a valid region, not '"+r+"'. ")))
		}
		for _, svc := range []string{"s3", "sts", "ec2", "", "*", "IAM", "iam "} {
			add(f, "scope service "+strconv.Quote(svc), std, func(w *wire) { setScope(w, 3, svc) }, 0, spaced(f, "/aws4_request", refused("SignatureDoesNotMatch", 403, msgService)))
			if svc != "" && svc != "iam " {
				add(f, "signed for service "+strconv.Quote(svc), with(func(s *signing) { s.service = svc }), nil, 0, is(refused("SignatureDoesNotMatch", 403, msgService)))
			}
		}
		for _, term := range []string{"aws4_requesT", "aws5_request", "", "aws4_request "} {
			add(f, "scope terminator "+strconv.Quote(term), std, func(w *wire) { setScope(w, 4, term) }, 0, func(w *wire) want {
				if f != presigned && term == "aws4_request " { // a space before the comma separates, no more
					return ok
				}
				return refused("SignatureDoesNotMatch", 403, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+term+"'. ")
			})
		}
		add(f, "scope region, service and terminator", std, func(w *wire) { setScope(w, 2, "x"); setScope(w, 3, "s3"); setScope(w, 4, "t") }, 0,
			is(refused("SignatureDoesNotMatch", 403, "Credential should be scoped to a valid region, not 'x'. "+msgService+"Credential should be scoped with a valid terminator: 'aws4_request', not 't'. ")))
		add(f, "credential of four elements", std, func(w *wire) {
			c := strings.Split(credential(w), "/")
			setCredential(w, strings.Join(slices.Delete(c, 3, 4), "/"))
		}, 0, func(w *wire) want {
			return refused("IncompleteSignature", 400, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+credential(w)+"'")
		})
		add(f, "credential of six elements", std, func(w *wire) { setCredential(w, credential(w)+"/x") }, 0, func(w *wire) want {
			return refused("IncompleteSignature", 400, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+credential(w)+"'")
		})

		// The access key.
		add(f, "unknown access key", std, func(w *wire) { setScope(w, 0, "AKIAUNKNOWNUNKNOWN00") }, 0, is(badToken))
		add(f, "another user's access key", std, func(w *wire) { setScope(w, 0, userKey.AccessKeyID) }, 0, is(mismatch))
		add(f, "signed with another user's secret", with(func(s *signing) {
			s.key = aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: userKey.SecretAccessKey}
		}), nil, 0, is(mismatch))
		add(f, "inactive access key", with(func(s *signing) { s.key = inactiveKey }), nil, 0, is(badToken))
		add(f, "deleted access key", with(func(s *signing) { s.key = deletedKey }), nil, 0, is(badToken))
		add(f, "temporary access key", with(func(s *signing) {
			s.key = aws.Credentials{AccessKeyID: "ASIA" + admin.AccessKeyID[4:], SecretAccessKey: admin.SecretAccessKey}
			s.token = "FwoGZXIvYXdzEBYaDOGUS"
		}), nil, 0, is(badToken))
		add(f, "empty access key", std, func(w *wire) { setScope(w, 0, "") }, 0, is(badToken))

		// The session token: none resolves with a long-term key.
		add(f, "session token with a long-term key, signed", with(func(s *signing) { s.token = "garbage" }), nil, 0, is(badToken))
		if f != presigned {
			add(f, "session token with a long-term key, unsigned", with(func(s *signing) { s.unsignedTokenHdr = "garbage" }), nil, 0, is(badToken))
			add(f, "session token twice", std, func(w *wire) { w.header["X-Amz-Security-Token"] = []string{"a", "b"} }, 0, is(badToken))
		} else {
			add(f, "session token added", std, func(w *wire) { w.query += "&X-Amz-Security-Token=garbage" }, 0, is(badToken))
		}

		// The signature: every hex digit, its length and case.
		for i := range 64 {
			add(f, fmt.Sprintf("signature digit %d", i), std, func(w *wire) {
				s := []byte(signatureOf(w))
				s[i] = "1032547698badcfe"[strings.IndexByte("0123456789abcdef", s[i])]
				setSignature(w, string(s))
			}, 0, is(mismatch))
		}
		add(f, "signature truncated", std, func(w *wire) { setSignature(w, signatureOf(w)[:63]) }, 0, is(mismatch))
		add(f, "signature extended", std, func(w *wire) { setSignature(w, signatureOf(w)+"0") }, 0, is(mismatch))
		add(f, "signature upper case", std, func(w *wire) { setSignature(w, strings.ToUpper(signatureOf(w))) }, 0, is(mismatch))
		add(f, "signature not hex", std, func(w *wire) { setSignature(w, strings.Repeat("z", 64)) }, 0, is(mismatch))

		// The algorithm.
		for _, alg := range []string{"AWS4-HMAC-SHA512", "aws4-hmac-sha256", "AWS4-ECDSA-P256-SHA256"} {
			if f == presigned {
				add(f, "algorithm "+alg, std, func(w *wire) { w.query = setParam(w.query, "X-Amz-Algorithm", alg) }, 0, is(refused("MissingAuthenticationToken", 403, "Request is missing Authentication Token")))
			} else {
				add(f, "algorithm "+alg, std, func(w *wire) {
					w.header.Set("Authorization", alg+strings.TrimPrefix(w.header.Get("Authorization"), "AWS4-HMAC-SHA256"))
				}, 0, is(refused("IncompleteSignature", 400, "Unsupported AWS 'algorithm': '"+alg+"'.")))
			}
		}

		// Parameters missing or twice, in the header and the query forms.
		if f == presigned {
			for _, p := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
				add(f, p+" removed", std, func(w *wire) { w.query = dropParam(w.query, p) }, 0,
					is(refused("IncompleteSignature", 400, "AWS query-string parameters must include '"+p+"'. Re-examine the query-string parameters.")))
			}
			add(f, "X-Amz-Algorithm removed", std, func(w *wire) { w.query = dropParam(w.query, "X-Amz-Algorithm") }, 0, is(refused("MissingAuthenticationToken", 403, "Request is missing Authentication Token")))
			for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"} {
				add(f, p+" twice", std, func(w *wire) {
					if p == "X-Amz-Security-Token" { // the table presigns without one
						w.query += "&" + p + "=a"
					}
					w.query += "&" + p + "=" + url.QueryEscape(paramOf(w.query, p))
				}, 0, func(w *wire) want {
					v := paramOf(w.query, p) + "," + paramOf(w.query, p)
					switch p {
					case "X-Amz-Algorithm":
						return refused("MissingAuthenticationToken", 403, "Request is missing Authentication Token")
					case "X-Amz-Credential":
						return refused("IncompleteSignature", 400, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+v+"'")
					case "X-Amz-Date":
						return refused("IncompleteSignature", 400, "Date must be in ISO-8601 'basic format'. Got '"+v+"'. See http://en.wikipedia.org/wiki/ISO_8601")
					case "X-Amz-Expires":
						return refused("AuthorizationQueryParametersError", 400, "X-Amz-Expires should be a number")
					case "X-Amz-SignedHeaders":
						return refused("SignatureDoesNotMatch", 403, msgHost)
					case "X-Amz-Security-Token":
						return badToken
					}
					return mismatch
				})
			}
			add(f, "X-Amz-SignedHeaders empty", std, func(w *wire) { setSignedHeaders(w, "") }, 0,
				is(refused("IncompleteSignature", 400, "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.")))
			add(f, "and an Authorization header", std, func(w *wire) {
				w.header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+credential(w)+", SignedHeaders=host, Signature="+signatureOf(w))
			}, 0, is(refused("SignatureDoesNotMatch", 403, "")))
		} else {
			for _, p := range []string{"Credential", "SignedHeaders", "Signature"} {
				add(f, p+" removed", std, func(w *wire) { w.header.Set("Authorization", dropAuthParam(w.header.Get("Authorization"), p)) }, 0, func(w *wire) want {
					return refused("IncompleteSignature", 400, "Authorization header requires '"+p+"' parameter. Authorization="+w.header.Get("Authorization"))
				})
			}
			add(f, "Authorization twice", std, func(w *wire) { a := w.header.Get("Authorization"); w.header["Authorization"] = []string{a, a} }, 0, func(w *wire) want {
				a := w.header["Authorization"]
				return refused("IncompleteSignature", 400, "'AWS4-HMAC-SHA256' not a valid key=value pair (missing equal-sign) in Authorization header: '"+a[0]+","+a[1]+"'.")
			})
			add(f, "Authorization twice, the second forged", std, func(w *wire) {
				a := w.header.Get("Authorization")
				w.header["Authorization"] = []string{a, strings.Replace(a, "Signature=", "Signature=0", 1)}
			}, 0, func(w *wire) want {
				a := w.header["Authorization"]
				return refused("IncompleteSignature", 400, "'AWS4-HMAC-SHA256' not a valid key=value pair (missing equal-sign) in Authorization header: '"+a[0]+","+a[1]+"'.")
			})
			add(f, "X-Amz-Date twice", std, func(w *wire) { d := w.header.Get("X-Amz-Date"); w.header["X-Amz-Date"] = []string{d, d} }, 0, func(w *wire) want {
				d := w.header["X-Amz-Date"]
				return refused("IncompleteSignature", 400, "Date must be in ISO-8601 'basic format'. Got '"+d[0]+","+d[1]+"'. See http://en.wikipedia.org/wiki/ISO_8601")
			})
			add(f, "a parameter not key=value", std, func(w *wire) { w.header.Set("Authorization", w.header.Get("Authorization")+", Extra") }, 0, func(w *wire) want {
				return refused("IncompleteSignature", 400, "'Extra' not a valid key=value pair (missing equal-sign) in Authorization header: '"+w.header.Get("Authorization")+"'.")
			})
			add(f, "and presign parameters", std, func(w *wire) { w.query = setParam(w.query, "X-Amz-Algorithm", "AWS4-HMAC-SHA256") }, 0, is(refused("SignatureDoesNotMatch", 403, "")))
			add(f, "no Authorization", std, func(w *wire) { w.header.Del("Authorization") }, 0, is(refused("MissingAuthenticationToken", 403, "Request is missing Authentication Token")))
		}

		// The clock: 15 minutes either way; a presigned URL lives as long
		// as its X-Amz-Expires says, at most those 15 minutes.
		skew, life := 15*time.Minute, 15*time.Minute
		if f == presigned {
			life = 5 * time.Minute // presignLife
		}
		expired := func(signed time.Time, now time.Time, d time.Duration) want {
			return refused("SignatureDoesNotMatch", 403, "Signature expired: "+signed.Format("20060102T150405Z")+" is now earlier than "+now.Add(-d).Format("20060102T150405Z")+" ("+now.Format("20060102T150405Z")+" - "+strconv.Itoa(int(d/time.Minute))+" min.)")
		}
		notYet := func(signed time.Time, now time.Time) want {
			return refused("SignatureDoesNotMatch", 403, "Signature not yet current: "+signed.Format("20060102T150405Z")+" is still later than "+now.Add(skew).Format("20060102T150405Z")+" ("+now.Format("20060102T150405Z")+" + 15 min.)")
		}
		add(f, fmt.Sprintf("received %v after signing", life), std, nil, life, is(ok))
		add(f, fmt.Sprintf("received %v after signing", life+time.Second), std, nil, life+time.Second, is(expired(b.start, b.start.Add(life+time.Second), life)))
		add(f, "signed 15 min ahead of the server", with(func(s *signing) { s.offset = skew }), nil, 0, is(ok))
		add(f, "signed 15 min 1 s ahead of the server", with(func(s *signing) { s.offset = skew + time.Second }), nil, 0, is(notYet(b.start.Add(skew+time.Second), b.start)))
		add(f, "signed a year ahead", with(func(s *signing) { s.offset = 365 * 24 * time.Hour }), nil, 0, is(notYet(b.start.Add(365*24*time.Hour), b.start)))
		add(f, "replayed a day later", std, nil, 24*time.Hour, is(expired(b.start, b.start.Add(24*time.Hour), life)))
		if f == presigned {
			add(f, "expires 60 s, received at 60 s", with(func(s *signing) { s.expires = "60" }), nil, time.Minute, is(ok))
			add(f, "expires 60 s, received at 61 s", with(func(s *signing) { s.expires = "60" }), nil, time.Minute+time.Second, is(expired(b.start, b.start.Add(time.Minute+time.Second), time.Minute)))
			add(f, "expires 0 s, received at once", with(func(s *signing) { s.expires = "0" }), nil, 0, is(ok))
			add(f, "expires 0 s, received 1 s on", with(func(s *signing) { s.expires = "0" }), nil, time.Second, func(*wire) want {
				return refused("SignatureDoesNotMatch", 403, "Signature expired: "+b.start.Format("20060102T150405Z")+" is now earlier than "+b.start.Add(time.Second).Format("20060102T150405Z")+" ("+b.start.Add(time.Second).Format("20060102T150405Z")+" - 0 min.)")
			})
			add(f, "without X-Amz-Expires, received at 15 min", with(func(s *signing) { s.expires = "" }), nil, skew, is(ok))
			add(f, "without X-Amz-Expires, received at 15 min 1 s", with(func(s *signing) { s.expires = "" }), nil, skew+time.Second, is(expired(b.start, b.start.Add(skew+time.Second), skew)))
			add(f, "expires a week, received at 15 min", with(func(s *signing) { s.expires = "604800" }), nil, skew, is(ok))
			add(f, "expires a week, received at 15 min 1 s", with(func(s *signing) { s.expires = "604800" }), nil, skew+time.Second, is(expired(b.start, b.start.Add(skew+time.Second), skew)))
			add(f, "expires a week and a second", with(func(s *signing) { s.expires = "604801" }), nil, 0,
				is(refused("AuthorizationQueryParametersError", 400, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")))
			add(f, "expires negative", with(func(s *signing) { s.expires = "-1" }), nil, 0, is(refused("AuthorizationQueryParametersError", 400, "X-Amz-Expires must be non-negative")))
			add(f, "expires not a number", with(func(s *signing) { s.expires = "5m" }), nil, 0, is(refused("AuthorizationQueryParametersError", 400, "X-Amz-Expires should be a number")))
			add(f, "expires changed after signing", std, func(w *wire) { w.query = setParam(w.query, "X-Amz-Expires", "3600") }, 0, is(mismatch))
		}
	}
	return out
}

// Request surgery, in whichever form the signature travels.

func authParam(auth, name string) string {
	for _, p := range strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ", ") {
		if k, v, _ := strings.Cut(p, "="); k == name {
			return v
		}
	}
	return ""
}

func setAuthParam(auth, name, value string) string {
	alg, rest, _ := strings.Cut(auth, " ")
	parts := strings.Split(rest, ", ")
	for i, p := range parts {
		if k, _, _ := strings.Cut(p, "="); k == name {
			parts[i] = name + "=" + value
		}
	}
	return alg + " " + strings.Join(parts, ", ")
}

func dropAuthParam(auth, name string) string {
	alg, rest, _ := strings.Cut(auth, " ")
	parts := slices.DeleteFunc(strings.Split(rest, ", "), func(p string) bool { return strings.HasPrefix(p, name+"=") })
	return alg + " " + strings.Join(parts, ", ")
}

func paramOf(query, name string) string {
	q, _ := url.ParseQuery(query)
	return q.Get(name)
}

func setParam(query, name, value string) string {
	q, _ := url.ParseQuery(query)
	q.Set(name, value)
	return q.Encode()
}

func dropParam(query, name string) string {
	q, _ := url.ParseQuery(query)
	q.Del(name)
	return q.Encode()
}

func reorder(query string) string {
	parts := strings.Split(query, "&")
	slices.Reverse(parts)
	return strings.Join(parts, "&")
}

func (w *wire) authField(header, param string) string {
	if w.form == presigned {
		return paramOf(w.query, "X-Amz-"+param)
	}
	return authParam(w.header.Get("Authorization"), header)
}

func (w *wire) setAuthField(header, param, value string) {
	if w.form == presigned {
		w.query = setParam(w.query, "X-Amz-"+param, value)
		return
	}
	w.header.Set("Authorization", setAuthParam(w.header.Get("Authorization"), header, value))
}

func credential(w *wire) string           { return w.authField("Credential", "Credential") }
func setCredential(w *wire, c string)     { w.setAuthField("Credential", "Credential", c) }
func signatureOf(w *wire) string          { return w.authField("Signature", "Signature") }
func setSignature(w *wire, s string)      { w.setAuthField("Signature", "Signature", s) }
func signedHeaders(w *wire) string        { return w.authField("SignedHeaders", "SignedHeaders") }
func setSignedHeaders(w *wire, sh string) { w.setAuthField("SignedHeaders", "SignedHeaders", sh) }

// setScope replaces element i of the credential (0 the access key).
func setScope(w *wire, i int, v string) {
	c := strings.Split(credential(w), "/")
	c[i] = v
	setCredential(w, strings.Join(c, "/"))
}

func setAmzDate(w *wire, t time.Time) { setAmzDateRaw(w, t.UTC().Format("20060102T150405Z")) }

func setAmzDateRaw(w *wire, d string) {
	if w.form == presigned {
		w.query = setParam(w.query, "X-Amz-Date", d)
		return
	}
	w.header.Set("X-Amz-Date", d)
}

func without(list, name string) string {
	return strings.Join(slices.DeleteFunc(strings.Split(list, ";"), func(s string) bool { return s == name }), ";")
}

func reverseList(list string) string {
	l := strings.Split(list, ";")
	slices.Reverse(l)
	return strings.Join(l, ";")
}

// swapBody turns CreateUser frg-N into CreateUser swp-N.
func swapBody(body []byte) []byte {
	return bytes.Replace(body, []byte("UserName=frg-"), []byte("UserName=swp-"), 1)
}

// spaced is the answer to a credential element altered to end in a
// space: in the query it is part of the element, in the Authorization
// header it ends the parameter (AWS splits them at commas and white
// space), leaving rest, the credential's tail, a parameter without "=".
func spaced(f form, rest string, inQuery want) func(*wire) want {
	return func(w *wire) want {
		if f == presigned || !strings.Contains(credential(w), " ") {
			return inQuery
		}
		return refused("IncompleteSignature", 400, "'"+rest+"' not a valid key=value pair (missing equal-sign) in Authorization header: '"+w.header.Get("Authorization")+"'.")
	}
}

// routeWant is the answer to a request whose operation parameters were
// altered: AWS finds the operation by Action and Version before it looks
// at the signature; an operation found, the signature fails.
func (b *forgeryBench) routeWant(w *wire) want {
	q, _ := url.ParseQuery(w.query)
	if w.form == headerPOST {
		body, _ := url.ParseQuery(string(w.body))
		for k, v := range body {
			q[k] = append(q[k], v...)
		}
	}
	action := q.Get("Action")
	if action == "" {
		return refused("MissingAction", 400, "Missing Action")
	}
	version := "NO_VERSION_SPECIFIED"
	if vs, ok := q["Version"]; ok {
		version = vs[0]
	}
	if version != "2010-05-08" || !iamOperations[action] {
		return refused("InvalidAction", 400, "Could not find operation "+action+" for version "+version)
	}
	return mismatch
}

// iamOperations are the operations Gatehouse serves.
var iamOperations = func() map[string]bool {
	m := map[string]bool{}
	for name := range iamapi.Handlers(new(iam.Service)) {
		m[name] = true
	}
	return m
}()
