package arn

import (
	"errors"
	"strings"
)

// ARN is a parsed Amazon Resource Name:
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. It is a comparable value;
// the zero ARN is "no ARN".
type ARN struct {
	Partition, Service, Region, AccountID, Resource string
}

// Sentinel errors, wrapped by *ParseError.
var (
	ErrMalformed        = errors.New("arn: malformed")
	ErrUnknownPartition = errors.New("arn: unknown partition")
)

// ParseError is an input that is not an ARN.
type ParseError struct {
	Input string
	Err   error
}

func (e *ParseError) Error() string { return e.Err.Error() + ": " + e.Input }

// Unwrap returns the sentinel.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse parses s. The resource is everything after the fifth colon and may
// itself hold colons and slashes.
func Parse(s string) (ARN, error) {
	segs, ok := Split(s)
	if !ok || segs[0] != "arn" || segs[2] == "" || segs[5] == "" {
		return ARN{}, &ParseError{Input: s, Err: ErrMalformed}
	}
	if !IsPartition(segs[1]) {
		return ARN{}, &ParseError{Input: s, Err: ErrUnknownPartition}
	}
	return ARN{Partition: segs[1], Service: segs[2], Region: segs[3], AccountID: segs[4], Resource: segs[5]}, nil
}

// MustParse is Parse that panics; for tests and tables.
func MustParse(s string) ARN {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// String returns the ARN's text ("" for the zero ARN).
func (a ARN) String() string {
	if a.IsZero() {
		return ""
	}
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// Build returns the text of the ARN
// arn:partition:service:region:account:resource whose resource is the
// parts written one after the other ("user", "/team/", "bob"), as
// String would write that ARN, in one allocation. The ARN builders
// generated from the Service Authorization Reference's ARN formats
// (awsapi/iamapi's UserARN, ...) write their ARNs with it.
func Build(partition, service, region, account string, resource ...string) string {
	n := len("arn:::::") + len(partition) + len(service) + len(region) + len(account)
	for _, r := range resource {
		n += len(r)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString("arn:")
	b.WriteString(partition)
	b.WriteByte(':')
	b.WriteString(service)
	b.WriteByte(':')
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteByte(':')
	for _, r := range resource {
		b.WriteString(r)
	}
	return b.String()
}

// ChangePartition returns the ARN text s in partition to when s is an
// ARN of partition from ("arn:aws:iam::111122223333:root" from aws to
// aws-cn is "arn:aws-cn:iam::111122223333:root"), and s itself
// otherwise, without allocating then.
func ChangePartition(s, from, to string) string {
	if from == to || len(s) < len("arn::")+len(from) || s[:4] != "arn:" || s[4:4+len(from)] != from || s[4+len(from)] != ':' {
		return s
	}
	return "arn:" + to + s[4+len(from):]
}

// IsZero reports whether a is the zero ARN.
func (a ARN) IsZero() bool { return a == ARN{} }

// Split splits s into its six colon-separated fields without allocating.
func Split(s string) (segs [6]string, ok bool) {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return segs, false
		}
		segs[i], s = s[:j], s[j+1:]
	}
	segs[5] = s
	return segs, true
}

var partitions = [...]string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// Partitions returns the partition IDs.
func Partitions() []string { return append([]string(nil), partitions[:]...) }

// IsPartition reports whether id is a partition.
func IsPartition(id string) bool {
	for _, p := range partitions {
		if p == id {
			return true
		}
	}
	return false
}

// PartitionForRegion returns the partition of a region.
func PartitionForRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"), strings.HasPrefix(region, "eu-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// IsAccountID reports whether s is an AWS account ID: twelve digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
