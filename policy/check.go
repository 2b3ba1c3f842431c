package policy

import (
	"strings"

	"github.com/gatehouse/gatehouse/arn"
)

// Check reports the first reason AWS would reject the document where kind
// says it is attached, as an *Error with AWS's message; nil if none. The
// checks run in the order IAM runs them, so the message is the one AWS
// gives for a document with several faults.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func (d *Document) Check(kind Kind) error {
	// CreatePolicy (and so every customer managed policy and boundary)
	// takes only the current language version.
	if kind == Managed && d.Version != Version2012 {
		return malformed("Policy document must be version 2012-10-17 or greater.")
	}
	// Legacy parsing: condition values the old parser cannot read and
	// resources that are not ARN-shaped.
	for _, st := range d.Statements {
		for _, c := range st.Conditions {
			spec, ok := parseOperator(c.Operator)
			if !ok {
				if c.Key != "" || c.Values != nil {
					return syntaxError()
				}
				continue
			}
			if spec.op.fam == famDate {
				for _, v := range c.Values {
					if _, ok := parseDate(v); !ok {
						return legacyError()
					}
				}
			}
		}
		for _, list := range [2][]string{st.Resource, st.NotResource} {
			for _, r := range list {
				if r != "*" && strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
					return legacyError()
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
				return malformed("Statement IDs (SID) in a single policy must be unique.")
			}
		}
	}
	for _, st := range d.Statements {
		if len(st.Action) == 0 && len(st.NotAction) == 0 {
			return malformed("Policy statement must contain actions.")
		}
	}
	for _, st := range d.Statements {
		for _, list := range [2][]string{st.Resource, st.NotResource} {
			for _, r := range list {
				if msg := checkResource(r); msg != "" {
					return malformed(msg)
				}
			}
		}
	}
	for _, st := range d.Statements {
		for _, c := range st.Conditions {
			if c.Key != "" && !strings.Contains(c.Key, ":") {
				return malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
		}
		for _, list := range [2][]string{st.Action, st.NotAction} {
			for _, a := range list {
				if msg := checkAction(a); msg != "" {
					return malformed(msg)
				}
			}
		}
	}
	if kind.iamStored() {
		for _, st := range d.Statements {
			if !isAlnum(st.Sid) {
				return malformed("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
			}
		}
	}
	for _, st := range d.Statements {
		if err := checkPlace(st, kind); err != nil {
			return err
		}
	}
	for _, st := range d.Statements {
		for _, c := range st.Conditions {
			if c.Key == "" && c.Values == nil {
				continue
			}
			if _, err := compileCondition(c, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkPlace applies the rules of the place the policy is attached.
func checkPlace(st *Statement, kind Kind) error {
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	hasResource := st.Resource != nil || st.NotResource != nil
	switch kind {
	case Trust:
		if !hasPrincipal {
			return malformed("Missing required field Principal")
		}
		if hasResource {
			return malformed("Has prohibited field Resource.")
		}
		for _, a := range st.Action {
			if !trustAction(a) {
				return malformed("Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity")
			}
		}
	case Resource, Endpoint, RCP:
		if !hasPrincipal {
			return malformed("Missing required field Principal")
		}
		if !hasResource || len(st.Resource)+len(st.NotResource) == 0 {
			return malformed("Policy statement must contain resources.")
		}
	default:
		if hasPrincipal {
			return malformed("Policy document should not specify a principal.")
		}
		if !hasResource || len(st.Resource)+len(st.NotResource) == 0 {
			return malformed("Policy statement must contain resources.")
		}
	}
	for _, p := range []*Principal{st.Principal, st.NotPrincipal} {
		if p == nil {
			continue
		}
		if msg := checkPrincipal(p); msg != "" {
			return malformed(msg)
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

// checkResource returns AWS's message for a malformed Resource entry.
func checkResource(r string) string {
	if r == "*" {
		return ""
	}
	if strings.IndexByte(r, ':') < 0 {
		return "Resource " + r + " must be in ARN format or \"*\"."
	}
	var partsBuf [6]string
	parts := partsBuf[:0]
	for rest := r; ; {
		if len(parts) == 5 {
			parts = append(parts, rest)
			break
		}
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			parts = append(parts, rest)
			break
		}
		parts = append(parts, rest[:i])
		rest = rest[i+1:]
	}
	if len(parts) < 2 {
		return "Resource " + r + " must be in ARN format or \"*\"."
	}
	if len(parts) < 3 || parts[1] != "*" && !arn.IsPartition(parts[1]) && !strings.Contains(parts[1], "${") {
		// Missing segments are shown as "*"; present ones as they are.
		rest := parts[min(len(parts), 2):]
		if len(parts) == 6 {
			rest = []string{parts[2], parts[3], parts[4], parts[5]}
		}
		pad := [4]string{"*", "*", "*", "*"}
		for i, seg := range rest {
			if i == 0 && seg == "" && len(rest) == 1 {
				continue
			}
			pad[i] = seg
		}
		pt := ""
		if len(parts) > 1 {
			pt = parts[1]
		}
		return "Partition \"" + pt + "\" is not valid for resource \"arn:" + pt + ":" + pad[0] + ":" + pad[1] + ":" + pad[2] + ":" + pad[3] + "\"."
	}
	if parts[2] == "" || strings.ContainsAny(parts[2], "*?") {
		return "Resource vendor must be fully qualified and cannot contain regexes."
	}
	if len(parts) >= 4 && parts[3] != "" {
		switch parts[2] {
		case "iam":
			return "IAM resource " + r + " cannot contain region information."
		case "s3":
			// Buckets and objects have neither region nor account;
			// S3's regional resources (access points, access grants,
			// jobs) have both.
			if len(parts) < 5 || parts[4] == "" {
				return "Resource " + r + " can not contain region information."
			}
		}
	}
	return ""
}

// checkPrincipal returns AWS's message for an invalid principal.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func checkPrincipal(p *Principal) string {
	if p.Wildcard {
		return ""
	}
	if p.AWS == nil && p.Service == nil && p.Federated == nil && p.CanonicalUser == nil {
		return "Syntax errors in policy."
	}
	for _, v := range p.AWS {
		if !validAWSPrincipal(v) {
			return "Invalid principal in policy: \"AWS\":\"" + v + "\""
		}
	}
	for _, v := range p.Service {
		if v == "" || strings.ContainsAny(v, "?") || (v != "*" && strings.Contains(v, "*")) {
			return "Invalid principal in policy: \"SERVICE\":\"" + v + "\""
		}
	}
	for _, v := range p.Federated {
		if v == "" || strings.ContainsAny(v, "*?") {
			return "Invalid principal in policy: \"FEDERATED\":\"" + v + "\""
		}
	}
	for _, v := range p.CanonicalUser {
		if v == "" || strings.ContainsAny(v, "*?") {
			return "Invalid principal in policy: \"CANONICALUSER\":\"" + v + "\""
		}
	}
	return ""
}

func validAWSPrincipal(v string) bool {
	if v == "*" || isAccountID(v) {
		return true
	}
	if strings.ContainsAny(v, "*?") {
		return false
	}
	a, err := arn.Parse(v)
	if err != nil || !isAccountID(a.AccountID) || a.Region != "" {
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

func isAccountID(s string) bool {
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

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
