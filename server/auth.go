package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/awsapi"
	"github.com/gatehouse/gatehouse/iam"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/sigv4"
)

// authenticator turns a signed request into the caller's iam.Request.
type authenticator struct {
	iam      *iam.Service
	verifier *sigv4.Verifier
	dev      *devMode
}

func newAuthenticator(svc *iam.Service, maxSkew time.Duration, dev *devMode) *authenticator {
	return &authenticator{iam: svc, verifier: sigv4.NewVerifier(maxSkew), dev: dev}
}

// errInvalidToken is AWS's answer for an unknown or inactive access key.
func errInvalidToken() error {
	return awsapi.Errorf("InvalidClientTokenId", http.StatusForbidden, "The security token included in the request is invalid.")
}

// authenticate verifies the request's SigV4 signature and returns who
// made it. In dev mode, while the unauthenticated window lasts, nothing
// is verified: an access key Gatehouse issued acts as its user and any
// other as the dev account's root.
func (a *authenticator) authenticate(r *http.Request, body []byte, now time.Time) (*iam.Request, error) {
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
	k, ok := a.iam.AccessKey(parsed.AccessKeyID)
	if !ok || !k.Active {
		return nil, errInvalidToken()
	}
	if err := a.verifier.Check(r, body, &parsed, k.Secret, now); err != nil {
		return nil, sigv4Error(err)
	}
	a.iam.RecordKeyUse(k.Account, parsed.AccessKeyID, parsed.Service, parsed.Region, now)
	req := userRequest(k, parsed.Region)
	req.AccessKeyID = parsed.AccessKeyID
	return req, nil
}

func sigv4Error(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &awsapi.Error{Code: se.Code, Message: se.Message, Status: se.Status, Fault: awsapi.Sender}
	}
	return err
}

// userRequest is a request made with an IAM user's access key.
func userRequest(k iam.AccessKey, region string) *iam.Request {
	partition := arn.PartitionForRegion(region)
	userARN := "arn:" + partition + ":iam::" + k.Account + ":user" + k.Path + k.UserName
	return &iam.Request{
		Account:   k.Account,
		Partition: partition,
		Region:    region,
		Caller:    policy.Caller{Type: policy.User, ARN: userARN, Account: k.Account},
		UserKey:   iam.UserKey(k.UserName),
		UserID:    k.UserID,
	}
}

// rootRequest is a request made by an account's root user.
func rootRequest(account, region string) *iam.Request {
	partition := arn.PartitionForRegion(region)
	return &iam.Request{
		Account:   account,
		Partition: partition,
		Region:    region,
		Caller:    policy.Caller{Type: policy.Account, ARN: "arn:" + partition + ":iam::" + account + ":root", Account: account},
		UserID:    account,
	}
}
