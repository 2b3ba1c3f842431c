package server_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/internal/sdktest"
	"github.com/gatehouse/gatehouse/sigv4"
)

// regionClient is an aws-sdk-go-v2 IAM client of h signing for region,
// as an SDK configured with an endpoint URL signs: with the client's
// own region.
func (h *harness) regionClient(creds aws.Credentials, region string) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region:       region,
		BaseEndpoint: aws.String(h.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		RetryMaxAttempts: 1,
		HTTPClient:       sdktest.HTTPClient(),
	})
}

// TestSigningRegionOfAnotherPartition: the signing region picks the
// partition of the request's ARNs, so a user whose policy denies it
// user/protected in arn:aws:... escaped the Deny by signing for
// cn-north-1 or us-gov-west-1 (its target became arn:aws-cn:... and the
// Deny matched nothing; TagUser then succeeded). A region of another
// partition than the accounts' is now refused before the key is looked
// at, as IAM's aws-partition endpoint refuses a region it does not
// serve: SignatureDoesNotMatch "Credential should be scoped to a valid
// region, not 'us-west-2'. " (recorded in
// https://github.com/rusoto/rusoto/issues/1870). Regions of the aws
// partition still sign (SDKs given an endpoint URL sign with their own
// region), and the Deny holds in each of them.
func TestSigningRegionOfAnotherPartition(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	for _, name := range []string{"protected", "other"} {
		must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}))
	}
	_, key := h.newUserWithKey("limited")
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{
		UserName: aws.String("limited"), PolicyName: aws.String("deny-protected"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"iam:*","Resource":"*"},
			{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::` + testAccount + `:user/protected"}]}`),
	}))
	tag := func(c *awsiam.Client, user, value string) error {
		_, err := c.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String(user), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String(value)}}})
		return err
	}
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-7"} {
		t.Run("control "+region, func(t *testing.T) {
			c := h.regionClient(key, region)
			if err := tag(c, "other", region); err != nil {
				t.Fatalf("TagUser other: %v", err)
			}
			wantCode(t, tag(c, "protected", region), "AccessDenied")
		})
	}
	for _, region := range []string{"cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-iso-east-1", "eusc-de-east-1"} {
		t.Run(region, func(t *testing.T) {
			c := h.regionClient(key, region)
			msg := "Credential should be scoped to a valid region, not '" + region + "'. "
			for _, user := range []string{"protected", "other"} {
				err := tag(c, user, region)
				wantError(t, err, "SignatureDoesNotMatch", msg)
				if got := httpStatus(err); got != 403 {
					t.Fatalf("status %d, want 403", got)
				}
			}
			// Refused before the key: an unknown key gets the same answer.
			_, err := h.regionClient(aws.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: "x"}, region).GetUser(ctx, &awsiam.GetUserInput{})
			wantError(t, err, "SignatureDoesNotMatch", msg)
		})
	}
	out := must[*awsiam.ListUserTagsOutput](t)(a.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("protected")}))
	if len(out.Tags) != 0 {
		t.Fatalf("protected was tagged: %v", out.Tags)
	}
	out = must[*awsiam.ListUserTagsOutput](t)(a.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("other")}))
	if len(out.Tags) != 1 || *out.Tags[0].Value != "ap-southeast-7" {
		t.Fatalf("other's tags: %v", out.Tags)
	}
}

// TestMetricsPresignErrors: a presigned URL's parameter errors
// (AuthorizationQueryParametersError, the SigV4 code for X-Amz-Expires
// over a week, negative or not a number) count under their own code in
// /metrics; they were in the "other" bucket because the closed set of
// common codes lacked it. The control, a valid presigned URL, counts as
// a success.
func TestMetricsPresignErrors(t *testing.T) {
	h := start(t, false)
	get := func(expires string) int {
		req, _ := http.NewRequest(http.MethodGet, h.URL+"/?Action=GetUser&Version=2010-05-08", nil)
		sigv4.Presign(req, sigv4.Credentials{AccessKeyID: h.adminKey.AccessKeyID, SecretAccessKey: h.adminKey.SecretAccessKey}, "us-east-1", "iam", time.Now(), time.Minute)
		q := req.URL.Query()
		q.Set("X-Amz-Expires", expires)
		req.URL.RawQuery = q.Encode()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	// The signature covers X-Amz-Expires, so only "60" verifies; the
	// others fail their parameter check first.
	if got := get("60"); got != 200 {
		t.Fatalf("control: %d", got)
	}
	for _, e := range []string{"604801", "-1", "abc"} {
		if got := get(e); got != 400 {
			t.Fatalf("X-Amz-Expires=%s: %d, want 400", e, got)
		}
	}
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`gatehouse_requests_total{operation="GetUser",code=""} 1` + "\n",
		`gatehouse_requests_total{operation="GetUser",code="AuthorizationQueryParametersError"} 3` + "\n",
	} {
		if !strings.Contains(string(m), want) {
			t.Errorf("missing %q in\n%s", want, m)
		}
	}
	if strings.Contains(string(m), `code="other"`) {
		t.Errorf("a SigV4 error counted as other:\n%s", m)
	}
}

// TestServerCertificateBodyTrimmed: GetServerCertificate answers the
// body and chain without the white space around them, as AWS does (the
// Terraform provider's acceptance test against AWS reads back
// strings.TrimSpace of the PEM it uploaded:
// https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/iam/server_certificate_test.go),
// so `terraform plan` after an apply no longer replaces every
// aws_iam_server_certificate whose PEM ends in a newline. The control:
// a signing certificate's body comes back exactly as uploaded (the
// provider compares that one untrimmed).
func TestServerCertificateBodyTrimmed(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	caPEM, ca := makeCert(t, rsaKey(t, 2), certSpec{cn: "Example CA", ca: true})
	leaf, _ := makeCert(t, rsaKey(t, 1), certSpec{cn: "shop.example.com", parent: ca, parentKey: rsaKey(t, 2)})
	for _, tc := range []struct{ name, body, chain string }{
		{"PEM as encoded (final newline)", leaf, caPEM},
		{"CRLF and blank lines around", "\r\n\n" + strings.ReplaceAll(leaf, "\n", "\r\n") + "\r\n\n", "\n" + caPEM + "\n\n"},
		{"already trimmed", strings.TrimSpace(leaf), strings.TrimSpace(caPEM)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "c" + strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' {
					return r
				}
				return -1
			}, tc.name)
			must[*awsiam.UploadServerCertificateOutput](t)(a.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{
				ServerCertificateName: aws.String(name), CertificateBody: aws.String(tc.body),
				CertificateChain: aws.String(tc.chain), PrivateKey: aws.String(pemPrivate(t, rsaKey(t, 1))),
			}))
			got := must[*awsiam.GetServerCertificateOutput](t)(a.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String(name)}))
			if b := *got.ServerCertificate.CertificateBody; b != strings.TrimSpace(tc.body) {
				t.Errorf("body = %q\nwant %q", b, strings.TrimSpace(tc.body))
			}
			if c := *got.ServerCertificate.CertificateChain; c != strings.TrimSpace(tc.chain) {
				t.Errorf("chain = %q\nwant %q", c, strings.TrimSpace(tc.chain))
			}
		})
	}
	t.Run("signing certificate as uploaded", func(t *testing.T) {
		up := must[*awsiam.UploadSigningCertificateOutput](t)(a.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: aws.String("admin"), CertificateBody: aws.String(leaf)}))
		if *up.Certificate.CertificateBody != leaf {
			t.Errorf("upload answered %q", *up.Certificate.CertificateBody)
		}
		l := must[*awsiam.ListSigningCertificatesOutput](t)(a.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("admin")}))
		if len(l.Certificates) != 1 || *l.Certificates[0].CertificateBody != leaf {
			t.Errorf("listed %v", l.Certificates)
		}
	})
}

// TestGarbageMarkerEveryPaginatedOperation: every paginated operation
// of the model (iamapi.Operations, Paginated) answers a Marker it did
// not hand out with AWS's ValidationError "Invalid Marker." (400) —
// before, a garbage marker was an empty last page — next to its
// control, the same request without a Marker, which succeeds.
// ListServiceSpecificCredentials takes a Marker too though its model
// has no paginator. A paginated operation Gatehouse does not serve yet
// answers InvalidAction; adding one fails this test until it has its
// parameters here. AWS's answer is recorded in
// https://github.com/trek10inc/awsets/pull/21 (see iam/common.go).
func TestGarbageMarkerEveryPaginatedOperation(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	must[*awsiam.CreateRoleOutput](t)(a.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}))
	pol := must[*awsiam.CreatePolicyOutput](t)(a.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	must[*awsiam.CreateInstanceProfileOutput](t)(a.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
	mfa := must[*awsiam.CreateVirtualMFADeviceOutput](t)(a.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("m")}))
	oidc := must[*awsiam.CreateOpenIDConnectProviderOutput](t)(a.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://idp.example.com"), ThumbprintList: []string{strings.Repeat("a", 40)}}))
	meta, _ := newMetadata(t, "https://idp.example.com/saml")
	saml := must[*awsiam.CreateSAMLProviderOutput](t)(a.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("s"), SAMLMetadataDocument: aws.String(meta)}))
	cert, _ := makeCert(t, rsaKey(t, 0), certSpec{cn: "www.example.com"})
	must[*awsiam.UploadServerCertificateOutput](t)(a.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("sc"), CertificateBody: aws.String(cert), PrivateKey: aws.String(pemPrivate(t, rsaKey(t, 0)))}))

	user, group, role := "UserName=admin", "GroupName=Admins", "RoleName=r"
	policyARN := "PolicyArn=" + url.QueryEscape(*pol.Policy.Arn)
	params := map[string]string{
		"GetAccountAuthorizationDetails": "", "GetGroup": group, "ListAccessKeys": user, "ListAccountAliases": "",
		"ListAttachedGroupPolicies": group, "ListAttachedRolePolicies": role, "ListAttachedUserPolicies": user,
		"ListEntitiesForPolicy": policyARN, "ListGroupPolicies": group, "ListGroups": "", "ListGroupsForUser": user,
		"ListInstanceProfileTags": "InstanceProfileName=ip", "ListInstanceProfiles": "", "ListInstanceProfilesForRole": role,
		"ListMFADeviceTags": "SerialNumber=" + url.QueryEscape(*mfa.VirtualMFADevice.SerialNumber), "ListMFADevices": user,
		"ListOpenIDConnectProviderTags": "OpenIDConnectProviderArn=" + url.QueryEscape(*oidc.OpenIDConnectProviderArn),
		"ListPolicies":                  "", "ListPolicyTags": policyARN, "ListPolicyVersions": policyARN, "ListRolePolicies": role,
		"ListRoleTags": role, "ListRoles": "", "ListSAMLProviderTags": "SAMLProviderArn=" + url.QueryEscape(*saml.SAMLProviderArn),
		"ListSSHPublicKeys": user, "ListServerCertificateTags": "ServerCertificateName=sc", "ListServerCertificates": "",
		"ListServiceSpecificCredentials": user, "ListSigningCertificates": user, "ListUserPolicies": user, "ListUserTags": user,
		"ListUsers": "", "ListVirtualMFADevices": "",
	}
	notServed := map[string]bool{"SimulateCustomPolicy": true, "SimulatePrincipalPolicy": true}
	ops := []string{"ListServiceSpecificCredentials"}
	for _, op := range iamapi.Operations {
		if op.Paginated {
			ops = append(ops, op.Name)
		}
	}
	if len(ops) < 30 {
		t.Fatalf("only %d paginated operations", len(ops))
	}
	// Markers IAM never handed out: garbage, base64 of nothing it wrote,
	// a marker of a later format (version byte 2), markup. (A NUL fails
	// the model's pattern for Marker first, in its own words.)
	markers := []string{"garbage", "AAAA", base64.RawURLEncoding.EncodeToString([]byte("\x02admin")), "bm90LWEtbWFya2Vy", "<m>&"}
	for _, op := range ops {
		t.Run(op, func(t *testing.T) {
			form := "Action=" + op + "&Version=2010-05-08"
			if notServed[op] {
				status, body := h.signedPost(form + "&Marker=garbage")
				if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
					t.Fatalf("not served yet: %d %s", status, body)
				}
				return
			}
			p, ok := params[op]
			if !ok {
				t.Fatalf("no parameters for paginated operation %s: add them here", op)
			}
			if p != "" {
				form += "&" + p
			}
			if status, body := h.signedPost(form); status != 200 {
				t.Fatalf("control: %d %s", status, body)
			}
			for _, m := range markers {
				status, body := h.signedPost(form + "&Marker=" + url.QueryEscape(m))
				if status != 400 || !strings.Contains(body, "<Type>Sender</Type><Code>ValidationError</Code><Message>Invalid Marker.</Message>") {
					t.Errorf("Marker %q: %d %s", m, status, body)
				}
			}
		})
	}
}

// TestMarkerOfAnotherList: a marker names the list it pages. AWS
// answers ListUsers's marker sent to ListAccessKeys with "Invalid
// Marker" (https://github.com/trek10inc/awsets/pull/21); Gatehouse's
// markers named only the last key, so another list took them and
// answered a wrong page without a word (the golden script of policy
// tags had sent ListPolicyVersions's marker to ListPolicyTags and
// recorded its first page again as the second). The control: the
// marker pages its own list.
func TestMarkerOfAnotherList(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	for _, name := range []string{"u1", "u2", "u3"} {
		must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}))
		must[*awsiam.CreateGroupOutput](t)(a.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g" + name)}))
	}
	page := must[*awsiam.ListUsersOutput](t)(a.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(1)}))
	if !page.IsTruncated || page.Marker == nil {
		t.Fatalf("first page: %+v", page)
	}
	next := must[*awsiam.ListUsersOutput](t)(a.ListUsers(ctx, &awsiam.ListUsersInput{Marker: page.Marker}))
	if len(next.Users) != 3 || *next.Users[0].UserName == *page.Users[0].UserName {
		t.Fatalf("control, the next page of ListUsers: %+v", next.Users)
	}
	for name, call := range map[string]func() error{
		"ListAccessKeys": func() error {
			_, err := a.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("admin"), Marker: page.Marker})
			return err
		},
		"ListGroups": func() error {
			_, err := a.ListGroups(ctx, &awsiam.ListGroupsInput{Marker: page.Marker})
			return err
		},
		"GetGroup (its users)": func() error {
			_, err := a.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("Admins"), Marker: page.Marker})
			return err
		},
		"ListRoles": func() error {
			_, err := a.ListRoles(ctx, &awsiam.ListRolesInput{Marker: page.Marker})
			return err
		},
		"ListUserTags": func() error {
			_, err := a.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("admin"), Marker: page.Marker})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, call(), "ValidationError", "Invalid Marker.")
		})
	}
}
