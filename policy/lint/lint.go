package lint

import (
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// The linter: IAM Access Analyzer's policy checks that need no account
// data.
//
// The linter reads the document as written (policy.Tree), not the
// policy.Document, so that it can report on documents IAM rejects (as
// Access Analyzer does) and place every finding. Issue codes, finding types and messages are those of the
// policy check reference,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// and, where the service words a message differently from the page, of
// findings recorded from ValidatePolicy: the AWS CLI reference's example
// (https://awscli.amazonaws.com/v2/documentation/api/latest/reference/accessanalyzer/validate-policy.html)
// and the findings on every AWS managed policy that zoph-io/MAMIP
// records daily (findings/*.json); lint_test.go cites each.

// linter holds one run.
type linter struct {
	tree *policy.Tree
	kind policy.Kind
	cat  *catalog.Catalog
	size int // policy.PolicySize
	// resourceType is the resource a resource-based policy is attached
	// to (Options.ResourceType).
	resourceType string
	arns         func() *arnIndex // the catalog's ARN formats, built once per Validator
	out          []Finding

	hasVersion bool
	stmts      []*lstmt
}

// path is a path through the JSON of the document, a list of steps.
type (
	path = []step
	step = policy.PathElement
)

// pv, pk and pi are the steps of a path: a member's value, a member's
// name, an array item.
func pv(name string) step { return step{Kind: policy.PathValue, Name: name} }
func pk(name string) step { return step{Kind: policy.PathKey, Name: name} }
func pi(i int) step       { return step{Kind: policy.PathIndex, Index: i} }

// stmtPath is the path of statement i.
func stmtPath(i int) path { return path{pv("Statement"), pi(i)} }

// lval is a string value of the document and where it is.
type lval struct {
	s    string
	path path
}

// member is an object member: its name and value. The zero member is
// none.
type member struct {
	name string
	val  policy.Node
}

func (m member) ok() bool { return m.val.Kind() != 0 }

// lstmt is a statement as the linter reads it: what is there, leniently.
type lstmt struct {
	i    int
	node policy.Node
	path path

	sid                   policy.Node // the zero Node when absent
	effect                string      // "Allow" or "Deny" exactly; "" otherwise
	action, notAction     member
	actions, notActions   []lval
	resource, notResource member
	resources, notRes     []lval
	principal, notPrinc   member
	condition             member
	conds                 []lcond
}

// lcond is one key of one operator block.
type lcond struct {
	op      string
	spec    policy.Operator
	known   bool
	key     string
	opPath  path   // the operator's block
	keyPath path   // the key itself (a PathKey)
	valPath path   // the key's value
	values  []lval // strings, numbers and booleans as text
	kinds   []policy.NodeKind
}

func (l *linter) add(code, msg string, paths ...path) {
	locs := make([]policy.Location, len(paths))
	for i, p := range paths {
		locs[i] = l.tree.Locate(p)
	}
	if len(locs) == 0 {
		locs = []policy.Location{l.tree.Locate(nil)}
	}
	l.out = append(l.out, newFinding(code, msg, locs...))
}

func join(p path, more ...step) path {
	out := make(path, 0, len(p)+len(more))
	return append(append(out, p...), more...)
}

func (l *linter) run(top policy.Node) {
	if top.Kind() != policy.NodeObject {
		l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), nil)
		return
	}
	var stmts member
	for mi := 0; mi < top.Len(); mi++ {
		key, val := top.Member(mi)
		switch key {
		case "Version":
			l.hasVersion = true
			switch {
			case val.Kind() != policy.NodeString:
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), path{pv("Version")})
			case val.Text() != policy.Version2012 && val.Text() != policy.Version2008:
				l.add("INVALID_VERSION", "The version "+val.Text()+" is not valid. Use one of the following versions: "+
					policy.Version2012+", "+policy.Version2008, path{pv("Version")})
			}
		case "Id":
			if val.Kind() != policy.NodeString {
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), path{pv("Id")})
			}
		case "Statement":
			stmts = member{key, val}
		default:
			l.add("INVALID_POLICY_ELEMENT", "The policy element "+key+" is not valid.", path{pk(key)})
		}
	}
	if !l.hasVersion {
		l.add("MISSING_VERSION", "We recommend that you specify the Version element to help you with debugging permission issues.", nil)
	}
	switch v := stmts.val; {
	case !stmts.ok():
		l.add("MISSING_STATEMENT", "Add a statement to the policy", nil)
		return
	case v.Kind() == policy.NodeObject:
		l.statement(0, v)
	case v.Kind() == policy.NodeArray:
		if v.Len() == 0 {
			l.add("MISSING_STATEMENT", "Add a statement to the policy", path{pv("Statement")})
		}
		for i := 0; i < v.Len(); i++ {
			if it := v.Item(i); it.Kind() != policy.NodeObject {
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), stmtPath(i))
			} else {
				l.statement(i, it)
			}
		}
	default:
		l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Array"), path{pv("Statement")})
	}
	l.sids()
	for _, st := range l.stmts {
		l.checkStatement(st)
	}
	l.redundantStatements()
	l.policySize()
}

// dataTypeMessage is DATA_TYPE_MISMATCH's message; the page writes the
// type as {{data_type}}, here the JSON type expected.
func dataTypeMessage(t string) string {
	return "The text does not match the expected JSON data type " + t + "."
}

// strings reads a string-or-list element, reporting wrong types.
func (l *linter) strings(m member, at path) []lval {
	switch v := m.val; v.Kind() {
	case policy.NodeString:
		return []lval{{s: v.Text(), path: at}}
	case policy.NodeArray:
		out := make([]lval, 0, v.Len())
		for j := 0; j < v.Len(); j++ {
			it := v.Item(j)
			if it.Kind() != policy.NodeString {
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), join(at, pi(j)))
				continue
			}
			out = append(out, lval{s: it.Text(), path: join(at, pi(j))})
		}
		return out
	}
	l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), at)
	return nil
}

func (l *linter) statement(i int, v policy.Node) {
	st := &lstmt{i: i, node: v, path: stmtPath(i)}
	l.stmts = append(l.stmts, st)
	for mi := 0; mi < v.Len(); mi++ {
		key, val := v.Member(mi)
		m := member{key, val}
		at := join(st.path, pv(key))
		switch key {
		case "Sid":
			st.sid = val
			switch {
			case val.Kind() != policy.NodeString:
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), at)
			case val.Text() == "":
				// Recorded: the AWS CLI reference's example.
				l.add("EMPTY_SID_VALUE", "Add a value to the empty string in the Sid element.", at)
			}
		case "Effect":
			switch {
			case val.Kind() != policy.NodeString:
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), at)
			case val.Text() == "Allow" || val.Text() == "Deny":
				st.effect = val.Text()
			default:
				l.add("INVALID_EFFECT", "The effect "+val.Text()+" is not valid. Use Allow or Deny.", at)
			}
		case "Action":
			st.action, st.actions = m, l.strings(m, at)
		case "NotAction":
			st.notAction, st.notActions = m, l.strings(m, at)
		case "Resource":
			st.resource, st.resources = m, l.strings(m, at)
		case "NotResource":
			st.notResource, st.notRes = m, l.strings(m, at)
		case "Principal":
			st.principal = m
			l.principalElement(m, at)
		case "NotPrincipal":
			st.notPrinc = m
			l.principalElement(m, at)
		case "Condition":
			st.condition = m
			l.conditionElement(st, m, at)
		default:
			l.add("INVALID_POLICY_ELEMENT", "The policy element "+key+" is not valid.", join(st.path, pk(key)))
		}
	}
	for _, pair := range [3][2]member{{st.action, st.notAction}, {st.resource, st.notResource}, {st.principal, st.notPrinc}} {
		if pair[0].ok() && pair[1].ok() {
			l.add("UNSUPPORTED_ELEMENT_COMBINATION", "The policy elements "+pair[0].name+" and "+pair[1].name+
				" can not be used in the same statement. Remove one of these elements.",
				join(st.path, pk(pair[0].name)), join(st.path, pk(pair[1].name)))
		}
	}
	if _, ok := v.Lookup("Effect"); !ok {
		l.add("MISSING_EFFECT", "Add an Effect element to the policy statement with a value of Allow or Deny.", st.path)
	}
	if !st.action.ok() && !st.notAction.ok() {
		l.add("MISSING_ACTION", "Add an Action or NotAction element to the policy statement.", st.path)
	}
	for _, m := range [2]member{st.action, st.notAction} {
		if emptyArray(m) {
			l.add("EMPTY_ARRAY_ACTION", "This statement includes no actions and does not affect the policy. Specify actions.",
				join(st.path, pv(m.name)))
		}
	}
	if l.kind == policy.Trust {
		if st.notPrinc.ok() {
			l.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
				"Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead.",
				join(st.path, pk("NotPrincipal")))
		}
		for _, m := range [2]member{st.resource, st.notResource} {
			if m.ok() {
				l.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "Role trust policies apply to the role that they are "+
					"attached to. You cannot specify a resource. Remove the Resource or NotResource element.",
					join(st.path, pk(m.name)))
			}
		}
	} else {
		if !st.resource.ok() && !st.notResource.ok() {
			l.add("MISSING_RESOURCE", "Add a Resource or NotResource element to the policy statement.", st.path)
		}
		for _, m := range [2]member{st.resource, st.notResource} {
			if emptyArray(m) {
				l.add("EMPTY_ARRAY_RESOURCE", "This statement includes no resources and does not affect the policy. "+
					"Specify resources.", join(st.path, pv(m.name)))
			}
		}
	}
	hasPrincipal := st.principal.ok() || st.notPrinc.ok()
	switch {
	case l.kind.HasPrincipals() && !hasPrincipal:
		l.add("MISSING_PRINCIPAL", "Add a Principal element to the policy statement.", st.path)
	case !l.kind.HasPrincipals() && hasPrincipal:
		m := st.principal
		if !m.ok() {
			m = st.notPrinc
		}
		l.add("UNSUPPORTED_PRINCIPAL", "The policy type "+analyzerType(l.kind)+
			" does not support the Principal element. Remove the Principal element.", join(st.path, pk(m.name)))
	}
}

// emptyArray reports whether m is there and an empty array.
func emptyArray(m member) bool { return m.val.Kind() == policy.NodeArray && m.val.Len() == 0 }

// analyzerType is the policy type as ValidatePolicy names it.
func analyzerType(k policy.Kind) string {
	switch k {
	case policy.Trust, policy.Resource, policy.Endpoint:
		return "RESOURCE_POLICY"
	case policy.SCP:
		return "SERVICE_CONTROL_POLICY"
	case policy.RCP:
		return "RESOURCE_CONTROL_POLICY"
	}
	return "IDENTITY_POLICY"
}

// principalElement checks a Principal or NotPrincipal element's shape.
func (l *linter) principalElement(m member, at path) {
	v := m.val
	switch v.Kind() {
	case policy.NodeString:
		if v.Text() != "*" {
			l.add("INVALID_PRINCIPAL_FORMAT", "The Principal element contents are not valid. Specify a key-value pair in the Principal element.", at)
		}
		return
	case policy.NodeObject:
	default:
		l.add("INVALID_PRINCIPAL_FORMAT", "The Principal element contents are not valid. Specify a key-value pair in the Principal element.", at)
		return
	}
	if v.Len() == 0 {
		l.add("EMPTY_OBJECT_PRINCIPAL", "This statement includes no principals and does not affect the policy. Specify principals.", at)
		return
	}
	for mi := 0; mi < v.Len(); mi++ {
		key, val := v.Member(mi)
		switch key {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			l.add("INVALID_PRINCIPAL_KEY", "The principal key "+key+" is not valid.", join(at, pk(key)))
			continue
		}
		pm := member{key, val}
		if emptyArray(pm) {
			l.add("EMPTY_ARRAY_PRINCIPAL", "This statement includes no principals and does not affect the policy. Specify principals.",
				join(at, pv(key)))
			continue
		}
		for _, p := range l.strings(pm, join(at, pv(key))) {
			if p.s != "*" && strings.ContainsAny(p.s, "*?") && key != "Service" {
				l.add("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "Wildcards (*, ?) are not supported with the principal key "+
					key+". Replace the wildcard with a valid principal value.", p.path)
			}
		}
	}
}

// scalar reports whether a condition value is one IAM takes: a string, a
// number or a boolean.
func scalar(v policy.Node) bool {
	switch v.Kind() {
	case policy.NodeString, policy.NodeNumber, policy.NodeBool:
		return true
	}
	return false
}

// conditionElement reads the Condition element into st.conds.
func (l *linter) conditionElement(st *lstmt, m member, at path) {
	v := m.val
	if v.Kind() != policy.NodeObject {
		l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), at)
		return
	}
	if v.Len() == 0 {
		l.add("EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", at)
		return
	}
	for oi := 0; oi < v.Len(); oi++ {
		opName, block := v.Member(oi)
		opPath := join(at, pv(opName))
		spec, known := policy.ParseOperator(opName)
		switch {
		case !known:
			l.add("INVALID_CONDITION_OPERATOR", "The condition operator "+opName+" is not valid. Use a valid condition operator.",
				join(at, pk(opName)))
		case spec.Type == policy.NullOperator && spec.IfExists:
			l.add("NULL_WITH_IF_EXISTS", "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.",
				join(at, pk(opName)))
		case spec.Type == policy.NullOperator && spec.Set != 0:
			l.add("NULL_WITH_QUALIFIER", "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers "+
				"because they always return a true or false respectively.", join(at, pk(opName)))
		}
		if block.Kind() != policy.NodeObject {
			l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), opPath)
			continue
		}
		if block.Len() == 0 {
			l.add("EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", opPath)
			continue
		}
		for ki := 0; ki < block.Len(); ki++ {
			key, val := block.Member(ki)
			for kj := 0; kj < ki; kj++ {
				if prev, _ := block.Member(kj); prev != key && strings.EqualFold(prev, key) {
					l.add("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "The condition key "+key+" appears more than once with "+
						"different capitalization in the same condition block. Remove the duplicate condition keys.",
						join(opPath, pk(key)))
					break
				}
			}
			c := lcond{op: opName, spec: spec, known: known, key: key, opPath: opPath,
				keyPath: join(opPath, pk(key)), valPath: join(opPath, pv(key))}
			switch {
			case scalar(val):
				c.values = []lval{{s: val.Text(), path: c.valPath}}
				c.kinds = []policy.NodeKind{val.Kind()}
			case val.Kind() == policy.NodeArray:
				for j := 0; j < val.Len(); j++ {
					it := val.Item(j)
					if !scalar(it) {
						l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), join(c.valPath, pi(j)))
						continue
					}
					c.values = append(c.values, lval{s: it.Text(), path: join(c.valPath, pi(j))})
					c.kinds = append(c.kinds, it.Kind())
				}
				if val.Len() == 0 {
					l.emptyCondition(c)
				}
			default:
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), c.valPath)
				continue
			}
			for j := 1; j < len(c.kinds); j++ {
				if c.kinds[j] != c.kinds[0] {
					l.add("INVALID_CONDITION_DATA_TYPE", "The condition value data types do not match. Use condition values of the same JSON data type.", c.valPath)
					break
				}
			}
			st.conds = append(st.conds, c)
		}
	}
}

func (l *linter) emptyCondition(c lcond) {
	switch {
	case c.known && c.spec.Set == policy.ForAllValues:
		l.add("EMPTY_ARRAY_CONDITION_FORALLVALUES", "The ForAllValues prefix with an empty condition key matches only if the key "+
			c.key+" is missing from the request context. To determine if the request context is empty, we recommend that you "+
			"use the Null condition operator with the value of true instead.", c.valPath)
	case c.known && c.spec.Set == policy.ForAnyValue:
		l.add("EMPTY_ARRAY_CONDITION_FORANYVALUE", "The ForAnyValue prefix with an empty condition key "+c.key+
			" never matches the request context and it does not affect the policy. Specify conditions.", c.valPath)
	case c.known && c.spec.IfExists:
		l.add("EMPTY_ARRAY_CONDITION_IFEXISTS", "The IfExists suffix with an empty condition key matches only if the key "+
			c.key+" is missing from the request context. To determine if the request context is empty, we recommend that you "+
			"use the Null condition operator with the value of true instead.", c.valPath)
	default:
		l.add("EMPTY_ARRAY_CONDITION", "There are no values for the condition key "+c.key+
			" and it does not affect the policy. Specify conditions.", c.valPath)
	}
}

// sids checks statement IDs across the policy.
func (l *linter) sids() {
	required := l.kind.StoredByIAM() || l.kind == policy.SCP || l.kind == policy.RCP
	for i, st := range l.stmts {
		if st.sid.Kind() != policy.NodeString || st.sid.Text() == "" {
			continue
		}
		sid := st.sid.Text()
		if l.kind.StoredByIAM() && !isAlnum(sid) {
			l.add("UNSUPPORTED_SID", "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]",
				join(st.path, pv("Sid")))
		}
		for _, prev := range l.stmts[:i] {
			if prev.sid.Kind() == policy.NodeString && prev.sid.Text() == sid {
				if required {
					l.add("UNIQUE_SIDS_REQUIRED", "Duplicate statement IDs are not supported for this policy type. Update the Sid value.",
						join(prev.path, pv("Sid")), join(st.path, pv("Sid")))
				} else {
					l.add("UNIQUE_SIDS_RECOMMENDED", "We recommend that you use statement IDs that are unique to your policy. Update the Sid value.",
						join(prev.path, pv("Sid")), join(st.path, pv("Sid")))
				}
				break
			}
		}
	}
}

// isAlnum reports whether s is letters and digits only (IAM's Sid rule).
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// policySize applies Access Analyzer's size checks. The service counts
// one character more than the characters that are not white space
// (every size it recorded on the AWS managed policies is PolicySize+1).
func (l *linter) policySize() {
	n := l.size + 1
	switch l.kind {
	case policy.Identity, policy.Managed, policy.InlineUser, policy.InlineGroup, policy.InlineRole, policy.Session:
		if n > 10240 {
			l.add("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "The "+strconv.Itoa(n)+" characters in the identity policy, "+
				"excluding whitespace, exceed the 10240 character maximum for inline and managed policies. We recommend "+
				"that you use multiple granular policies.", nil)
		}
	case policy.Trust:
		if n > policy.Trust.SizeQuota() {
			l.add("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", "The characters in the role trust policy, excluding "+
				"whitespace, exceed the character maximum. We recommend that you request a role trust policy length quota "+
				"increase using Service Quotas and AWS Support Center. If the quotas have already been increased, then you "+
				"can ignore this warning.", nil)
		}
	case policy.SCP:
		if n > policy.SCP.SizeQuota() {
			l.add("POLICY_SIZE_EXCEEDS_SCP_QUOTA", "The "+strconv.Itoa(n)+" characters in the service control policy (SCP) "+
				"exceed the "+strconv.Itoa(policy.SCP.SizeQuota())+" character maximum for SCPs. We recommend that you use multiple "+
				"granular policies.", nil)
		}
	}
}
