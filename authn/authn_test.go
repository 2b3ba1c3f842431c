package authn_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/policy"
)

func TestPrincipals(t *testing.T) {
	root := authn.Root("aws-cn", "111122223333")
	if root.ARN != "arn:aws-cn:iam::111122223333:root" || root.UserID != "111122223333" || root.Type != policy.Account {
		t.Errorf("Root = %+v", root)
	}
	if !root.IsRoot("111122223333") || root.IsRoot("444455556666") {
		t.Error("IsRoot: the root user is root of its own account only")
	}
	u := authn.User("aws", "111122223333", "/team/", "Bob", "AIDAEXAMPLE")
	if u.ARN != "arn:aws:iam::111122223333:user/team/Bob" || u.Name != "Bob" || u.Path != "/team/" || u.Type != policy.User {
		t.Errorf("User = %+v", u)
	}
	if u.IsRoot("111122223333") {
		t.Error("a user is not root")
	}
	if c := u.Caller(); c.Type != policy.User || c.ARN != u.ARN || c.Account != "111122223333" || c.RoleARN != "" {
		t.Errorf("Caller = %+v", c)
	}
	s := authn.Principal{Type: policy.AssumedRole, Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/app/s1",
		Session: &authn.Session{Name: "s1", RoleARN: "arn:aws:iam::111122223333:role/app"}}
	if c := s.Caller(); c.RoleARN != "arn:aws:iam::111122223333:role/app" || c.Type != policy.AssumedRole {
		t.Errorf("session Caller = %+v", c)
	}
}

// TestGlobalKeys: the keys every request carries, and the session keys
// only temporary credentials carry (a long-term key has no
// aws:MultiFactorAuthPresent at all; a session without MFA has it
// false).
func TestGlobalKeys(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	get := func(r *authn.Request) map[string]string {
		c := policy.NewContext(nil)
		r.SetGlobalKeys(c)
		got := map[string]string{}
		for _, k := range []string{"aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport", "aws:SourceIp", "aws:RequestedRegion",
			"aws:userid", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TokenIssueTime", "aws:SourceIdentity"} {
			if v, ok := c.Get(k); ok {
				got[k] = v[0]
			}
		}
		return got
	}
	long := &authn.Request{Principal: authn.User("aws", "111122223333", "/", "bob", "AIDAEXAMPLE"), Time: at, SourceIP: "192.0.2.7", Secure: true, Region: "eu-west-1"}
	got := get(long)
	want := map[string]string{"aws:CurrentTime": "2026-12-04T10:00:00Z", "aws:EpochTime": "1796378400", "aws:SecureTransport": "true",
		"aws:SourceIp": "192.0.2.7", "aws:RequestedRegion": "eu-west-1", "aws:userid": "AIDAEXAMPLE"}
	if len(got) != len(want) {
		t.Errorf("long-term keys = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	sess := &authn.Request{Principal: authn.Principal{Type: policy.AssumedRole, UserID: "AROAEXAMPLE:s1",
		Session: &authn.Session{Issued: at.Add(-time.Hour), MFA: true, MFATime: at.Add(-90 * time.Second), SourceIdentity: "alice"}}, Time: at}
	got = get(sess)
	for k, v := range map[string]string{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "90",
		"aws:TokenIssueTime": "2026-12-04T09:00:00Z", "aws:SourceIdentity": "alice", "aws:SecureTransport": "false"} {
		if got[k] != v {
			t.Errorf("session %s = %q, want %q", k, got[k], v)
		}
	}
	sess.Session.MFA = false
	if got := get(sess); got["aws:MultiFactorAuthPresent"] != "false" || got["aws:MultiFactorAuthAge"] != "" {
		t.Errorf("session without MFA: %v", got)
	}
}
