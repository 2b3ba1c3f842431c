package policy_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/policy"
)

func eval(t *testing.T, doc, action, resource string, ctx map[string][]string) policy.Result {
	t.Helper()
	p, err := policy.ParseAndCompile([]byte(doc), policy.Identity, "p")
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return policy.NewSet(p).Evaluate(&policy.Request{Action: action, Resource: resource, Context: policy.NewContext(ctx)})
}

func condPolicy(cond string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + cond + `}}`
}

// Condition operators and their evaluation, with the example of the page
// each row comes from.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func TestConditions(t *testing.T) {
	type ctx = map[string][]string
	tests := []struct {
		name string
		cond string
		ctx  ctx
		want bool
	}{
		{"StringEquals", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, ctx{"aws:PrincipalTag/job-category": {"iamuser-admin"}}, true},
		{"StringEquals is case-sensitive", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, ctx{"aws:PrincipalTag/job-category": {"IAMUser-Admin"}}, false},
		{"key names are case-insensitive", `{"StringEquals":{"AWS:PRINCIPALTAG/JOB-CATEGORY":"x"}}`, ctx{"aws:PrincipalTag/job-category": {"x"}}, true},
		{"StringEquals missing key", `{"StringEquals":{"aws:PrincipalTag/job-category":"x"}}`, ctx{}, false},
		{"StringNotEquals missing key is true", `{"StringNotEquals":{"aws:PrincipalTag/job-category":"x"}}`, ctx{}, true},
		{"StringNotEquals", `{"StringNotEquals":{"aws:PrincipalTag/job-category":["a","b"]}}`, ctx{"aws:PrincipalTag/job-category": {"b"}}, false},
		{"StringNotEquals none equal", `{"StringNotEquals":{"aws:PrincipalTag/job-category":["a","b"]}}`, ctx{"aws:PrincipalTag/job-category": {"c"}}, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/name":"ALICE"}}`, ctx{"aws:PrincipalTag/name": {"alice"}}, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/name":"ALICE"}}`, ctx{"aws:PrincipalTag/name": {"alice"}}, false},
		{"StringLike", `{"StringLike":{"s3:prefix":["home/*"]}}`, ctx{"s3:prefix": {"home/alice/x"}}, true},
		{"StringLike ?", `{"StringLike":{"s3:prefix":["h?me"]}}`, ctx{"s3:prefix": {"home"}}, true},
		{"StringLike no match", `{"StringLike":{"s3:prefix":["home/*"]}}`, ctx{"s3:prefix": {"other/x"}}, false},
		{"StringEquals has no wildcards", `{"StringEquals":{"s3:prefix":"home/*"}}`, ctx{"s3:prefix": {"home/x"}}, false},
		{"StringNotLike", `{"StringNotLike":{"s3:prefix":["home/*"]}}`, ctx{"s3:prefix": {"other/x"}}, true},
		{"values OR", `{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, ctx{"aws:RequestedRegion": {"eu-west-1"}}, true},
		{"keys AND", `{"StringEquals":{"aws:RequestedRegion":"us-east-1","aws:PrincipalTag/a":"b"}}`, ctx{"aws:RequestedRegion": {"us-east-1"}}, false},
		{"operators AND", `{"StringEquals":{"aws:RequestedRegion":"us-east-1"},"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"false"}}, false},
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"9"}}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericGreaterThan float", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600.5"}}`, ctx{"aws:MultiFactorAuthAge": {"3601"}}, true},
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":10}}`, ctx{"s3:max-keys": {"10.0"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"11"}}, true},
		{"Numeric non-number context", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"ten"}}, false},
		{"DateLessThan ISO", `{"DateLessThan":{"aws:CurrentTime":"2020-04-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2020-03-31T23:59:59Z"}}, true},
		{"DateLessThan after", `{"DateLessThan":{"aws:CurrentTime":"2020-04-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2020-04-01T00:00:01Z"}}, false},
		{"DateGreaterThan epoch policy", `{"DateGreaterThan":{"aws:EpochTime":"1585699200"}}`, ctx{"aws:EpochTime": {"1585699201"}}, true},
		{"Date epoch against ISO", `{"DateEquals":{"aws:CurrentTime":"1585699200"}}`, ctx{"aws:CurrentTime": {"2020-04-01T00:00:00Z"}}, true},
		{"Date day only", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-04-01"}}`, ctx{"aws:CurrentTime": {"2020-04-01T10:00:00Z"}}, true},
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool false", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"false"}}, false},
		{"Bool JSON boolean", `{"Bool":{"aws:SecureTransport":true}}`, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool missing", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, ctx{}, false},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, ctx{}, true},
		{"BoolIfExists present", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, ctx{"aws:MultiFactorAuthPresent": {"true"}}, false},
		{"BinaryEquals", `{"BinaryEquals":{"s3:key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, ctx{"s3:key": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, true},
		{"IpAddress", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.113.9"}}, true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.114.9"}}, false},
		{"IpAddress single", `{"IpAddress":{"aws:SourceIp":"203.0.113.9"}}`, ctx{"aws:SourceIp": {"203.0.113.9"}}, true},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, ctx{"aws:SourceIp": {"2001:db8:1234:5678::1"}}, true},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, ctx{"aws:SourceIp": {"198.51.100.1"}}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, ctx{"aws:SourceIp": {"192.0.2.1"}}, false},
		{"ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`, ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:topic"}}, true},
		{"ArnEquals wildcards", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`, ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:topic"}}, true},
		{"ArnNotLike", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`, ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:999999999999:topic"}}, true},
		{"Null true missing", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx{}, true},
		{"Null true present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, false},
		{"Null false present", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctx{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, true},
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, ctx{"aws:TagKeys": {"environment"}}, true},
		{"ForAllValues extra", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, ctx{"aws:TagKeys": {"environment", "owner"}}, false},
		{"ForAllValues missing key", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, ctx{}, true},
		{"ForAllValues empty set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, ctx{"aws:TagKeys": {}}, true},
		{"ForAnyValue one", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, ctx{"aws:TagKeys": {"owner", "environment"}}, true},
		{"ForAnyValue none", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, ctx{"aws:TagKeys": {"owner"}}, false},
		{"ForAnyValue missing key", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, ctx{}, false},
		{"ForAllValues StringNotEquals", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAnyValue StringNotEquals", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, ctx{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAnyValue StringLike", `{"ForAnyValue:StringLike":{"aws:TagKeys":["env*"]}}`, ctx{"aws:TagKeys": {"owner", "environment"}}, true},
		{"variable in condition", `{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}`, ctx{"s3:prefix": {"home/alice/x"}, "aws:username": {"alice"}}, true},
		{"variable missing in condition", `{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}`, ctx{"s3:prefix": {"home/alice/x"}}, false},
		{"empty operator block", `{"StringEquals":{}}`, ctx{}, true},
		// ArnLike compares the six fields one by one: a * does not span fields.
		{"ArnLike fields", `{"ArnLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, ctx{"aws:SourceArn": {"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}}, false},
		{"ArnLike resource field has colons", `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:log-group:*"}}`, ctx{"aws:SourceArn": {"arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s"}}, true},
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
		{"ForAllValues:Null is always true", `{"ForAllValues:Null":{"aws:TagKeys":"false"}}`, ctx{}, true},
		{"ForAnyValue:Null is always false", `{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`, ctx{}, false},
		{"multivalued key without set operator", `{"StringEquals":{"aws:TagKeys":"environment"}}`, ctx{"aws:TagKeys": {"environment", "dept"}}, false},
		{"one-element list is single-valued", `{"StringEquals":{"aws:TagKeys":"environment"}}`, ctx{"aws:TagKeys": {"environment"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := eval(t, condPolicy(tc.cond), "s3:GetObject", "arn:aws:s3:::b/k", tc.ctx)
			if r.Allowed != tc.want || r.Denied {
				t.Errorf("allowed = %v, want %v", r.Allowed, tc.want)
			}
		})
	}
}

// Actions, NotAction, NotResource.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
func TestStatements(t *testing.T) {
	tests := []struct {
		name, doc, action, resource string
		allowed, denied             bool
	}{
		{"actions case-insensitive", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}}`, "s3:GetObject", "arn:aws:s3:::b/k", true, false},
		{"request action case-insensitive", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, "S3:GETOBJECT", "arn:aws:s3:::b/k", true, false},
		{"action wildcard", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`, "s3:GetObjectAcl", "arn:aws:s3:::b/k", true, false},
		{"action wildcard no match", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`, "s3:PutObject", "arn:aws:s3:::b/k", false, false},
		{"inner wildcard", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*Object*","Resource":"*"}}`, "s3:PutObjectAcl", "arn:aws:s3:::b/k", true, false},
		{"wildcard on an action the catalog lacks", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Frob*","Resource":"*"}}`, "s3:FrobNicate", "arn:aws:s3:::b/k", true, false},
		{"service wildcard", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`, "iam:CreateUser", "arn:aws:iam::111122223333:user/x", true, false},
		{"star", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "ec2:RunInstances", "*", true, false},
		{"NotAction allow", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "s3:GetObject", "arn:aws:s3:::b/k", true, false},
		{"NotAction allow excluded", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "iam:CreateUser", "arn:aws:iam::111122223333:user/x", false, false},
		{"NotAction deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]}`, "s3:GetObject", "*", true, true},
		{"NotResource allow", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}}`, "s3:GetObject", "arn:aws:s3:::open/k", true, false},
		{"NotResource allow excluded", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}}`, "s3:GetObject", "arn:aws:s3:::secret/k", false, false},
		{"NotResource deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::ok","arn:aws:s3:::ok/*"]}]}`, "s3:GetObject", "arn:aws:s3:::other/k", true, true},
		{"deny beats allow", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, "s3:GetObject", "arn:aws:s3:::b/k", true, true},
		{"resource case-sensitive", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::Bucket/*"}}`, "s3:GetObject", "arn:aws:s3:::bucket/k", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := eval(t, tc.doc, tc.action, tc.resource, nil)
			if r.Denied != tc.denied || (!tc.denied && r.Allowed != tc.allowed) {
				t.Errorf("allowed=%v denied=%v, want allowed=%v denied=%v", r.Allowed, r.Denied, tc.allowed, tc.denied)
			}
		})
	}
}

// The index must not change what matches: a set with many statements
// (tree-indexed) decides like evaluating each statement alone.
func TestIndexAgreesWithScan(t *testing.T) {
	var stmts []string
	for i := 0; i < 40; i++ {
		res := []string{`"arn:aws:s3:::b` + string(rune('a'+i%26)) + `/*"`, `"*"`, `"arn:aws:s3:::b*"`, `"arn:aws:s3:::c/${aws:username}/*"`}[i%4]
		eff := []string{"Allow", "Deny"}[boolInt(i%7 == 0)]
		stmts = append(stmts, `{"Effect":"`+eff+`","Action":"s3:GetObject","Resource":[`+res+`],"Condition":{"StringEquals":{"aws:PrincipalTag/n":"`+string(rune('0'+i%10))+`"}}}`)
	}
	doc := `{"Version":"2012-10-17","Statement":[` + join(stmts) + `]}`
	whole, err := policy.ParseAndCompile([]byte(doc), policy.Identity, "all")
	if err != nil {
		t.Fatal(err)
	}
	set := policy.NewSet(whole)
	for _, resource := range []string{"arn:aws:s3:::ba/x", "arn:aws:s3:::bz/x", "arn:aws:s3:::c/alice/x", "arn:aws:s3:::zzz", "*"} {
		for n := 0; n < 10; n++ {
			ctx := policy.NewContext(map[string][]string{"aws:PrincipalTag/n": {string(rune('0' + n))}, "aws:username": {"alice"}})
			req := &policy.Request{Action: "s3:GetObject", Resource: resource, Context: ctx}
			got := set.Evaluate(req)
			var wantAllow, wantDeny bool
			for _, st := range stmts {
				p, err := policy.ParseAndCompile([]byte(`{"Version":"2012-10-17","Statement":[`+st+`]}`), policy.Identity, "one")
				if err != nil {
					t.Fatal(err)
				}
				r := policy.NewSet(p).Evaluate(req)
				wantAllow = wantAllow || r.Allowed
				wantDeny = wantDeny || r.Denied
			}
			if got.Denied != wantDeny || (!wantDeny && got.Allowed != wantAllow) {
				t.Errorf("%s n=%d: got allowed=%v denied=%v, want allowed=%v denied=%v", resource, n, got.Allowed, got.Denied, wantAllow, wantDeny)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	p := policy.MustCompile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::home/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringLike":{"aws:Referer":"https://*"}}},{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}`, policy.Identity, "p")
	set := policy.NewSet(p)
	req := &policy.Request{Action: "S3:GetObject", Resource: "arn:aws:s3:::home/alice/x", Context: policy.NewContext(map[string][]string{
		"aws:username": {"alice"}, "aws:SourceIp": {"10.1.2.3"}, "aws:Referer": {"https://x"}})}
	if !set.Evaluate(req).Allowed {
		t.Fatal("not allowed")
	}
	if n := testing.AllocsPerRun(100, func() { set.Evaluate(req) }); n != 0 {
		t.Errorf("Evaluate allocates %v times", n)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:iam::*:role/x","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]},"NumericLessThan":{"k":1}}}]}`,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333"],"Service":"s3.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a\u00e9\ud83d\ude00"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := policy.Parse(data)
		if err != nil {
			return
		}
		for _, kind := range []policy.Kind{policy.Identity, policy.Resource, policy.Trust} {
			if _, err := policy.Compile(doc, kind, "f"); err != nil {
				continue
			}
			out, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			again, err := policy.Parse(out)
			if err != nil {
				t.Fatalf("reparse of %s: %v", out, err)
			}
			if !reflect.DeepEqual(doc, again) {
				t.Fatalf("round trip differs:\n%q\n%s", data, out)
			}
		}
	})
}

// SetAction checks and lower-cases the action once; a request whose
// Action is changed afterwards is evaluated on its new action.
func TestSetAction(t *testing.T) {
	for _, tc := range []struct {
		action string
		ok     bool
	}{
		{"s3:GetObject", true}, {"S3:GETOBJECT", true}, {"a:b", true}, {"iam:" + strings.Repeat("X", 120), true},
		{"", false}, {"s3", false}, {"s3:", false}, {":Get", false}, {"s3:Get*", false}, {"s3:Get?bject", false},
		{"*:GetObject", false}, {"s3:GetObjectVersionAttributes*", false}, {"iam:" + strings.Repeat("X", 120) + "*", false},
	} {
		var req policy.Request
		if got := req.SetAction(tc.action); got != tc.ok {
			t.Errorf("SetAction(%q) = %v, want %v", tc.action, got, tc.ok)
		}
	}
	set := policy.NewSet(policy.MustCompile(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, policy.Identity, "p"))
	req := &policy.Request{Resource: "arn:aws:s3:::b/k", Context: &policy.Context{}}
	if !req.SetAction("S3:GetObject") || !set.Evaluate(req).Allowed {
		t.Fatal("prepared S3:GetObject not allowed")
	}
	if !req.ActionHasPrefix("s3", "get") || req.ActionHasPrefix("s3", "put") || req.ActionHasPrefix("sts", "") {
		t.Error("ActionHasPrefix")
	}
	req.Action = "s3:PutObject" // changed without SetAction: evaluated as it is now
	if set.Evaluate(req).Allowed || req.ActionHasPrefix("s3", "get") {
		t.Fatal("stale prepared action used")
	}
	if n := testing.AllocsPerRun(100, func() { req.SetAction("S3:GetObject"); set.Evaluate(req) }); n != 0 {
		t.Errorf("SetAction and Evaluate allocate %v times", n)
	}
}
