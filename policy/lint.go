package policy

import (
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/catalog"
)

// Lint: IAM Access Analyzer's policy checks that need no account data.
//
// The linter reads the JSON tree itself, not the Document, so that it can
// report on documents IAM rejects (as Access Analyzer does) and place
// every finding. Issue codes, finding types and messages are those of the
// policy check reference,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// and, where the service words a message differently from the page, of
// findings recorded from ValidatePolicy: the AWS CLI reference's example
// (https://awscli.amazonaws.com/v2/documentation/api/latest/reference/accessanalyzer/validate-policy.html)
// and the findings on every AWS managed policy that zoph-io/MAMIP
// records daily (findings/*.json); lint_test.go cites each.

// linter holds one run.
type linter struct {
	loc  *locator
	kind Kind
	cat  *catalog.Catalog
	size int
	// resourceType is the resource a resource-based policy is attached
	// to (ValidateOptions.ResourceType).
	resourceType string
	arns         func() *arnIndex // the catalog's ARN formats, built once per Validator
	out          []Finding

	hasVersion bool
	stmts      []*lstmt
}

// lval is a string value of the document and where it is.
type lval struct {
	s    string
	node *jvalue
	path []PathElement
}

// lstmt is a statement as the linter reads it: what is there, leniently.
type lstmt struct {
	i    int
	node *jvalue
	path []PathElement

	sid                   *jvalue
	effect                string // "Allow" or "Deny" exactly; "" otherwise
	action, notAction     *jmember
	actions, notActions   []lval
	resource, notResource *jmember
	resources, notRes     []lval
	principal, notPrinc   *jmember
	condition             *jmember
	conds                 []lcond
}

// lcond is one key of one operator block.
type lcond struct {
	op      string
	spec    opSpec
	known   bool
	key     string
	opPath  []PathElement // the operator's block
	keyPath []PathElement // the key itself (a PathKey)
	valPath []PathElement // the key's value
	values  []lval        // strings, numbers and booleans as text
	kinds   []jkind
}

func (l *linter) add(code, msg string, paths ...[]PathElement) {
	locs := make([]Location, len(paths))
	for i, p := range paths {
		locs[i] = l.loc.locate(p)
	}
	if len(locs) == 0 {
		locs = []Location{l.loc.locate(nil)}
	}
	l.out = append(l.out, newFinding(code, msg, locs...))
}

func join(path []PathElement, more ...PathElement) []PathElement {
	out := make([]PathElement, 0, len(path)+len(more))
	return append(append(out, path...), more...)
}

func (l *linter) run(top *jvalue) {
	if top.kind != jObject {
		l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), nil)
		return
	}
	var stmtMem *jmember
	for mi := range top.mem {
		m := &top.mem[mi]
		switch m.key {
		case "Version":
			l.hasVersion = true
			switch {
			case m.val.kind != jString:
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), []PathElement{pv("Version")})
			case m.val.s != Version2012 && m.val.s != Version2008:
				l.add("INVALID_VERSION", "The version "+m.val.s+" is not valid. Use one of the following versions: "+
					Version2012+", "+Version2008, []PathElement{pv("Version")})
			}
		case "Id":
			if m.val.kind != jString {
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), []PathElement{pv("Id")})
			}
		case "Statement":
			stmtMem = m
		default:
			l.add("INVALID_POLICY_ELEMENT", "The policy element "+m.key+" is not valid.", []PathElement{pk(m.key)})
		}
	}
	if !l.hasVersion {
		l.add("MISSING_VERSION", "We recommend that you specify the Version element to help you with debugging permission issues.", nil)
	}
	switch {
	case stmtMem == nil:
		l.add("MISSING_STATEMENT", "Add a statement to the policy", nil)
		return
	case stmtMem.val.kind == jObject:
		l.statement(0, stmtMem.val)
	case stmtMem.val.kind == jArray:
		if len(stmtMem.val.vals) == 0 {
			l.add("MISSING_STATEMENT", "Add a statement to the policy", []PathElement{pv("Statement")})
		}
		for i, v := range stmtMem.val.vals {
			if v.kind != jObject {
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), stmtPath(i))
				continue
			}
			l.statement(i, v)
		}
	default:
		l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Array"), []PathElement{pv("Statement")})
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
func (l *linter) strings(m *jmember, path []PathElement) []lval {
	switch m.val.kind {
	case jString:
		return []lval{{s: m.val.s, node: m.val, path: path}}
	case jArray:
		out := make([]lval, 0, len(m.val.vals))
		for j, it := range m.val.vals {
			if it.kind != jString {
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), join(path, pi(j)))
				continue
			}
			out = append(out, lval{s: it.s, node: it, path: join(path, pi(j))})
		}
		return out
	}
	l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), path)
	return nil
}

func (l *linter) statement(i int, v *jvalue) {
	st := &lstmt{i: i, node: v, path: stmtPath(i)}
	l.stmts = append(l.stmts, st)
	for mi := range v.mem {
		m := &v.mem[mi]
		path := join(st.path, pv(m.key))
		switch m.key {
		case "Sid":
			st.sid = m.val
			switch {
			case m.val.kind != jString:
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), path)
			case m.val.s == "":
				// Recorded: the AWS CLI reference's example.
				l.add("EMPTY_SID_VALUE", "Add a value to the empty string in the Sid element.", path)
			}
		case "Effect":
			switch {
			case m.val.kind != jString:
				l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), path)
			case m.val.s == "Allow" || m.val.s == "Deny":
				st.effect = m.val.s
			default:
				l.add("INVALID_EFFECT", "The effect "+m.val.s+" is not valid. Use Allow or Deny.", path)
			}
		case "Action":
			st.action, st.actions = m, l.strings(m, path)
		case "NotAction":
			st.notAction, st.notActions = m, l.strings(m, path)
		case "Resource":
			st.resource, st.resources = m, l.strings(m, path)
		case "NotResource":
			st.notResource, st.notRes = m, l.strings(m, path)
		case "Principal":
			st.principal = m
			l.principalElement(m, path)
		case "NotPrincipal":
			st.notPrinc = m
			l.principalElement(m, path)
		case "Condition":
			st.condition = m
			l.conditionElement(st, m, path)
		default:
			l.add("INVALID_POLICY_ELEMENT", "The policy element "+m.key+" is not valid.", join(st.path, pk(m.key)))
		}
	}
	for _, pair := range [3][2]*jmember{{st.action, st.notAction}, {st.resource, st.notResource}, {st.principal, st.notPrinc}} {
		if pair[0] != nil && pair[1] != nil {
			l.add("UNSUPPORTED_ELEMENT_COMBINATION", "The policy elements "+pair[0].key+" and "+pair[1].key+
				" can not be used in the same statement. Remove one of these elements.",
				join(st.path, pk(pair[0].key)), join(st.path, pk(pair[1].key)))
		}
	}
	if v.lastMember("Effect") == nil {
		l.add("MISSING_EFFECT", "Add an Effect element to the policy statement with a value of Allow or Deny.", st.path)
	}
	if st.action == nil && st.notAction == nil {
		l.add("MISSING_ACTION", "Add an Action or NotAction element to the policy statement.", st.path)
	}
	for _, m := range [2]*jmember{st.action, st.notAction} {
		if m != nil && m.val.kind == jArray && len(m.val.vals) == 0 {
			l.add("EMPTY_ARRAY_ACTION", "This statement includes no actions and does not affect the policy. Specify actions.",
				join(st.path, pv(m.key)))
		}
	}
	if l.kind == Trust {
		if st.notPrinc != nil {
			l.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
				"Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead.",
				join(st.path, pk("NotPrincipal")))
		}
		for _, m := range [2]*jmember{st.resource, st.notResource} {
			if m != nil {
				l.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "Role trust policies apply to the role that they are "+
					"attached to. You cannot specify a resource. Remove the Resource or NotResource element.",
					join(st.path, pk(m.key)))
			}
		}
	} else {
		if st.resource == nil && st.notResource == nil {
			l.add("MISSING_RESOURCE", "Add a Resource or NotResource element to the policy statement.", st.path)
		}
		for _, m := range [2]*jmember{st.resource, st.notResource} {
			if m != nil && m.val.kind == jArray && len(m.val.vals) == 0 {
				l.add("EMPTY_ARRAY_RESOURCE", "This statement includes no resources and does not affect the policy. "+
					"Specify resources.", join(st.path, pv(m.key)))
			}
		}
	}
	hasPrincipal := st.principal != nil || st.notPrinc != nil
	switch {
	case l.kind.HasPrincipals() && !hasPrincipal:
		l.add("MISSING_PRINCIPAL", "Add a Principal element to the policy statement.", st.path)
	case !l.kind.HasPrincipals() && hasPrincipal:
		m := st.principal
		if m == nil {
			m = st.notPrinc
		}
		l.add("UNSUPPORTED_PRINCIPAL", "The policy type "+l.kind.analyzerType()+
			" does not support the Principal element. Remove the Principal element.", join(st.path, pk(m.key)))
	}
}

// analyzerType is the policy type as ValidatePolicy names it.
func (k Kind) analyzerType() string {
	switch k {
	case Trust, Resource, Endpoint:
		return "RESOURCE_POLICY"
	case SCP:
		return "SERVICE_CONTROL_POLICY"
	case RCP:
		return "RESOURCE_CONTROL_POLICY"
	}
	return "IDENTITY_POLICY"
}

// principalElement checks a Principal or NotPrincipal element's shape.
func (l *linter) principalElement(m *jmember, path []PathElement) {
	v := m.val
	switch v.kind {
	case jString:
		if v.s != "*" {
			l.add("INVALID_PRINCIPAL_FORMAT", "The Principal element contents are not valid. Specify a key-value pair in the Principal element.", path)
		}
		return
	case jObject:
	default:
		l.add("INVALID_PRINCIPAL_FORMAT", "The Principal element contents are not valid. Specify a key-value pair in the Principal element.", path)
		return
	}
	if len(v.mem) == 0 {
		l.add("EMPTY_OBJECT_PRINCIPAL", "This statement includes no principals and does not affect the policy. Specify principals.", path)
		return
	}
	for mi := range v.mem {
		pm := &v.mem[mi]
		switch pm.key {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			l.add("INVALID_PRINCIPAL_KEY", "The principal key "+pm.key+" is not valid.", join(path, pk(pm.key)))
			continue
		}
		if pm.val.kind == jArray && len(pm.val.vals) == 0 {
			l.add("EMPTY_ARRAY_PRINCIPAL", "This statement includes no principals and does not affect the policy. Specify principals.",
				join(path, pv(pm.key)))
			continue
		}
		for _, p := range l.strings(pm, join(path, pv(pm.key))) {
			if p.s != "*" && strings.ContainsAny(p.s, "*?") && pm.key != "Service" {
				l.add("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "Wildcards (*, ?) are not supported with the principal key "+
					pm.key+". Replace the wildcard with a valid principal value.", p.path)
			}
		}
	}
}

// conditionElement reads the Condition element into st.conds.
func (l *linter) conditionElement(st *lstmt, m *jmember, path []PathElement) {
	v := m.val
	if v.kind != jObject {
		l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), path)
		return
	}
	if len(v.mem) == 0 {
		l.add("EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", path)
		return
	}
	for oi := range v.mem {
		om := &v.mem[oi]
		opPath := join(path, pv(om.key))
		spec, known := parseOperator(om.key)
		switch {
		case !known:
			l.add("INVALID_CONDITION_OPERATOR", "The condition operator "+om.key+" is not valid. Use a valid condition operator.",
				join(path, pk(om.key)))
		case spec.op.fam == famNull && spec.ifExists:
			l.add("NULL_WITH_IF_EXISTS", "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.",
				join(path, pk(om.key)))
		case spec.op.fam == famNull && spec.set != setNone:
			l.add("NULL_WITH_QUALIFIER", "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers "+
				"because they always return a true or false respectively.", join(path, pk(om.key)))
		}
		if om.val.kind != jObject {
			l.add("DATA_TYPE_MISMATCH", dataTypeMessage("Object"), opPath)
			continue
		}
		if len(om.val.mem) == 0 {
			l.add("EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", opPath)
			continue
		}
		for ki := range om.val.mem {
			km := &om.val.mem[ki]
			for kj := 0; kj < ki; kj++ {
				if prev := om.val.mem[kj].key; prev != km.key && strings.EqualFold(prev, km.key) {
					l.add("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "The condition key "+km.key+" appears more than once with "+
						"different capitalization in the same condition block. Remove the duplicate condition keys.",
						join(opPath, pk(km.key)))
					break
				}
			}
			c := lcond{op: om.key, spec: spec, known: known, key: km.key, opPath: opPath,
				keyPath: join(opPath, pk(km.key)), valPath: join(opPath, pv(km.key))}
			scalar := func(x *jvalue) bool { return x.kind == jString || x.kind == jNumber || x.kind == jBool }
			switch {
			case scalar(km.val):
				c.values = []lval{{s: km.val.s, node: km.val, path: c.valPath}}
				c.kinds = []jkind{km.val.kind}
			case km.val.kind == jArray:
				for j, it := range km.val.vals {
					if !scalar(it) {
						l.add("DATA_TYPE_MISMATCH", dataTypeMessage("String"), join(c.valPath, pi(j)))
						continue
					}
					c.values = append(c.values, lval{s: it.s, node: it, path: join(c.valPath, pi(j))})
					c.kinds = append(c.kinds, it.kind)
				}
				if len(km.val.vals) == 0 {
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
	case c.known && c.spec.set == setAll:
		l.add("EMPTY_ARRAY_CONDITION_FORALLVALUES", "The ForAllValues prefix with an empty condition key matches only if the key "+
			c.key+" is missing from the request context. To determine if the request context is empty, we recommend that you "+
			"use the Null condition operator with the value of true instead.", c.valPath)
	case c.known && c.spec.set == setAny:
		l.add("EMPTY_ARRAY_CONDITION_FORANYVALUE", "The ForAnyValue prefix with an empty condition key "+c.key+
			" never matches the request context and it does not affect the policy. Specify conditions.", c.valPath)
	case c.known && c.spec.ifExists:
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
	required := l.kind.StoredByIAM() || l.kind == SCP || l.kind == RCP
	for i, st := range l.stmts {
		if st.sid == nil || st.sid.kind != jString || st.sid.s == "" {
			continue
		}
		if l.kind.StoredByIAM() && !isAlnum(st.sid.s) {
			l.add("UNSUPPORTED_SID", "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]",
				join(st.path, pv("Sid")))
		}
		for _, prev := range l.stmts[:i] {
			if prev.sid != nil && prev.sid.kind == jString && prev.sid.s == st.sid.s {
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

// policySize applies Access Analyzer's size checks. The service counts
// one character more than the characters that are not white space
// (every size it recorded on the AWS managed policies is PolicySize+1).
func (l *linter) policySize() {
	n := l.size + 1
	switch l.kind {
	case Identity, Managed, InlineUser, InlineGroup, InlineRole, Session:
		if n > 10240 {
			l.add("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "The "+strconv.Itoa(n)+" characters in the identity policy, "+
				"excluding whitespace, exceed the 10240 character maximum for inline and managed policies. We recommend "+
				"that you use multiple granular policies.", nil)
		}
	case Trust:
		if n > Trust.SizeQuota() {
			l.add("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", "The characters in the role trust policy, excluding "+
				"whitespace, exceed the character maximum. We recommend that you request a role trust policy length quota "+
				"increase using Service Quotas and AWS Support Center. If the quotas have already been increased, then you "+
				"can ignore this warning.", nil)
		}
	case SCP:
		if n > SCP.SizeQuota() {
			l.add("POLICY_SIZE_EXCEEDS_SCP_QUOTA", "The "+strconv.Itoa(n)+" characters in the service control policy (SCP) "+
				"exceed the "+strconv.Itoa(SCP.SizeQuota())+" character maximum for SCPs. We recommend that you use multiple "+
				"granular policies.", nil)
		}
	}
}
