package policy

import (
	"bytes"
	"encoding/json"
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
// AWS's MalformedPolicyDocument message; the rules that depend on where
// the policy is attached are checked by Check. Element names are
// case-sensitive; when a name repeats, the last value counts.
func Parse(data []byte) (*Document, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// The grammar forbids repeating an element name.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
	top, err := parseJSON(data)
	if err != nil || top.kind != jObject || top.dup {
		return nil, syntaxError()
	}
	doc := &Document{}
	var stmtVal *jvalue
	for i, k := range top.keys {
		v := top.vals[i]
		switch k {
		case "Version":
			if v.kind != jString || (v.s != Version2012 && v.s != Version2008) {
				return nil, syntaxError()
			}
			doc.Version = v.s
		case "Id":
			if v.kind != jString {
				return nil, syntaxError()
			}
			doc.ID = v.s
		case "Statement":
			stmtVal = v
		default:
			return nil, syntaxError()
		}
	}
	var stmts []*jvalue
	switch {
	case stmtVal == nil:
		return nil, syntaxError()
	case stmtVal.kind == jObject:
		doc.SingleStatement = true
		stmts = []*jvalue{stmtVal}
	case stmtVal.kind == jArray && len(stmtVal.vals) > 0:
		stmts = stmtVal.vals
	default:
		return nil, syntaxError()
	}
	doc.Statements = make([]*Statement, 0, len(stmts))
	for _, r := range stmts {
		st, err := parseStatement(r)
		if err != nil {
			return nil, err
		}
		doc.Statements = append(doc.Statements, st)
	}
	for _, st := range doc.Statements {
		if st.badEffectCase {
			return nil, legacyError()
		}
	}
	return doc, nil
}

func parseStatement(v *jvalue) (*Statement, error) {
	if v.kind != jObject || v.dup {
		return nil, syntaxError()
	}
	st := &Statement{}
	for i, k := range v.keys {
		val := v.vals[i]
		ok := true
		switch k {
		case "Sid":
			st.Sid, st.HasSid, ok = val.s, true, val.kind == jString
		case "Effect":
			ok = val.kind == jString
			switch s := val.s; {
			case s == "Allow":
				st.Effect, st.badEffectCase = Allow, false
			case s == "Deny":
				st.Effect, st.badEffectCase = Deny, false
			case strings.EqualFold(s, "allow") || strings.EqualFold(s, "deny"):
				// AWS's grammar check accepts any case; its
				// legacy parser, which runs after the grammar check
				// of every statement, then rejects it.
				st.Effect, st.badEffectCase = Allow, true
			default:
				ok = false
			}
		case "Action":
			st.Action, ok = val.strings()
		case "NotAction":
			st.NotAction, ok = val.strings()
		case "Resource":
			st.Resource, ok = val.strings()
		case "NotResource":
			st.NotResource, ok = val.strings()
		case "Principal":
			st.Principal, ok = parsePrincipal(val)
		case "NotPrincipal":
			st.NotPrincipal, ok = parsePrincipal(val)
		case "Condition":
			st.Conditions, ok = parseConditions(val)
		default:
			ok = false
		}
		if !ok {
			return nil, syntaxError()
		}
	}
	if st.Effect == 0 {
		return nil, syntaxError()
	}
	if (st.Action != nil && st.NotAction != nil) || (st.Resource != nil && st.NotResource != nil) ||
		(st.Principal != nil && st.NotPrincipal != nil) {
		return nil, syntaxError()
	}
	return st, nil
}

func parsePrincipal(v *jvalue) (*Principal, bool) {
	switch v.kind {
	case jString:
		if v.s != "*" {
			return nil, false
		}
		return &Principal{Wildcard: true}, true
	case jObject:
		if v.dup {
			return nil, false
		}
		p := &Principal{}
		for i, k := range v.keys {
			vals, ok := v.vals[i].strings()
			if !ok {
				return nil, false
			}
			switch k {
			case "AWS":
				p.AWS = vals
			case "Service":
				p.Service = vals
			case "Federated":
				p.Federated = vals
			case "CanonicalUser":
				p.CanonicalUser = vals
			default:
				return nil, false
			}
		}
		return p, true
	}
	return nil, false
}

func parseConditions(v *jvalue) ([]Condition, bool) {
	if v.kind != jObject || v.dup {
		return nil, false
	}
	out := []Condition{}
	for i, op := range v.keys {
		block := v.vals[i]
		if block.kind != jObject || block.dup {
			return nil, false
		}
		for j, k := range block.keys {
			vals, ok := block.vals[j].scalars()
			if !ok {
				return nil, false
			}
			out = append(out, Condition{Operator: op, Key: k, Values: vals})
		}
		if len(block.keys) == 0 {
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
	return out, true
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
