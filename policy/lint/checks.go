package lint

import (
	"encoding/base64"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// checkStatement runs the checks on one statement's content.
func (l *linter) checkStatement(st *lstmt) {
	for _, list := range [2][]lval{st.actions, st.notActions} {
		for _, a := range list {
			l.checkAction(a)
		}
	}
	for _, list := range [2][]lval{st.resources, st.notRes} {
		for _, r := range list {
			l.checkResourceARN(r)
		}
	}
	for i := range st.conds {
		l.checkCondition(st, &st.conds[i])
	}
	if st.effect == "Allow" {
		l.permissive(st, "iam:passrole", passRoleChecks)
		l.permissive(st, "iam:createservicelinkedrole", createSLRChecks)
		if st.notPrinc.ok() {
			l.add("ALLOW_WITH_NOT_PRINCIPAL", "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.",
				join(st.path, pk("NotPrincipal")))
		}
		if l.kind == policy.Trust {
			l.trustPrincipals(st)
		}
	}
	l.redundant(st.actions, true)
	l.redundant(st.resources, false)
	if l.resourceType != "" {
		l.checkAttachment(st)
	}
}

// checkAction checks an Action or NotAction entry against the catalog.
func (l *linter) checkAction(a lval) {
	if a.s == "*" {
		return
	}
	svc, name, ok := strings.Cut(a.s, ":")
	if !ok || strings.Contains(name, ":") || svc == "" || strings.ContainsAny(svc, "*?") {
		return // IAM itself rejects these (Check)
	}
	s := l.cat.Service(svc)
	if s == nil {
		// Recorded wording: the whole action stands where the page
		// has the service ("The service elastic-inference:Connect
		// specified in the action does not exist.").
		l.add("INVALID_SERVICE_IN_ACTION", "The service "+a.s+" specified in the action does not exist.", a.path)
		return
	}
	if strings.ContainsAny(name, "*?") {
		if len(l.cat.MatchActions(a.s)) == 0 {
			l.add("INVALID_ACTION", "The action "+a.s+" does not exist.", a.path)
		}
		return
	}
	if s.Action(name) == nil {
		l.add("INVALID_ACTION", "The action "+a.s+" does not exist.", a.path)
	}
}

// permissiveCheck is one of the PassRole or CreateServiceLinkedRole
// checks: which issue code for which shape of statement, and its message.
type permissiveCheck struct {
	code, msg string
}

// The six shapes, in this order: literal action with NotResource, star
// action with NotResource, NotAction with NotResource, literal action with
// star resource, star action with star resource, NotAction with star
// resource.
var passRoleChecks = [6]permissiveCheck{
	{"PASS_ROLE_WITH_NOT_RESOURCE", "Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead."},
	{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead."},
	{"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you specify resource ARNs instead."},
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."},
	{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."},
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."},
}

var createSLRChecks = [6]permissiveCheck{
	{"CREATE_SLR_WITH_NOT_RESOURCE", "Using the iam:CreateServiceLinkedRole action with NotResource can allow creation of unintended service-linked roles for multiple resources. We recommend that you specify resource ARNs instead."},
	{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Using an action with a wildcard(*) and NotResource can allow creation of unintended service-linked roles because it can allow iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead."},
	{"CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Using NotAction with NotResource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead."},
	{"CREATE_SLR_WITH_STAR_IN_RESOURCE", "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead."},
	{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead."},
	{"CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Using a resource with wildcards (*) and NotAction can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead."},
}

// permissive reports an Allow statement that grants action (lower-case)
// on NotResource or on every resource. The locations are the action entry
// (or the NotAction element) and the resource entry (or the NotResource
// element), as recorded on the AWS managed policies.
func (l *linter) permissive(st *lstmt, action string, checks [6]permissiveCheck) {
	var actionAt path
	star, viaNotAction := false, false
	switch {
	case st.action.ok():
		for _, a := range st.actions {
			if a.s == "*" || strings.ContainsAny(a.s, "*?") && arn.GlobFold(a.s, action) {
				actionAt, star = a.path, true
				break
			}
			if strings.EqualFold(a.s, action) && actionAt == nil {
				actionAt = a.path
			}
		}
	case st.notAction.ok():
		for _, a := range st.notActions {
			if a.s == "*" || arn.GlobFold(a.s, action) {
				return // the statement excludes the action
			}
		}
		actionAt, viaNotAction = join(st.path, pv("NotAction")), true
	}
	if actionAt == nil {
		return
	}
	shape := 0 // literal action
	switch {
	case star:
		shape = 1
	case viaNotAction:
		shape = 2
	}
	if st.notResource.ok() {
		c := checks[shape]
		l.add(c.code, c.msg, actionAt, join(st.path, pv("NotResource")))
		return
	}
	for _, r := range st.resources {
		if starResource(r.s) {
			// A condition naming the service the role goes to (or the
			// service-linked role's service) answers the warning. The
			// rule is read off the findings recorded on the AWS managed
			// policies: any operator naming a service does
			// (StringEqualsIfExists lambda.amazonaws.com in
			// AWSRoboMakerServiceRolePolicy, StringLike
			// "ec2.amazonaws.com*" in AutoScalingServiceRolePolicy,
			// ForAnyValue:StringEquals in AmazonMacieHandshakeRole draw
			// none), a value that starts with a wildcard does not
			// ("*a4b.amazonaws.com" in AlexaForBusinessFullAccess draws
			// CREATE_SLR_WITH_STAR_IN_RESOURCE). Two recorded findings
			// escape the rule (AWSServiceRoleForAmazonEKSNodegroup,
			// AWSProtonCodeBuildProvisioningServiceRolePolicy).
			if action == "iam:passrole" && st.restricts("iam:PassedToService") ||
				action == "iam:createservicelinkedrole" && st.restricts("iam:AWSServiceName") {
				return
			}
			c := checks[3+shape]
			l.add(c.code, c.msg, actionAt, r.path)
			return
		}
	}
}

// starResource reports whether a resource entry covers every role (or
// every resource): "*", or an IAM ARN whose resource is only wildcards
// after an optional role prefix (arn:aws:iam::*:*, arn:aws:iam::*:role/*).
// A role name prefix (role/Service*) is not a star.
func starResource(r string) bool {
	if r == "*" {
		return true
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 6 || parts[2] != "iam" && parts[2] != "*" {
		return false
	}
	res := strings.TrimPrefix(parts[5], "role")
	return res != "" && strings.Trim(res, "/*") == "" && strings.Contains(res, "*")
}

// restricts reports whether the statement has a condition on key with a
// value that does not start with a wildcard.
func (st *lstmt) restricts(key string) bool {
	for _, c := range st.conds {
		if !c.known || !strings.EqualFold(c.key, key) {
			continue
		}
		for _, v := range c.values {
			if v.s != "" && v.s[0] != '*' && v.s[0] != '?' {
				return true
			}
		}
	}
	return false
}

// trustPrincipals applies the role trust policy checks on principals.
func (l *linter) trustPrincipals(st *lstmt) {
	if !st.principal.ok() {
		return
	}
	p := st.principal.val
	if p.Kind() == policy.NodeString && p.Text() == "*" {
		l.add("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", `"Principal:" "*" is not supported in the principal `+
			`element of a role trust policy. Replace the wildcard with a valid principal value.`, join(st.path, pv("Principal")))
		return
	}
	fed, ok := p.Lookup("Federated")
	if !ok {
		return
	}
	var names []string
	switch fed.Kind() {
	case policy.NodeString:
		names = append(names, fed.Text())
	case policy.NodeArray:
		for i := 0; i < fed.Len(); i++ {
			if it := fed.Item(i); it.Kind() == policy.NodeString {
				names = append(names, it.Text())
			}
		}
	}
	if len(names) == 0 {
		return
	}
	for _, a := range st.actions {
		if strings.EqualFold(a.s, "sts:AssumeRole") {
			// Recorded: the AWS CLI reference's example, a Cognito
			// trust policy with sts:AssumeRole.
			l.add("MISMATCHED_ACTION_FOR_PRINCIPAL", "The sts:AssumeRole action is invalid with the following principal(s): "+
				strings.Join(names, ", ")+". Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC "+
				"provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use "+
				"either of the two options.", a.path, join(st.path, pv("Principal"), pv("Federated")))
			return
		}
	}
}

// redundant reports entries of one Action (actions) or Resource element
// that other entries of it already cover. Each finding is one covering
// entry with the entries it covers, all located, in document order; its
// count is the number of entries so located and its example the longest
// covered entry (as recorded: "The 8 action(s) are redundant ... such
// as: ec2:DescribeReservedInstancesModifications" for ec2:Describe* and
// seven ec2:Describe... actions in SupportUser). An entry covers another
// when it is the same text, or when it has wildcards and matches all the
// other matches (actions ignoring case: ec2:Describe* covers
// ec2:describeIdentityIdFormat in SupportUser; two literal actions that
// differ in case are not reported).
func (l *linter) redundant(list []lval, actions bool) {
	if len(list) < 2 {
		return
	}
	cover := make([]int, len(list)) // the entry that covers it, or -1
	first := make(map[string]int, len(list))
	var wild []int
	for j, e := range list {
		cover[j] = -1
		if k, ok := first[e.s]; ok {
			cover[j] = k
			continue
		}
		first[e.s] = j
		if strings.ContainsAny(e.s, "*?") {
			wild = append(wild, j)
		}
	}
	if len(wild) > 0 {
		text := make([]string, len(list)) // what is matched: lower-case actions
		for j, e := range list {
			text[j] = e.s
			if actions {
				text[j] = strings.ToLower(e.s)
			}
		}
		covers := make([]func(string) bool, len(list))
		for _, w := range wild {
			s, lower := list[w].s, text[w]
			if actions {
				covers[w] = func(t string) bool { return s == "*" || arn.Glob(lower, t) }
			} else {
				covers[w] = func(t string) bool { return resourceCovers(s, t) }
			}
		}
		for j := range list {
			if cover[j] >= 0 {
				continue
			}
			for _, w := range wild {
				if w == j || !covers[w](text[j]) {
					continue
				}
				// Of two entries that cover each other, the first covers.
				if covers[j] != nil && covers[j](text[w]) && j < w {
					continue
				}
				cover[j] = w
				break
			}
		}
	}
	// Follow each cover to one that nothing covers.
	root := func(j int) int {
		for n := 0; cover[j] >= 0 && n < len(list); n++ {
			j = cover[j]
		}
		return j
	}
	groups := map[int][]int{}
	var order []int
	for j := range list {
		if cover[j] < 0 {
			continue
		}
		r := root(j)
		if _, ok := groups[r]; !ok {
			order = append(order, r)
		}
		groups[r] = append(groups[r], j)
	}
	for _, r := range order {
		members := append([]int{r}, groups[r]...)
		slices.Sort(members)
		example := ""
		paths := make([]path, len(members))
		for n, m := range members {
			paths[n] = list[m].path
			if m != r && len(list[m].s) > len(example) {
				example = list[m].s
			}
		}
		count := strconv.Itoa(len(members))
		if actions {
			l.add("REDUNDANT_ACTION", "The "+count+" action(s) are redundant because they provide similar permissions. "+
				"Update the policy to remove the redundant action such as: "+example+".", paths...)
		} else {
			l.add("REDUNDANT_RESOURCE", "The "+count+" resource ARN(s) are redundant because they reference the same "+
				"resource. Review the use of wildcards (*), or remove the resource "+example+" to remove the redundancy.", paths...)
		}
	}
}

// resourceCovers reports whether resource pattern a matches everything
// pattern b matches, as the Resource element matches (arn.Match: a *
// ending a field may run past colons): a is matched against b's text,
// b's wildcards standing for themselves.
func resourceCovers(a, b string) bool {
	if a == "*" {
		return true
	}
	if strings.Contains(b, "?") {
		return a == b
	}
	return arn.Match(a, b)
}

// redundantStatements reports statements that repeat another one
// (everything but the Sid equal).
func (l *linter) redundantStatements() {
	keys := make([]string, len(l.stmts))
	for i, st := range l.stmts {
		keys[i] = l.statementKey(st)
	}
	for i := range l.stmts {
		for j := 0; j < i; j++ {
			if keys[i] != "" && keys[i] == keys[j] {
				l.add("REDUNDANT_STATEMENT", "The statements are redundant because they provide identical permissions. "+
					"Update the policy to remove the redundant statement.", l.stmts[j].path, l.stmts[i].path)
				break
			}
		}
	}
}

// statementKey is the statement's text without its Sid, members sorted.
func (l *linter) statementKey(st *lstmt) string {
	var b strings.Builder
	var write func(v policy.Node)
	write = func(v policy.Node) {
		switch v.Kind() {
		case policy.NodeObject:
			names := make([]string, 0, v.Len())
			for i := 0; i < v.Len(); i++ {
				name, _ := v.Member(i)
				names = append(names, name)
			}
			slices.Sort(names)
			b.WriteByte('{')
			for _, n := range names {
				if v == st.node && n == "Sid" {
					continue
				}
				b.WriteString(strconv.Quote(n))
				b.WriteByte(':')
				val, _ := v.Lookup(n)
				write(val)
				b.WriteByte(',')
			}
			b.WriteByte('}')
		case policy.NodeArray:
			b.WriteByte('[')
			for i := 0; i < v.Len(); i++ {
				write(v.Item(i))
				b.WriteByte(',')
			}
			b.WriteByte(']')
		default:
			b.WriteString(strconv.Itoa(int(v.Kind())))
			b.WriteString(strconv.Quote(v.Text()))
		}
	}
	write(st.node)
	return b.String()
}

// checkCondition checks one key of one operator block.
func (l *linter) checkCondition(st *lstmt, c *lcond) {
	if !strings.Contains(c.key, ":") {
		l.add("INVALID_CONDITION_KEY_FORMAT", "The condition key format is not valid. Use the format service:keyname.", c.keyPath)
	} else {
		l.checkConditionKey(c)
	}
	if !c.known {
		return
	}
	op := c.spec
	if k := l.cat.ConditionKey(c.key); k != nil && strings.Contains(c.key, ":") {
		l.checkKeyType(c, k)
	}
	for _, v := range c.values {
		if strings.Contains(v.s, "${") && !op.Variables && op.Type != policy.BoolOperator {
			l.add("INVALID_VARIABLE_FOR_OPERATOR", "Policy variables can only be used with String and ARN operators.", v.path)
			return
		}
	}
	switch op.Type {
	case policy.BoolOperator:
		for _, v := range c.values {
			if !strings.EqualFold(v.s, "true") && !strings.EqualFold(v.s, "false") && !strings.Contains(v.s, "${") {
				l.add("TYPE_MISMATCH_BOOLEAN", "Add a valid Boolean value (true or false) for the condition operator "+c.op+".", v.path)
			}
		}
		if len(c.values) > 1 && op.Set == 0 {
			l.add("INVALID_CONDITION_MULTIPLE_BOOLEAN", "The condition key does not support multiple Boolean values. Use a single Boolean value.", c.valPath)
		}
	case policy.NumericOperator:
		for _, v := range c.values {
			if !op.Accepts(v.s) {
				l.add("TYPE_MISMATCH_NUMBER", "Add a valid numeric value for the condition operator "+c.op+".", v.path)
				return
			}
		}
		// One value of several decides: the greatest for the LessThan
		// operators, the least for the GreaterThan ones.
		word := ""
		switch {
		case strings.HasPrefix(op.Base, "NumericLessThan"):
			word = "greatest"
		case strings.HasPrefix(op.Base, "NumericGreaterThan"):
			word = "least"
		}
		if len(c.values) > 1 && op.Set == 0 && word != "" {
			l.add("REDUNDANT_CONDITION_VALUE_NUM", "Multiple values in "+c.op+" are redundant. Replace with the "+word+
				" single value for "+c.key+".", c.valPath)
		}
	case policy.DateOperator:
		for _, v := range c.values {
			if !op.Accepts(v.s) {
				l.add("TYPE_MISMATCH_DATE", "The date condition operator is used with an invalid value. Specify a valid date "+
					"using YYYY-MM-DD or other ISO 8601 date/time format.", v.path)
			} else if allDigits(v.s) {
				l.add("INVALID_DATE_VALUE", "The date "+v.s+" might not resolve as expected. We recommend that you use the "+
					"YYYY-MM-DD format.", v.path)
			}
		}
	case policy.IPAddressOperator:
		l.checkIPs(c)
	case policy.BinaryOperator:
		for _, v := range c.values {
			if _, err := base64.StdEncoding.DecodeString(v.s); err != nil {
				l.add("TYPE_MISMATCH_STRING", "Add a valid base64-encoded string value for the condition operator "+c.op+".", v.path)
			}
		}
	case policy.StringOperator:
		if !op.Like {
			for _, v := range c.values {
				if strings.ContainsAny(withoutVariables(v.s), "*?") {
					l.add("WILDCARD_WITHOUT_LIKE_OPERATOR", "Your condition value includes a * or ? character. If you meant "+
						"to use a wildcard (*, ?), update the condition operator to include Like.", v.path)
					break
				}
			}
		}
		if op.Like && op.Set == 0 && !op.IfExists && len(c.values) == 1 && c.values[0].s == "*" {
			// Recorded on the AWS managed policies (StringLike only).
			truth := "false"
			code := "EQUIVALENT_TO_NULL_FALSE"
			if op.Negated {
				truth, code = "true", "EQUIVALENT_TO_NULL_TRUE"
			}
			l.add(code, "We recommend replacing the key "+c.key+" in the condition block of "+c.op+" with {"+c.key+
				": "+truth+"} to ensure better enforcement of the condition.", c.values[0].path)
		}
	}
}

// allDigits reports whether s is a non-empty run of decimal digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// withoutVariables removes ${...} from a value (${*} and ${?} stand for
// the characters themselves).
func withoutVariables(s string) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+1:]
	}
}

// checkConditionKey checks a key with a vendor prefix against the
// catalog.
func (l *linter) checkConditionKey(c *lcond) {
	if l.cat.ConditionKey(c.key) != nil {
		return
	}
	prefix, _, _ := strings.Cut(c.key, ":")
	if !strings.EqualFold(prefix, "aws") && l.cat.Service(prefix) == nil {
		// Recorded: "The service drs does not exist. Use a valid service
		// name." on the condition key drs:EC2InstanceARN.
		l.add("INVALID_SERVICE", "The service "+prefix+" does not exist. Use a valid service name.", c.keyPath)
		return
	}
	if strings.EqualFold(prefix, "aws") {
		l.add("INVALID_GLOBAL_CONDITION_KEY", "The condition key "+c.key+" does not exist. Use a valid condition key.", c.keyPath)
		return
	}
	l.add("INVALID_SERVICE_CONDITION_KEY", "The condition key "+c.key+" does not exist in the service "+prefix+
		". Use a valid condition key.", c.keyPath)
}

// opFamilyName is the operator's type as Access Analyzer's TYPE_MISMATCH
// message names it ("operator string", recorded).
func opFamilyName(f policy.OperatorType) string {
	switch f {
	case policy.StringOperator:
		return "string"
	case policy.NumericOperator:
		return "numeric"
	case policy.DateOperator:
		return "date"
	case policy.BoolOperator:
		return "boolean"
	case policy.BinaryOperator:
		return "binary"
	case policy.IPAddressOperator:
		return "ipaddress"
	case policy.ARNOperator:
		return "arn"
	}
	return "null"
}

// keyTypeName is a key's type as the messages name it ("Boolean", "ARN",
// recorded).
func keyTypeName(t catalog.KeyType) string {
	switch t.Elem() {
	case catalog.Bool:
		return "Boolean"
	case catalog.ARN:
		return "ARN"
	case catalog.Numeric:
		return "Numeric"
	case catalog.Date:
		return "Date"
	case catalog.IPAddress:
		return "IPAddress"
	}
	return "String"
}

// fits reports whether an operator family can compare a key's type.
func fits(f policy.OperatorType, t catalog.KeyType) bool {
	if f == policy.NullOperator {
		return true
	}
	switch t.Elem() {
	case catalog.String:
		// ARN operators on String keys (kms:EncryptionContext:...,
		// aws:RequestTag/...) draw no finding on the AWS managed
		// policies that use them.
		return f == policy.StringOperator || f == policy.ARNOperator
	case catalog.ARN:
		return f == policy.ARNOperator || f == policy.StringOperator
	case catalog.Bool:
		return f == policy.BoolOperator
	case catalog.Numeric:
		return f == policy.NumericOperator
	case catalog.Date:
		return f == policy.DateOperator
	case catalog.IPAddress:
		return f == policy.IPAddressOperator
	}
	return true
}

// checkKeyType checks the operator and set operator against the key's
// type.
func (l *linter) checkKeyType(c *lcond, k *catalog.ConditionKey) {
	op := c.spec
	if k.Type == 0 {
		return
	}
	ok := fits(op.Type, k.Type)
	for _, alt := range k.AlternateTypes {
		ok = ok || fits(op.Type, alt)
	}
	switch {
	case !ok:
		l.add("TYPE_MISMATCH", "Use the operator type "+keyTypeName(k.Type)+" instead of operator "+opFamilyName(op.Type)+
			" for the condition key "+c.key+".", c.keyPath)
	case op.Type == policy.StringOperator && op.Like && k.Type.Elem() == catalog.ARN:
		l.add("STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "Use the operator type ARN instead of operator string for "+
			"the condition key "+c.key+".", c.keyPath)
	}
	if op.Type == policy.NullOperator {
		return
	}
	switch {
	case k.Type.IsArray() && op.Set == 0:
		l.add("MISSING_QUALIFIER", "The request context key "+c.key+" has multiple values. Use the ForAllValues or "+
			"ForAnyValue condition key qualifiers in your policy.", c.keyPath)
	case !k.Type.IsArray() && op.Set == policy.ForAllValues:
		l.add("FORALLVALUES_WITH_SINGLE_VALUED_KEY", "Using ForAllValues qualifier with the single-valued condition key "+
			c.key+" can be overly permissive. We recommend that you remove ForAllValues:.", c.keyPath)
	}
}

// privatePrefixes are the private ranges aws:SourceIp never sees.
var privatePrefixes = [...]netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
}

func isPrivate(p netip.Prefix) bool {
	for _, r := range privatePrefixes {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// ipPrefix is the range an IpAddress value that IAM accepts
// (policy.Operator.Accepts) stands for: a CIDR block, masked, or one
// address.
func ipPrefix(s string) netip.Prefix {
	if strings.Contains(s, "/") {
		p, _ := netip.ParsePrefix(s)
		return p.Masked()
	}
	a, _ := netip.ParseAddr(s)
	return netip.PrefixFrom(a, a.BitLen())
}

// checkIPs checks the values of an IpAddress or NotIpAddress condition.
func (l *linter) checkIPs(c *lcond) {
	private, public := 0, 0
	for _, v := range c.values {
		if strings.Contains(v.s, "/") {
			p, err := netip.ParsePrefix(v.s)
			if err == nil && p.Masked() != p {
				l.add("IMPROVE_IP_RANGE", "The non-zero bits in the IP address after the masked bits are ignored. Replace "+
					"address with "+p.Masked().String()+".", v.path)
			}
		}
		if !c.spec.Accepts(v.s) {
			l.add("TYPE_MISMATCH_IP_RANGE", "The condition operator "+c.op+" is used with an invalid IP range value. Specify "+
				"the IP range in standard CIDR format.", v.path)
			continue
		}
		if isPrivate(ipPrefix(v.s)) {
			private++
		} else {
			public++
		}
	}
	if !strings.EqualFold(c.key, "aws:SourceIp") || private == 0 {
		return
	}
	negated := c.spec.Negated
	switch {
	case public == 0 && !negated:
		l.add("PRIVATE_IP_ADDRESS", "aws:SourceIp works only for public IP address ranges. The values for condition key "+
			"aws:SourceIp include only private IP addresses and will not have the desired effect. Update the value to "+
			"include only public IP addresses.", c.valPath)
	case public == 0:
		l.add("PRIVATE_NOT_IP_ADDRESS", "The values for condition key aws:SourceIp include only private IP addresses and "+
			"has no effect. aws:SourceIp works only for public IP address ranges. Update the value to include only public "+
			"IP addresses.", c.valPath)
	case !negated:
		l.add("PRIVATE_IP_ADDRESS_SUBSET", "The values for condition key aws:SourceIp include a mix of private and public "+
			"IP addresses. The private addresses will not have the desired effect. aws:SourceIp works only for public IP "+
			"address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.", c.valPath)
	default:
		l.add("PRIVATE_NOT_IP_ADDRESS_SUBSET", "The values for condition key aws:SourceIp include a mix of private and "+
			"public IP addresses. The private addresses have no effect. aws:SourceIp works only for public IP address "+
			"ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.", c.valPath)
	}
}
