package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Policy language versions.
const (
	Version2012 = "2012-10-17" // current; policy variables are recognised
	Version2008 = "2008-10-17" // legacy; ${...} is literal text
)

// Effect is a statement's Effect element.
type Effect uint8

// Effects.
const (
	Allow Effect = iota + 1
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Effect(" + strconv.Itoa(int(e)) + ")"
}

// Document is a parsed policy document. Parse fills it from JSON and
// MarshalJSON writes it back; a document that parses and validates
// round-trips to an equal Document.
type Document struct {
	Version string // "" when the element is absent (AWS then uses 2008-10-17)
	ID      string
	// SingleStatement records that Statement was written as one object
	// rather than an array.
	SingleStatement bool
	Statements      []*Statement
}

// Statement is one element of Statement.
type Statement struct {
	Sid       string
	HasSid    bool
	Effect    Effect
	Principal *Principal // nil when absent
	// NotPrincipal is nil when absent.
	NotPrincipal *Principal
	// Exactly one of Action and NotAction is set (non-nil) in a valid
	// statement; likewise Resource and NotResource (neither is allowed in
	// a trust policy).
	Action, NotAction     []string
	Resource, NotResource []string
	Conditions            []Condition // sorted by operator, then key

	badEffectCase bool
}

// Principal is a Principal or NotPrincipal element. Wildcard is the
// bare string "*"; otherwise the element is an object whose values are
// kept per principal type (AWS, Service, Federated, CanonicalUser).
type Principal struct {
	Wildcard bool
	AWS      []string
	Service  []string
	// Federated holds identity providers (SAML provider ARNs, OIDC
	// provider names such as cognito-identity.amazonaws.com).
	Federated     []string
	CanonicalUser []string
}

// Condition is one key block of a Condition element:
// {"Operator": {"Key": Values}}.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string // as written
	Values   []string
}

// Parse parses a policy document. It checks the grammar (JSON, known
// elements, element types) and reports violations as an *Error with
// AWS's MalformedPolicyDocument message ("Syntax errors in policy.") and
// the path of the element at fault; the rules that depend on where the
// policy is attached, and IAM's later passes (version, legacy parsing,
// resources, actions), are checked by Check. Element names are
// case-sensitive; an element name may not repeat.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func Parse(data []byte) (*Document, error) {
	top, err := parseJSON(trimBOM(data))
	if err != nil {
		return nil, notJSONError(err)
	}
	return parseDocument(top)
}

func trimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) }

// notJSONError is the error for text that is not JSON.
func notJSONError(err error) *Error {
	e := syntaxError()
	e.notJSON = true
	var je *jsonError
	if errors.As(err, &je) {
		e.off = je.pos
	}
	return e
}

// dupMember returns the path of the second use of a repeated member
// name of v.
func dupMember(v *jvalue, path ...PathElement) []PathElement {
	var seen map[string]bool
	for i := range v.mem {
		var dup bool
		if dup, seen = repeated(v.mem[:i], seen, v.mem[i].key); dup {
			return append(path, pk(v.mem[i].key))
		}
	}
	return path
}

func parseDocument(top *jvalue) (*Document, error) {
	if top.kind != jObject {
		return nil, syntaxAt()
	}
	if top.dup {
		return nil, syntaxAt(dupMember(top)...)
	}
	doc := &Document{}
	var stmtVal *jvalue
	for _, m := range top.mem {
		v := m.val
		switch m.key {
		case "Version":
			if v.kind != jString || (v.s != Version2012 && v.s != Version2008) {
				return nil, syntaxAt(pv("Version"))
			}
			doc.Version = v.s
		case "Id":
			if v.kind != jString {
				return nil, syntaxAt(pv("Id"))
			}
			doc.ID = v.s
		case "Statement":
			stmtVal = v
		default:
			return nil, syntaxAt(pk(m.key))
		}
	}
	var stmts []*jvalue
	switch {
	case stmtVal == nil:
		return nil, syntaxAt()
	case stmtVal.kind == jObject:
		doc.SingleStatement = true
		stmts = []*jvalue{stmtVal}
	case stmtVal.kind == jArray && len(stmtVal.vals) > 0:
		stmts = stmtVal.vals
	default:
		return nil, syntaxAt(pv("Statement"))
	}
	doc.Statements = make([]*Statement, 0, len(stmts))
	for i, r := range stmts {
		st, err := parseStatement(i, r)
		if err != nil {
			return nil, err
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

func parseStatement(i int, v *jvalue) (*Statement, error) {
	if v.kind != jObject {
		return nil, syntaxAt(stmtPath(i)...)
	}
	if v.dup {
		return nil, syntaxAt(dupMember(v, stmtPath(i)...)...)
	}
	st := &Statement{}
	for _, m := range v.mem {
		val := m.val
		var bad []PathElement // the element at fault
		switch m.key {
		case "Sid":
			st.Sid, st.HasSid = val.s, true
			if val.kind != jString {
				bad = stmtPath(i, pv(m.key))
			}
		case "Effect":
			switch s := val.s; {
			case val.kind != jString:
				bad = stmtPath(i, pv(m.key))
			case s == "Allow":
				st.Effect, st.badEffectCase = Allow, false
			case s == "Deny":
				st.Effect, st.badEffectCase = Deny, false
			case strings.EqualFold(s, "allow") || strings.EqualFold(s, "deny"):
				// AWS's grammar check accepts any case; its
				// legacy parser, which runs after the grammar and
				// version checks, then rejects it (Check).
				st.Effect, st.badEffectCase = Allow, true
			default:
				bad = stmtPath(i, pv(m.key))
			}
		case "Action", "NotAction", "Resource", "NotResource":
			vals, at := val.strings()
			if vals == nil {
				bad = itemAt(stmtPath(i, pv(m.key)), val, at)
				break
			}
			switch m.key {
			case "Action":
				st.Action = vals
			case "NotAction":
				st.NotAction = vals
			case "Resource":
				st.Resource = vals
			default:
				st.NotResource = vals
			}
		case "Principal", "NotPrincipal":
			p, sub := parsePrincipal(val)
			if p == nil {
				bad = stmtPath(i, append([]PathElement{pv(m.key)}, sub...)...)
				break
			}
			if m.key == "Principal" {
				st.Principal = p
			} else {
				st.NotPrincipal = p
			}
		case "Condition":
			conds, sub := parseConditions(val)
			if conds == nil {
				bad = stmtPath(i, append([]PathElement{pv(m.key)}, sub...)...)
				break
			}
			st.Conditions = conds
		default:
			bad = stmtPath(i, pk(m.key))
		}
		if bad != nil {
			return nil, syntaxAt(bad...)
		}
	}
	if st.Effect == 0 {
		return nil, syntaxAt(stmtPath(i)...)
	}
	// Exclusive pairs: the fault is reported at the second one written.
	for _, pair := range [3][2]string{{"Action", "NotAction"}, {"Resource", "NotResource"}, {"Principal", "NotPrincipal"}} {
		a, b := v.lastMember(pair[0]), v.lastMember(pair[1])
		if a != nil && b != nil {
			second := pair[1]
			if a.kpos > b.kpos {
				second = pair[0]
			}
			return nil, syntaxAt(stmtPath(i, pk(second))...)
		}
	}
	return st, nil
}

// itemAt is the path of a value that strings or scalars refused: path,
// and when the value is an array, the index at of its item at fault.
func itemAt(path []PathElement, v *jvalue, at int) []PathElement {
	if v.kind == jArray {
		return append(path, pi(at))
	}
	return path
}

// parsePrincipal reads a Principal or NotPrincipal element; on failure
// it returns nil and the path, below the element, of the fault.
func parsePrincipal(v *jvalue) (*Principal, []PathElement) {
	switch v.kind {
	case jString:
		if v.s != "*" {
			return nil, nil
		}
		return &Principal{Wildcard: true}, nil
	case jObject:
		if v.dup {
			return nil, dupMember(v)
		}
		p := &Principal{}
		for _, m := range v.mem {
			vals, at := m.val.strings()
			if vals == nil {
				return nil, itemAt([]PathElement{pv(m.key)}, m.val, at)
			}
			switch m.key {
			case "AWS":
				p.AWS = vals
			case "Service":
				p.Service = vals
			case "Federated":
				p.Federated = vals
			case "CanonicalUser":
				p.CanonicalUser = vals
			default:
				return nil, []PathElement{pk(m.key)}
			}
		}
		return p, nil
	}
	return nil, nil
}

// parseConditions reads a Condition element; on failure it returns nil
// and the path, below the element, of the fault.
func parseConditions(v *jvalue) ([]Condition, []PathElement) {
	if v.kind != jObject {
		return nil, nil
	}
	if v.dup {
		return nil, dupMember(v)
	}
	out := []Condition{}
	for _, om := range v.mem {
		op, block := om.key, om.val
		if block.kind != jObject {
			return nil, []PathElement{pv(op)}
		}
		if block.dup {
			return nil, dupMember(block, pv(op))
		}
		// An operator IAM does not know is a syntax error, unless its
		// block is empty (moto's recorded {"a": {}} is accepted).
		if _, ok := parseOperator(op); !ok && len(block.mem) > 0 {
			return nil, []PathElement{pk(op)}
		}
		for _, km := range block.mem {
			vals, at := km.val.scalars()
			if vals == nil {
				return nil, itemAt([]PathElement{pv(op), pv(km.key)}, km.val, at)
			}
			out = append(out, Condition{Operator: op, Key: km.key, Values: vals})
		}
		if len(block.mem) == 0 {
			// An empty operator block is kept so that Check can still
			// reject an unknown operator name.
			out = append(out, Condition{Operator: op})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Operator != out[j].Operator {
			return out[i].Operator < out[j].Operator
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// MarshalJSON writes the document in AWS's element order. Single-valued
// elements are written as arrays except a wildcard Principal, which is
// written as "*".
func (d *Document) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	field := fieldWriter(&b)
	if d.Version != "" {
		field("Version")
		writeJSONString(&b, d.Version)
	}
	if d.ID != "" {
		field("Id")
		writeJSONString(&b, d.ID)
	}
	field("Statement")
	if !d.SingleStatement {
		b.WriteByte('[')
	}
	for i, st := range d.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		st.marshal(&b)
	}
	if !d.SingleStatement {
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (st *Statement) marshal(b *bytes.Buffer) {
	b.WriteByte('{')
	field := fieldWriter(b)
	list := func(name string, vals []string) {
		if vals == nil {
			return
		}
		field(name)
		writeJSONStrings(b, vals)
	}
	if st.HasSid {
		field("Sid")
		writeJSONString(b, st.Sid)
	}
	field("Effect")
	writeJSONString(b, st.Effect.String())
	if st.Principal != nil {
		field("Principal")
		st.Principal.marshal(b)
	}
	if st.NotPrincipal != nil {
		field("NotPrincipal")
		st.NotPrincipal.marshal(b)
	}
	list("Action", st.Action)
	list("NotAction", st.NotAction)
	list("Resource", st.Resource)
	list("NotResource", st.NotResource)
	if st.Conditions != nil {
		field("Condition")
		b.WriteByte('{')
		for i := 0; i < len(st.Conditions); {
			op := st.Conditions[i].Operator
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, op)
			b.WriteString(":{")
			for j := i; j < len(st.Conditions) && st.Conditions[j].Operator == op; j++ {
				c := st.Conditions[j]
				if c.Key == "" && c.Values == nil {
					i = j + 1
					continue
				}
				if j > i {
					b.WriteByte(',')
				}
				writeJSONString(b, c.Key)
				b.WriteByte(':')
				writeJSONStrings(b, c.Values)
				i = j + 1
			}
			b.WriteByte('}')
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func (p *Principal) marshal(b *bytes.Buffer) {
	if p.Wildcard {
		writeJSONString(b, "*")
		return
	}
	b.WriteByte('{')
	first := true
	for _, kv := range []struct {
		k string
		v []string
	}{{"AWS", p.AWS}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}, {"Service", p.Service}} {
		if kv.v == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(b, kv.k)
		b.WriteByte(':')
		writeJSONStrings(b, kv.v)
	}
	b.WriteByte('}')
}

// fieldWriter returns a function that writes an object member's name,
// with the comma before every member but the first.
func fieldWriter(b *bytes.Buffer) func(name string) {
	first := true
	return func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(b, name)
		b.WriteByte(':')
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

func writeJSONStrings(b *bytes.Buffer, vals []string) {
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, v)
	}
	b.WriteByte(']')
}
