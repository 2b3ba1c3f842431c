package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/iam"
	"github.com/gatehouse/gatehouse/sigv4"
)

// authenticator turns a signed request into the caller's authn.Request.
type authenticator struct {
	iam      *iam.Service
	verifier *sigv4.Verifier
	dev      *devMode
}

func newAuthenticator(svc *iam.Service, dev *devMode) *authenticator {
	return &authenticator{iam: svc, verifier: sigv4.NewVerifier(), dev: dev}
}

// authenticate verifies the request's SigV4 signature for svc and
// returns who made it, with AWS's checks in AWS's order: the form of the
// signature (sigv4.Parse), its time and credential scope (Validate), the
// access key and session token, then the signature over the body
// received (CheckSignature).
// https://github.com/dacut/scratchstack-aws-signature/blob/main/docs/AWS%20Auth%20Error%20Ordering.pdf
//
// In dev mode, while the unauthenticated window lasts, nothing is
// verified: an access key Gatehouse issued acts as its user and any
// other as the dev account's root.
func (a *authenticator) authenticate(r *http.Request, body []byte, svc *service, now time.Time) (*authn.Request, error) {
	parsed, perr := sigv4.Parse(r)
	if a.dev != nil && a.dev.skipAuth() {
		region := parsed.Region
		if region == "" {
			region = "us-east-1"
		}
		if perr == nil {
			if k, ok := a.iam.AccessKey(parsed.AccessKeyID); ok {
				a.iam.RecordKeyUse(k.Account, parsed.AccessKeyID, parsed.Service, region, now)
				req := userRequest(k, region)
				req.AccessKeyID = parsed.AccessKeyID
				req.Unchecked = true
				return req, nil
			}
		}
		req := rootRequest(a.dev.account, region)
		req.AccessKeyID = parsed.AccessKeyID
		req.Unchecked = true
		return req, nil
	}
	if perr != nil {
		return nil, sigv4Error(perr)
	}
	if err := parsed.Validate(svc.signing, now); err != nil {
		return nil, sigv4Error(err)
	}
	k, err := a.accessKey(parsed.AccessKeyID, parsed.SessionToken)
	if err != nil {
		return nil, err
	}
	if err := a.verifier.CheckSignature(r, body, &parsed, svc.signing, k.Secret); err != nil {
		return nil, sigv4Error(err)
	}
	a.iam.RecordKeyUse(k.Account, parsed.AccessKeyID, parsed.Service, parsed.Region, now)
	req := userRequest(k, parsed.Region)
	req.AccessKeyID = parsed.AccessKeyID
	return req, nil
}

// accessKey resolves the credentials a request is signed with: its
// access key ID and its session token (X-Amz-Security-Token), if any.
// AWS refuses both an unknown session and a token sent with a long-term
// key: InvalidClientTokenId, "The security token included in the
// request is invalid." (403), before it looks at the signature.
func (a *authenticator) accessKey(id, token string) (iam.AccessKey, error) {
	if strings.HasPrefix(id, temporaryKeyPrefix) {
		return a.session(id, token)
	}
	k, ok := a.iam.AccessKey(id)
	if !ok || !k.Active || token != "" {
		return iam.AccessKey{}, awsapi.InvalidClientTokenID()
	}
	return k, nil
}

// temporaryKeyPrefix starts the access key IDs of temporary credentials.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes
const temporaryKeyPrefix = "ASIA"

// session resolves temporary credentials (an ASIA key and its session
// token). Gatehouse issues none before its STS service (a later issue)
// exists, so no session resolves: each is refused as AWS refuses an
// unknown or mismatched one.
func (a *authenticator) session(id, token string) (iam.AccessKey, error) {
	return iam.AccessKey{}, awsapi.InvalidClientTokenID()
}

func sigv4Error(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &awsapi.Error{Code: se.Code, Message: se.Message, Status: se.Status, Fault: awsapi.Sender}
	}
	return err
}

// userRequest is a request signed with an IAM user's access key.
func userRequest(k iam.AccessKey, region string) *authn.Request {
	p := authn.User(arn.PartitionForRegion(region), k.Account, k.Path, k.UserName, k.UserID)
	p.Key = authn.LongTermKey
	return &authn.Request{Principal: p, Region: region}
}

// rootRequest is a request made by an account's root user.
func rootRequest(account, region string) *authn.Request {
	return &authn.Request{Principal: authn.Root(arn.PartitionForRegion(region), account), Region: region}
}
