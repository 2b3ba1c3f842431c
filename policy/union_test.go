package policy_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// A union of sets decides as one set indexed over all their policies:
// the same effect, and the same deciding policy for a denial, for the
// AWS managed policies a group might attach and a principal's own
// inline policies with denies, wildcards and conditions.
func TestUnionAgreesWithOneSet(t *testing.T) {
	cat := catalog.Default()
	var pols []*policy.Policy
	for _, name := range []string{"ReadOnlyAccess", "IAMUserChangePassword", "AmazonS3FullAccess", "AWSDenyAll", "PowerUserAccess"} {
		mp := cat.ManagedPolicy("arn:aws:iam::aws:policy/" + name)
		if mp == nil {
			t.Fatalf("no %s", name)
		}
		pols = append(pols, policy.MustCompile(mp.Document, policy.Identity, mp.ARN))
	}
	pols = append(pols,
		policy.MustCompile(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod*"},{"Effect":"Allow","NotAction":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`, policy.Identity, "user/bob/inline"),
		policy.MustCompile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}`, policy.Identity, "group/devs/self"))
	requests := []*policy.Request{}
	for _, action := range []string{"iam:CreateUser", "iam:GetUser", "iam:ListUsers", "s3:GetObject", "s3:DeleteBucket", "ec2:RunInstances", "kms:Decrypt", "sts:AssumeRole", "nosuch:Thing"} {
		for _, resource := range []string{"*", "arn:aws:s3:::prod-logs", "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:user/alice"} {
			for _, team := range []string{"blue", "red"} {
				ctx := policy.NewContext(map[string][]string{"aws:PrincipalTag/team": {team}, "aws:username": {"bob"}})
				requests = append(requests, &policy.Request{Action: action, Resource: resource, Context: ctx})
			}
		}
	}
	// Every subset of the policies (without AWSDenyAll, which would
	// decide everything, and with it).
	for mask := 1; mask < 1<<len(pols); mask++ {
		var chosen []*policy.Policy
		var parts []*policy.Set
		for i, p := range pols {
			if mask&(1<<i) != 0 {
				chosen = append(chosen, p)
				parts = append(parts, policy.NewSet(p))
			}
		}
		one, union := policy.NewSet(chosen...), policy.Union(parts...)
		if union.Len() != one.Len() {
			t.Fatalf("mask %b: union has %d policies, want %d", mask, union.Len(), one.Len())
		}
		for _, req := range requests {
			w, g := one.Evaluate(req), union.Evaluate(req)
			if w.Denied != g.Denied || w.Allowed != g.Allowed || (w.Denied && w.DeniedBy.Policy != g.DeniedBy.Policy) {
				t.Fatalf("mask %b, %s on %s: union %+v, one set %+v", mask, req.Action, req.Resource, g, w)
			}
		}
	}
}

// Union flattens nested unions and evaluates a set given twice once.
func TestUnionShape(t *testing.T) {
	a := policy.NewSet(policy.MustCompile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, policy.Identity, "a"))
	b := policy.NewSet(policy.MustCompile(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]}`, policy.Identity, "b"))
	u := policy.Union(a, nil, policy.Union(a, b), b)
	if got := fmt.Sprint(names(u.Policies())); got != "[a b]" {
		t.Errorf("policies = %s, want [a b]", got)
	}
	ctx := policy.NewContext(nil)
	if r := u.Evaluate(&policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::secret/x", Context: ctx}); !r.Denied || r.DeniedBy.Policy.Name != "b" {
		t.Errorf("secret: %+v", r)
	}
	if r := u.Evaluate(&policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::public/x", Context: ctx}); !r.Allowed || r.AllowedBy.Policy.Name != "a" {
		t.Errorf("public: %+v", r)
	}
	if r := policy.Union().Evaluate(&policy.Request{Action: "s3:GetObject", Resource: "*", Context: ctx}); r.Allowed || r.Denied {
		t.Errorf("empty union: %+v", r)
	}
	req := &policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::public/x", Context: ctx}
	if n := testing.AllocsPerRun(100, func() { u.Evaluate(req) }); n != 0 {
		t.Errorf("Union.Evaluate allocates %v times", n)
	}
}

func names(ps []*policy.Policy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// The buckets of wildcard-named actions are built on first use: many
// goroutines deciding many actions on one set at once get the answers a
// set used by one goroutine gives (run with -race).
func TestLazyBucketsConcurrently(t *testing.T) {
	cat := catalog.Default()
	var pols []*policy.Policy
	for _, name := range []string{"ReadOnlyAccess", "PowerUserAccess", "SecurityAudit"} {
		mp := cat.ManagedPolicy("arn:aws:iam::aws:policy/" + name)
		pols = append(pols, policy.MustCompile(mp.Document, policy.Identity, mp.ARN))
	}
	var actions []string
	for _, svc := range []string{"s3", "ec2", "iam", "kms", "organizations"} {
		for _, a := range cat.Service(svc).Actions {
			actions = append(actions, svc+":"+a.Name)
		}
	}
	ctx := policy.NewContext(nil)
	want := make([]policy.Result, len(actions))
	seq := policy.NewSet(pols...)
	for i, a := range actions {
		want[i] = seq.Evaluate(&policy.Request{Action: a, Resource: "*", Context: ctx})
	}
	shared := policy.NewSet(pols...)
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for j := range actions {
				i := (j*7 + g*131) % len(actions)
				got := shared.Evaluate(&policy.Request{Action: actions[i], Resource: "*", Context: policy.NewContext(nil)})
				if got.Allowed != want[i].Allowed || got.Denied != want[i].Denied || got.AllowedBy != want[i].AllowedBy {
					errs <- fmt.Errorf("%s: %+v, want %+v", actions[i], got, want[i])
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// ParseAndCompileText answers as ParseAndCompile: the same errors, and
// a policy that decides the same.
func TestParseAndCompileText(t *testing.T) {
	big := `{"Version":"2012-10-17","Statement":[`
	for i := range 200 {
		if i > 0 {
			big += ","
		}
		big += fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}`, i, i)
	}
	big += `]}`
	docs := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`,
		"\xef\xbb\xbf" + `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`,
		`not json`,
		big,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Principal":"*"}]}`,
	}
	req := &policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/bob/x", Context: policy.NewContext(map[string][]string{"aws:username": {"bob"}})}
	for _, kind := range []policy.Kind{policy.Identity, policy.Managed, policy.Resource} {
		for i, doc := range docs {
			a, aerr := policy.ParseAndCompile([]byte(doc), kind, "p")
			b, berr := policy.ParseAndCompileText(doc, kind, "p")
			if fmt.Sprint(aerr) != fmt.Sprint(berr) {
				t.Errorf("kind %v doc %d: errors %v and %v", kind, i, aerr, berr)
				continue
			}
			if aerr != nil {
				continue
			}
			ra, rb := policy.NewSet(a).Evaluate(req), policy.NewSet(b).Evaluate(req)
			if ra.Allowed != rb.Allowed || ra.Denied != rb.Denied {
				t.Errorf("kind %v doc %d: %+v and %+v", kind, i, ra, rb)
			}
		}
	}
}
