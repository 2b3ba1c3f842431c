package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/awsapi/iamapi"
)

// sizes is what one account holds, counted as AWS's quotas count: users
// and groups include the bootstrapped admin and Admins.
type sizes struct {
	Users, Groups, Roles, Policies int
	// PolicyChars is the size of the largest customer managed policy
	// document (AWS's quota: 6,144 characters without whitespace).
	PolicyChars int
	// GroupsPerUser is the most groups a user is in (AWS: 10); user i
	// is in 1 + i%GroupsPerUser of them.
	GroupsPerUser int
	// ReadOnlyEvery is how often a group attaches ReadOnlyAccess: every
	// ReadOnlyEvery-th group does (0: none); the others attach
	// AmazonS3ReadOnlyAccess or CloudWatchReadOnlyAccess.
	ReadOnlyEvery int
}

// The AWS managed policies the layout attaches.
const (
	readOnlyAccess   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	s3ReadOnly       = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
	cloudWatchRead   = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"
	changePassword   = "arn:aws:iam::aws:policy/IAMUserChangePassword"
	lambdaBasicExec  = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	groupManaged     = 3 // customer managed policies per group
	roleManaged      = 2 // per role
	inlineUserChars  = 600
	inlineGroupChars = 1500
	inlineRoleChars  = 2500
)

func policyName(i int) string { return fmt.Sprintf("pol-%04d", i) }
func groupName(i int) string  { return fmt.Sprintf("group-%03d", i) }
func userName(i int) string   { return fmt.Sprintf("user-%04d", i) }
func roleName(i int) string   { return fmt.Sprintf("role-%04d", i) }

func policyARN(account string, i int) string {
	return iamapi.PolicyARN("aws", account, "/", policyName(i))
}

// step is one request of the build: an operation and its parameters.
type step struct{ op, params string }

// job is the steps of one entity, sent in order by one client (two
// writes to one record at once would only conflict).
type job []step

// phase is one operation of the build across an account.
type phase struct {
	op   string
	jobs []job
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// phases returns the build of account at sz, one phase per operation,
// in an order that makes each entity before what names it. The users'
// access keys are made by their own phase (their secrets are kept).
func phases(account string, sz sizes) []phase {
	groups := max(sz.Groups-1, 0) // Admins is the bootstrap's
	users := max(sz.Users-1, 0)   // and admin
	var ps []phase
	add := func(op string, n int, fn func(i int) job) {
		p := phase{op: op}
		for i := range n {
			if j := fn(i); len(j) > 0 {
				p.jobs = append(p.jobs, j)
			}
		}
		ps = append(ps, p)
	}
	add("CreatePolicy", sz.Policies, func(i int) job {
		return job{{"CreatePolicy", form("PolicyName", policyName(i), "PolicyDocument", document(account, i, policyChars(i, sz.PolicyChars)))}}
	})
	add("CreateGroup", groups, func(i int) job { return job{{"CreateGroup", form("GroupName", groupName(i))}} })
	add("AttachGroupPolicy", groups, func(i int) job {
		var j job
		for k := range min(groupManaged, sz.Policies) {
			j = append(j, step{"AttachGroupPolicy", form("GroupName", groupName(i), "PolicyArn", policyARN(account, (i*groupManaged+k)%sz.Policies))})
		}
		aws := [...]string{s3ReadOnly, cloudWatchRead}[i%2]
		if sz.ReadOnlyEvery > 0 && i%sz.ReadOnlyEvery == 0 {
			aws = readOnlyAccess
		}
		return append(j, step{"AttachGroupPolicy", form("GroupName", groupName(i), "PolicyArn", aws)})
	})
	add("PutGroupPolicy", groups, func(i int) job {
		if i%2 != 0 {
			return nil
		}
		return job{{"PutGroupPolicy", form("GroupName", groupName(i), "PolicyName", "inline", "PolicyDocument", document(account, 100000+i, inlineGroupChars))}}
	})
	add("CreateUser", users, func(i int) job { return job{{"CreateUser", form("UserName", userName(i))}} })
	add("AddUserToGroup", users, func(i int) job {
		var j job
		for _, g := range userGroups(i, groups, sz.GroupsPerUser) {
			j = append(j, step{"AddUserToGroup", form("GroupName", groupName(g), "UserName", userName(i))})
		}
		return j
	})
	add("AttachUserPolicy", users, func(i int) job {
		var j job
		if i%4 == 0 && sz.Policies > 0 {
			j = append(j, step{"AttachUserPolicy", form("UserName", userName(i), "PolicyArn", policyARN(account, (i*13)%sz.Policies))})
		}
		if i%10 == 0 {
			j = append(j, step{"AttachUserPolicy", form("UserName", userName(i), "PolicyArn", changePassword)})
		}
		return j
	})
	add("PutUserPolicy", users, func(i int) job {
		if i%5 != 0 {
			return nil
		}
		return job{{"PutUserPolicy", form("UserName", userName(i), "PolicyName", "inline", "PolicyDocument", document(account, 200000+i, inlineUserChars))}}
	})
	add("CreateRole", sz.Roles, func(i int) job {
		return job{{"CreateRole", form("RoleName", roleName(i), "AssumeRolePolicyDocument", trustPolicy(account, i))}}
	})
	add("AttachRolePolicy", sz.Roles, func(i int) job {
		var j job
		for k := range min(roleManaged, sz.Policies) {
			j = append(j, step{"AttachRolePolicy", form("RoleName", roleName(i), "PolicyArn", policyARN(account, (i*7+k*101)%sz.Policies))})
		}
		aws := [...]string{s3ReadOnly, lambdaBasicExec, readOnlyAccess, cloudWatchRead}[i%4]
		return append(j, step{"AttachRolePolicy", form("RoleName", roleName(i), "PolicyArn", aws)})
	})
	add("PutRolePolicy", sz.Roles, func(i int) job {
		if i%3 != 0 {
			return nil
		}
		return job{{"PutRolePolicy", form("RoleName", roleName(i), "PolicyName", "inline", "PolicyDocument", document(account, 300000+i, inlineRoleChars))}}
	})
	return ps
}

// userGroups returns the groups of user i: 1 + i%perUser distinct ones
// of n.
func userGroups(i, n, perUser int) []int {
	if n == 0 || perUser == 0 {
		return nil
	}
	want := min(1+i%perUser, n)
	seen := make(map[int]bool, want)
	var gs []int
	for k := 0; len(gs) < want; k++ {
		g := (i*7 + k*37) % n
		if seen[g] {
			g = (g + k) % n
			for seen[g] {
				g = (g + 1) % n
			}
		}
		seen[g] = true
		gs = append(gs, g)
	}
	return gs
}

// policyChars is the size of customer managed policy i: a fifth at the
// largest, the rest spread between 800 characters and it.
func policyChars(i, largest int) int {
	if i%5 == 0 || largest <= 800 {
		return largest
	}
	return 800 + (i*997)%(largest-800)
}

func trustPolicy(account string, i int) string {
	if i%2 == 0 {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn.Build("aws", "iam", "", account, "root") +
		`"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
}

// services are the statements' shapes: a service's actions and a
// resource pattern with the bucket, table or queue number as %d.
var services = []struct {
	actions  []string
	resource string
}{
	{[]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:List*"}, "arn:aws:s3:::bucket-%d/team-%d/*"},
	{[]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"}, "arn:aws:dynamodb:us-east-1:ACCOUNT:table/table-%d-%d"},
	{[]string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, "arn:aws:sqs:us-east-1:ACCOUNT:queue-%d-%d"},
	{[]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"}, "arn:aws:kms:us-east-1:ACCOUNT:key/%08d-0000-4000-8000-%012d"},
	{[]string{"ec2:Describe*", "ec2:StartInstances", "ec2:StopInstances"}, "arn:aws:ec2:us-east-1:ACCOUNT:instance/i-%08x%09x"},
	{[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:Get*"}, "arn:aws:logs:us-east-1:ACCOUNT:log-group:/app/%d/%d:*"},
	{[]string{"lambda:InvokeFunction", "lambda:GetFunction"}, "arn:aws:lambda:us-east-1:ACCOUNT:function:fn-%d-%d"},
	{[]string{"secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters"}, "arn:aws:ssm:us-east-1:ACCOUNT:parameter/app/%d/%d/*"},
}

// document returns an identity policy of about chars characters (never
// more; no whitespace, which IAM would not count), different for each
// seed: statements of real actions on the account's resources, every
// third with a condition.
func document(account string, seed, chars int) string {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for n := 0; ; n++ {
		s := statement(account, seed, n)
		if n > 0 {
			s = "," + s
		}
		if b.Len()+len(s)+2 > chars && n > 0 {
			break
		}
		b.WriteString(s)
	}
	b.WriteString("]}")
	return b.String()
}

func statement(account string, seed, n int) string {
	svc := services[(seed+n)%len(services)]
	var b strings.Builder
	fmt.Fprintf(&b, `{"Sid":"S%d","Effect":"Allow","Action":[`, n)
	for k, a := range svc.actions[:1+(seed+n)%len(svc.actions)] {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + a + `"`)
	}
	b.WriteString(`],"Resource":[`)
	res := strings.ReplaceAll(svc.resource, "ACCOUNT", account)
	for k := range 1 + n%3 {
		if k > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"`+res+`"`, seed%1000, n*3+k)
	}
	b.WriteString("]")
	switch n % 3 {
	case 1:
		b.WriteString(`,"Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`)
	case 2:
		fmt.Fprintf(&b, `,"Condition":{"IpAddress":{"aws:SourceIp":["10.%d.0.0/16","192.168.%d.0/24"]}}`, seed%256, n%256)
	}
	b.WriteString("}")
	return b.String()
}
