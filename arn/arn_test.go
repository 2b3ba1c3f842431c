package arn_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/arn"
)

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func TestParse(t *testing.T) {
	good := []struct {
		in   string
		want arn.ARN
	}{
		{"arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/Bob", arn.ARN{"aws", "iam", "", "111122223333", "user/division_abc/subdivision_xyz/Bob"}},
		{"arn:aws:s3:::my_corporate_bucket/exampleobject.png", arn.ARN{"aws", "s3", "", "", "my_corporate_bucket/exampleobject.png"}},
		{"arn:aws-cn:ec2:cn-north-1:111122223333:instance/i-1", arn.ARN{"aws-cn", "ec2", "cn-north-1", "111122223333", "instance/i-1"}},
		{"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:log-stream:s", arn.ARN{"aws", "logs", "us-east-1", "111122223333", "log-group:/aws/lambda/f:log-stream:s"}},
		{"arn:aws:sts::111122223333:assumed-role/Admin/session", arn.ARN{"aws", "sts", "", "111122223333", "assumed-role/Admin/session"}},
	}
	for _, p := range arn.Partitions() {
		good = append(good, struct {
			in   string
			want arn.ARN
		}{"arn:" + p + ":iam::111122223333:root", arn.ARN{p, "iam", "", "111122223333", "root"}})
	}
	for _, tc := range good {
		got, err := arn.Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
	bad := []struct {
		in   string
		want error
	}{
		{"", arn.ErrMalformed},
		{"arn:aws:s3", arn.ErrMalformed},
		{"urn:aws:s3:::b", arn.ErrMalformed},
		{"arn:aws::::x", arn.ErrMalformed},
		{"arn:aws:s3:::", arn.ErrMalformed},
		{"arn:awz:s3:::b", arn.ErrUnknownPartition},
	}
	for _, tc := range bad {
		_, err := arn.Parse(tc.in)
		var pe *arn.ParseError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) || pe.Input != tc.in {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, err, tc.want)
		}
	}
	if !(arn.ARN{}).IsZero() || (arn.ARN{}).String() != "" {
		t.Error("zero ARN")
	}
}

func TestPartitionForRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-3": "aws", "cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
		"eu-isoe-west-1": "aws-iso-e", "us-isof-south-1": "aws-iso-f", "eusc-de-east-1": "aws-eusc",
	} {
		if got := arn.PartitionForRegion(region); got != want {
			t.Errorf("PartitionForRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

// TestBuild: Build writes what String writes for the ARN with the
// parts as its resource, in one allocation.
func TestBuild(t *testing.T) {
	for _, tc := range []struct {
		partition, service, region, account string
		resource                            []string
		want                                string
	}{
		{"aws", "iam", "", "111122223333", []string{"user", "/team/", "bob"}, "arn:aws:iam::111122223333:user/team/bob"},
		{"aws-cn", "iam", "", "111122223333", []string{"root"}, "arn:aws-cn:iam::111122223333:root"},
		{"aws", "ec2", "*", "111122223333", []string{"instance/", "*"}, "arn:aws:ec2:*:111122223333:instance/*"},
		{"aws", "iam", "", "aws", []string{"role-template/", "ec2.amazonaws.com", "/", "t", ":", "1"}, "arn:aws:iam::aws:role-template/ec2.amazonaws.com/t:1"},
		{"aws", "s3", "", "", []string{"bucket"}, "arn:aws:s3:::bucket"},
		{"aws", "iam", "", "111122223333", nil, "arn:aws:iam::111122223333:"},
	} {
		got := arn.Build(tc.partition, tc.service, tc.region, tc.account, tc.resource...)
		if got != tc.want {
			t.Errorf("Build(%q, %q, %q, %q, %q) = %q, want %q", tc.partition, tc.service, tc.region, tc.account, tc.resource, got, tc.want)
		}
		if len(tc.resource) > 0 {
			a := arn.ARN{Partition: tc.partition, Service: tc.service, Region: tc.region, AccountID: tc.account, Resource: strings.Join(tc.resource, "")}
			if a.String() != got {
				t.Errorf("String() = %q, Build %q", a.String(), got)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { arn.Build("aws", "iam", "", "111122223333", "user", "/", "bob") }); n != 1 {
		t.Errorf("Build allocates %v times, want 1", n)
	}
}

func TestChangePartition(t *testing.T) {
	for _, tc := range []struct{ s, from, to, want string }{
		{"arn:aws:iam::111122223333:user/bob", "aws", "aws-cn", "arn:aws-cn:iam::111122223333:user/bob"},
		{"arn:aws-cn:iam::111122223333:user/bob", "aws-cn", "aws", "arn:aws:iam::111122223333:user/bob"},
		{"arn:aws-cn:iam::111122223333:user/bob", "aws", "aws-us-gov", "arn:aws-cn:iam::111122223333:user/bob"},
		{"arn:aws:iam::111122223333:user/bob", "aws", "aws", "arn:aws:iam::111122223333:user/bob"},
		{"arn:awsx:iam::1:x", "aws", "aws-cn", "arn:awsx:iam::1:x"},
		{"arn:aws:", "aws", "aws-cn", "arn:aws-cn:"},
		{"arn:aws", "aws", "aws-cn", "arn:aws"},
		{"ARN:aws:iam::1:x", "aws", "aws-cn", "ARN:aws:iam::1:x"},
		{"GADT1234", "aws", "aws-cn", "GADT1234"},
		{"", "aws", "aws-cn", ""},
	} {
		if got := arn.ChangePartition(tc.s, tc.from, tc.to); got != tc.want {
			t.Errorf("ChangePartition(%q, %q, %q) = %q, want %q", tc.s, tc.from, tc.to, got, tc.want)
		}
	}
	s := "arn:aws-cn:iam::111122223333:user/bob"
	if n := testing.AllocsPerRun(100, func() { arn.ChangePartition(s, "aws", "aws-us-gov") }); n != 0 {
		t.Errorf("ChangePartition of another partition allocates %v", n)
	}
}

func TestSplitDoesNotAllocate(t *testing.T) {
	s := "arn:aws:s3:::bucket/key"
	if n := testing.AllocsPerRun(100, func() { arn.Split(s) }); n != 0 {
		t.Errorf("Split allocates %v", n)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:user/x")
	f.Add("arn:aws:s3:::b/k:with:colons")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := arn.Parse(s)
		if err != nil {
			return
		}
		b, err := arn.Parse(a.String())
		if err != nil || a != b || a.String() != s {
			t.Fatalf("round trip %q -> %q (%v)", s, a.String(), err)
		}
	})
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{
		"111122223333": true, "000000000000": true,
		"": false, "11112222333": false, "1111222233334": false, "11112222333a": false, "aws": false, "*": false, "１１１１２２２２３３３３": false,
	} {
		if got := arn.IsAccountID(s); got != want {
			t.Errorf("IsAccountID(%q) = %v, want %v", s, got, want)
		}
	}
}
