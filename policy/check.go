package policy

import (
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/arn"
)

// Check reports the first reason AWS would reject the document where kind
// says it is attached, as an *Error with AWS's message and the path of
// the element at fault; nil if none. The passes run in the order IAM runs
// them, so the message is the one AWS gives for a document with several
// faults:
//
//  1. the grammar (Parse): "Syntax errors in policy.";
//  2. the version of a managed policy (CreatePolicy, boundaries);
//  3. legacy parsing: an Effect not spelled Allow or Deny, a Date
//     condition value IAM cannot read, an ARN-shaped resource with "::"
//     and fewer than six fields; resources are read statement by
//     statement (every Resource element, then every NotResource element),
//     each element's entries in sorted order, and the first entry with a
//     format fault is kept; legacy parsing of resources stops there;
//  4. unique Sids; 5. every statement has actions; 6. every statement
//     has resources (not in a trust policy); 7. the kept resource fault;
//  8. action vendors (every Action, then every NotAction); 9. the rules
//     of the place (Sid characters, Principal, trust policy actions and
//     Resource); 10. condition values.
//
// The order of passes 1-7 and their messages are those recorded from IAM
// in getmoto/moto's tests/test_iam/test_iam_policies.py; the resource
// messages are also recorded in issues (see testdata/iam-errors.jsonl).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//
// Check accepts ARNs of every partition; CheckIn accepts, as IAM does,
// only "*" and the partition of the account the policy is stored in
// (in the China Regions IAM answers `Partition "aws" is not valid for
// resource "arn:aws:iam::…"`, terraform-aws-modules/terraform-aws-iam#39).
func (d *Document) Check(kind Kind) error { return d.CheckIn(kind, "") }

// CheckIn is Check for a policy stored in an account of partition ("aws",
// "aws-cn", ...; "" for any).
func (d *Document) CheckIn(kind Kind, partition string) error {
	if err := d.check(kind, partition); err != nil {
		return err
	}
	return nil
}

// CheckDocument parses data and checks it for kind as IAM does when it
// stores a policy in an account of partition ("" for any): the grammar,
// the size quota of the place (entity names the user, group or role for
// the message), then CheckIn. Invalid JSON is worded as the API of the
// place words it.
func CheckDocument(data []byte, kind Kind, entity, partition string) (*Document, error) {
	doc, err := Parse(data)
	if err != nil {
		return nil, kindError(err, kind)
	}
	if err := CheckSize(data, kind, entity); err != nil {
		return nil, err
	}
	if err := doc.CheckIn(kind, partition); err != nil {
		return nil, err
	}
	return doc, nil
}

func (d *Document) check(kind Kind, partition string) *Error {
	// CreatePolicy (and so every customer managed policy and boundary)
	// takes only the current language version.
	if kind == Managed && d.Version != Version2012 {
		if d.Version == "" {
			return malformedAt(msgVersion, nil)
		}
		return malformedAt(msgVersion, []PathElement{pv("Version")})
	}
	for i, st := range d.Statements {
		if st.badEffectCase {
			return legacyAt(stmtPath(i, pv("Effect"))...)
		}
		for _, c := range st.Conditions {
			spec, ok := parseOperator(c.Operator)
			if !ok || spec.op.fam != famDate {
				continue
			}
			for j, v := range c.Values {
				if _, ok := policyDate(v); !ok {
					return legacyAt(stmtPath(i, pv("Condition"), pv(c.Operator), pv(c.Key), pi(j))...)
				}
			}
		}
	}
	var resErr *Error
	for _, name := range [2]string{"Resource", "NotResource"} {
		for i, st := range d.Statements {
			list := st.Resource
			if name == "NotResource" {
				list = st.NotResource
			}
			if list == nil {
				continue
			}
			if resErr == nil {
				// The entries are read in sorted order: the fault kept is
				// that of the least faulty entry.
				bad, badMsg := -1, ""
				for j, r := range list {
					if msg := checkResource(r, partition); msg != "" && (bad < 0 || r < list[bad]) {
						bad, badMsg = j, msg
					}
				}
				if bad >= 0 {
					resErr = malformedAt(badMsg, stmtPath(i, pv(name), pi(bad)))
				}
			}
			if resErr == nil {
				for j, r := range list {
					if legacyResource(r) {
						return legacyAt(stmtPath(i, pv(name), pi(j))...)
					}
				}
			}
		}
	}
	for i, st := range d.Statements {
		if st.Sid == "" {
			continue
		}
		for _, prev := range d.Statements[:i] {
			if prev.Sid == st.Sid {
				return malformedAt("Statement IDs (SID) in a single policy must be unique.", stmtPath(i, pv("Sid")))
			}
		}
	}
	for i, st := range d.Statements {
		if len(st.Action) == 0 && len(st.NotAction) == 0 {
			switch {
			case st.Action != nil:
				return malformedAt(msgNoActions, stmtPath(i, pv("Action")))
			case st.NotAction != nil:
				return malformedAt(msgNoActions, stmtPath(i, pv("NotAction")))
			}
			return malformedAt(msgNoActions, stmtPath(i))
		}
	}
	if kind != Trust {
		for i, st := range d.Statements {
			if len(st.Resource) == 0 && len(st.NotResource) == 0 {
				return malformedAt(msgNoRes, resourcePath(i, st))
			}
		}
	}
	if resErr != nil {
		return resErr
	}
	for _, name := range [2]string{"Action", "NotAction"} {
		for i, st := range d.Statements {
			list := st.Action
			if name == "NotAction" {
				list = st.NotAction
			}
			for j, a := range list {
				if msg := checkAction(a); msg != "" {
					return malformedAt(msg, stmtPath(i, pv(name), pi(j)))
				}
			}
		}
	}
	if kind.StoredByIAM() {
		for i, st := range d.Statements {
			if !isAlnum(st.Sid) {
				return malformedAt("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
					stmtPath(i, pv("Sid")))
			}
		}
	}
	for i, st := range d.Statements {
		if err := checkPlace(i, st, kind); err != nil {
			return err
		}
	}
	for i, st := range d.Statements {
		for _, c := range st.Conditions {
			if c.Key == "" && c.Values == nil {
				continue
			}
			if _, err := compileCondition(c, false); err != nil {
				var pe *Error
				if errors.As(err, &pe) {
					at := *pe
					at.path = stmtPath(i, pv("Condition"), pv(c.Operator), pv(c.Key))
					if pe.Message == msgSyntax {
						// An operator IAM does not know.
						at.path = stmtPath(i, pv("Condition"), pk(c.Operator))
					}
					return &at
				}
				return syntaxAt(stmtPath(i, pv("Condition"), pv(c.Operator))...)
			}
		}
	}
	return nil
}

const (
	msgVersion   = "Policy document must be version 2012-10-17 or greater."
	msgNoActions = "Policy statement must contain actions."
	msgNoRes     = "Policy statement must contain resources."
)

// resourcePath is the path of the Resource or NotResource element of
// statement i, or of the statement when it has neither.
func resourcePath(i int, st *Statement) []PathElement {
	switch {
	case st.Resource != nil:
		return stmtPath(i, pv("Resource"))
	case st.NotResource != nil:
		return stmtPath(i, pv("NotResource"))
	}
	return stmtPath(i)
}

// legacyResource reports whether IAM's legacy parser fails on a resource:
// an ARN-like value with an empty field ("::") but fewer than six fields
// (arn:aws:s3::bucket), or an empty service field (arn:aws::x).
func legacyResource(r string) bool {
	if r == "*" {
		return false
	}
	if strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
		return true
	}
	parts := strings.SplitN(r, ":", 4)
	return len(parts) > 2 && parts[2] == ""
}

// checkPlace applies the rules of the place the policy is attached to
// statement i.
func checkPlace(i int, st *Statement, kind Kind) *Error {
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	hasResource := st.Resource != nil || st.NotResource != nil
	principalAt := func() []PathElement {
		if st.NotPrincipal != nil {
			return stmtPath(i, pv("NotPrincipal"))
		}
		return stmtPath(i, pv("Principal"))
	}
	switch kind {
	case Trust:
		if !hasPrincipal {
			return malformedAt("Missing required field Principal", stmtPath(i))
		}
		// moto's recorded order: the actions, then the Resource.
		for j, a := range st.Action {
			if !trustAction(a) {
				return malformedAt("Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity",
					stmtPath(i, pv("Action"), pi(j)))
			}
		}
		if hasResource {
			return malformedAt("Has prohibited field Resource.", resourcePath(i, st))
		}
	case Resource, Endpoint, RCP:
		if !hasPrincipal {
			return malformedAt("Missing required field Principal", stmtPath(i))
		}
	default:
		if hasPrincipal {
			return malformedAt("Policy document should not specify a principal.", principalAt())
		}
	}
	for _, el := range [2]struct {
		name string
		p    *Principal
	}{{"Principal", st.Principal}, {"NotPrincipal", st.NotPrincipal}} {
		if el.p == nil {
			continue
		}
		if msg, at := checkPrincipal(el.p); msg != "" {
			return malformedAt(msg, stmtPath(i, append([]PathElement{pv(el.name)}, at...)...))
		}
	}
	return nil
}

func trustAction(a string) bool {
	switch strings.ToLower(a) {
	case "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
		"sts:tagsession", "sts:setsourceidentity", "sts:setcontext", "sts:*", "*":
		return true
	}
	return false
}

// checkAction returns AWS's message for a malformed Action entry.
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	vendor, name, ok := strings.Cut(a, ":")
	if !ok {
		return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	}
	if strings.Contains(name, ":") {
		return "Actions/Condition can contain only one colon."
	}
	if vendor == "*" {
		return "" // moto's recorded validator lets "*:Action" through
	}
	for _, r := range vendor {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return "Vendor " + vendor + " is not valid"
		}
	}
	if vendor == "" {
		return "Vendor  is not valid"
	}
	return ""
}

// iamResourcePrefixes are the resource paths IAM accepts in an iam ARN
// besides "*" and "root", in the order of its message.
var iamResourcePrefixes = [...]string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// msgIAMPath is IAM's message for an iam ARN whose resource is none of
// those, as IAM words it now (it names root since the root-user tasks;
// recorded in 2026 on PutRolePolicy:
// https://github.com/hashicorp/terraform-provider-aws/issues — quoted in
// testdata/iam-errors.jsonl; earlier answers, as moto recorded them,
// lacked ", root").
const msgIAMPath = `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, ` +
	`instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`

// checkResource returns AWS's message for a malformed Resource entry, in
// the order IAM checks: ARN shape, partition ("*" or the account's; any
// known one when accountPartition is ""; never a policy variable:
// cloudera-labs/cloudera.exe#112), service, region (iam and s3), the iam
// resource path.
func checkResource(r, accountPartition string) string {
	if r == "*" {
		return ""
	}
	_, rest, ok := strings.Cut(r, ":") // the "arn" field itself is not checked
	if !ok {
		return "Resource " + r + ` must be in ARN format or "*".`
	}
	partition, afterPartition, hasService := strings.Cut(rest, ":")
	if partition != "*" && (accountPartition != "" && partition != accountPartition || !arn.IsPartition(partition)) {
		// The message shows the ARN as IAM read it, missing fields as
		// "*" and everything after the fifth field as the resource.
		rem := strings.Split(afterPartition, ":")
		field := func(i int) string {
			if i < len(rem) && (i > 0 || rem[0] != "" || len(rem) > 1) {
				return rem[i]
			}
			return "*"
		}
		resource := "*"
		if len(rem) > 3 {
			resource = strings.Join(rem[3:], ":")
		}
		return `Partition "` + partition + `" is not valid for resource "arn:` + partition + ":" + field(0) + ":" +
			field(1) + ":" + field(2) + ":" + resource + `".`
	}
	service, afterService, _ := strings.Cut(afterPartition, ":")
	if !hasService || strings.ContainsAny(service, "*?") {
		return "Resource vendor must be fully qualified and cannot contain regexes."
	}
	region, afterRegion, _ := strings.Cut(afterService, ":")
	account, resource, _ := strings.Cut(afterRegion, ":")
	switch service {
	case "iam":
		if region != "" || afterService == "" {
			return "IAM resource " + r + " cannot contain region information."
		}
		if resource == "*" || resource == "root" {
			return ""
		}
		for _, p := range iamResourcePrefixes {
			if strings.HasPrefix(resource, p) {
				return ""
			}
		}
		return msgIAMPath
	case "s3":
		// Buckets and objects have neither region nor account; S3's
		// regional resources (access points, access grants, jobs,
		// Storage Lens) have both, and AWS managed policies name them.
		if region != "" && account == "" {
			return "Resource " + r + " can not contain region information."
		}
	}
	return ""
}

// checkPrincipal returns AWS's message for an invalid principal and the
// path, below the element, of the value at fault.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func checkPrincipal(p *Principal) (string, []PathElement) {
	if p.Wildcard {
		return "", nil
	}
	if p.AWS == nil && p.Service == nil && p.Federated == nil && p.CanonicalUser == nil {
		return msgSyntax, nil
	}
	for j, v := range p.AWS {
		if !validAWSPrincipal(v) {
			return `Invalid principal in policy: "AWS":"` + v + `"`, []PathElement{pv("AWS"), pi(j)}
		}
	}
	for j, v := range p.Service {
		if v == "" || strings.ContainsAny(v, "?") || (v != "*" && strings.Contains(v, "*")) {
			return `Invalid principal in policy: "SERVICE":"` + v + `"`, []PathElement{pv("Service"), pi(j)}
		}
	}
	for j, v := range p.Federated {
		if v == "" || strings.ContainsAny(v, "*?") {
			return `Invalid principal in policy: "FEDERATED":"` + v + `"`, []PathElement{pv("Federated"), pi(j)}
		}
	}
	for j, v := range p.CanonicalUser {
		if v == "" || strings.ContainsAny(v, "*?") {
			return `Invalid principal in policy: "CANONICALUSER":"` + v + `"`, []PathElement{pv("CanonicalUser"), pi(j)}
		}
	}
	return "", nil
}

func validAWSPrincipal(v string) bool {
	if v == "*" || arn.IsAccountID(v) {
		return true
	}
	if strings.ContainsAny(v, "*?") {
		return false
	}
	a, err := arn.Parse(v)
	if err != nil || !arn.IsAccountID(a.AccountID) || a.Region != "" {
		return false
	}
	switch a.Service {
	case "iam":
		return a.Resource == "root" || strings.HasPrefix(a.Resource, "user/") || strings.HasPrefix(a.Resource, "role/")
	case "sts":
		return strings.HasPrefix(a.Resource, "assumed-role/") || strings.HasPrefix(a.Resource, "federated-user/")
	}
	return false
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
