package bench

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policy"
)

// Principal is the caller of every scenario; the S3 resources are in its
// account.
const (
	Principal = "arn:aws:iam::111122223333:user/alice"
	Account   = "111122223333"
	Username  = "alice"
)

// Scenario is one decision benchmark.
type Scenario struct {
	Name     string
	Policies []string // identity policy documents of the principal
	Action   string
	Resource string
	// Context holds the request context keys beyond those derived from
	// the principal (aws:username and the aws:Principal* keys).
	Context map[string]string
	// Expect is Allowed, ImplicitDeny or ExplicitDeny.
	Expect string
}

// Policy5 is POLICY5.
const Policy5 = `{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyDeleteBucket","Effect":"Deny","Action":["s3:DeleteBucket","s3:DeleteBucketPolicy"],"Resource":["arn:aws:s3:::*"]},
 {"Sid":"ListLogs","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::logs"]},
 {"Sid":"PutUploads","Effect":"Allow","Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":["arn:aws:s3:::uploads/*"]},
 {"Sid":"Loc","Effect":"Allow","Action":["s3:GetBucketLocation"],"Resource":["arn:aws:s3:::*"]},
 {"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":["arn:aws:s3:::data/reports/*"]}]}`

// PolicyCond is POLICYCOND.
const PolicyCond = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::data/*"],
  "Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},
               "StringLike":{"aws:Referer":["https://*.example.com/*"]}}}]}`

// PolicyVars is POLICYVARS.
const PolicyVars = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::home/${aws:username}/*"]},
 {"Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::home"],
  "Condition":{"StringLike":{"s3:prefix":["${aws:username}/*"]}}}]}`

// policy10Actions is A of POLICY10.
var policy10Actions = [...]string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetObjectTagging",
	"s3:PutObjectTagging", "s3:GetBucketLocation", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload",
	"s3:GetObjectVersion"}

// Policy10 is POLICY10(i): a Deny of s3:DeleteObject on protected-<i>/*,
// then nine Allows, the j-th of A[j] on team<i>-bucket<j>/* (the bucket
// itself for s3:ListBucket and s3:GetBucketLocation).
func Policy10(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:DeleteObject"],"Resource":["arn:aws:s3:::protected-%d/*"]}`, i)
	for j, a := range policy10Actions {
		res := fmt.Sprintf("arn:aws:s3:::team%d-bucket%d/*", i, j)
		if a == "s3:ListBucket" || a == "s3:GetBucketLocation" {
			res = fmt.Sprintf("arn:aws:s3:::team%d-bucket%d", i, j)
		}
		fmt.Fprintf(&b, `,{"Effect":"Allow","Action":["%s"],"Resource":["%s"]}`, a, res)
	}
	b.WriteString("]}")
	return b.String()
}

// Policy10s is POLICY10(0..n-1).
func Policy10s(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = Policy10(i)
	}
	return out
}

// Scenarios returns the decision scenarios in the spec's order
// (Compile_POLICY10 is not a decision and is benchmarked on its own).
func Scenarios() []Scenario {
	p5 := []string{Policy5}
	p20, p200 := Policy10s(20), Policy10s(200)
	cond := []string{PolicyCond}
	ctxOK := map[string]string{"aws:SourceIp": "192.168.1.7", "aws:Referer": "https://www.example.com/page"}
	ctxBadIP := map[string]string{"aws:SourceIp": "203.0.113.9", "aws:Referer": "https://www.example.com/page"}
	return []Scenario{
		{Name: "P1S5_Allow", Policies: p5, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/reports/2024/q1.csv", Expect: "Allowed"},
		{Name: "P1S5_ImplicitDeny", Policies: p5, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/x/y.txt", Expect: "ImplicitDeny"},
		{Name: "P1S5_ExplicitDeny", Policies: p5, Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::data", Expect: "ExplicitDeny"},
		{Name: "P20S10_AllowLast", Policies: p20, Action: "s3:GetObjectVersion", Resource: "arn:aws:s3:::team19-bucket8/a/b/c.bin", Expect: "Allowed"},
		{Name: "P20S10_ImplicitDeny", Policies: p20, Action: "s3:GetObject", Resource: "arn:aws:s3:::nomatch/a/b/c.bin", Expect: "ImplicitDeny"},
		{Name: "P200S10_ImplicitDeny", Policies: p200, Action: "s3:GetObject", Resource: "arn:aws:s3:::nomatch/a/b/c.bin", Expect: "ImplicitDeny"},
		{Name: "Cond_Allow", Policies: cond, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x", Context: ctxOK, Expect: "Allowed"},
		{Name: "Cond_DenyIP", Policies: cond, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x", Context: ctxBadIP, Expect: "ImplicitDeny"},
		{Name: "Vars_Allow", Policies: []string{PolicyVars}, Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/notes.txt", Expect: "Allowed"},
	}
}

// Prepared is a scenario compiled as a server holds it: the principal's
// policies in one set, the request and its context built once.
type Prepared struct {
	Request  authz.Request
	Policies authz.Policies
}

// Prepare compiles a scenario.
func Prepare(sc Scenario) (*Prepared, error) {
	var pols []*policy.Policy
	for i, doc := range sc.Policies {
		p, err := policy.ParseAndCompile([]byte(doc), policy.Managed, "p"+strconv.Itoa(i))
		if err != nil {
			return nil, fmt.Errorf("%s: policy %d: %w", sc.Name, i, err)
		}
		pols = append(pols, p)
	}
	caller, err := authz.ParseCaller(Principal, "")
	if err != nil {
		return nil, err
	}
	ctx := &policy.Context{}
	for k, v := range sc.Context {
		ctx.Set(k, v)
	}
	authz.SetPrincipalKeys(&caller, ctx)
	return &Prepared{
		Request:  authz.Request{Caller: caller, Action: sc.Action, Resource: sc.Resource, Context: ctx},
		Policies: authz.Policies{Identity: policy.NewSet(pols...)},
	}, nil
}

// Decide makes the scenario's decision.
func (p *Prepared) Decide() (authz.Decision, error) { return authz.Decide(&p.Request, &p.Policies) }
