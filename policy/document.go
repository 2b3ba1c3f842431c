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

// document is the JSON shape used to detect unknown elements and the
// string-or-array forms.
type rawDocument map[string]json.RawMessage

// Parse parses a policy document. It checks the grammar (JSON, known
// elements, element types) and reports violations as an *Error with
// AWS's MalformedPolicyDocument message; the rules that depend on where
// the policy is attached are checked by Validate.
func Parse(data []byte) (*Document, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var top rawDocument
	if err := unmarshalStrict(data, &top); err != nil || top == nil {
		return nil, syntaxError()
	}
	doc := &Document{}
	for k, v := range top {
		switch k {
		case "Version":
			s, ok := jsonString(v)
			if !ok || (s != Version2012 && s != Version2008) {
				return nil, syntaxError()
			}
			doc.Version = s
		case "Id":
			s, ok := jsonString(v)
			if !ok {
				return nil, syntaxError()
			}
			doc.ID = s
		case "Statement":
		default:
			return nil, syntaxError()
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, syntaxError()
	}
	var stmts []json.RawMessage
	switch firstByte(raw) {
	case '{':
		doc.SingleStatement = true
		stmts = []json.RawMessage{raw}
	case '[':
		if err := json.Unmarshal(raw, &stmts); err != nil || len(stmts) == 0 {
			return nil, syntaxError()
		}
	default:
		return nil, syntaxError()
	}
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

// unmarshalStrict decodes one JSON value and rejects trailing data.
func unmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err == nil {
		return errTrailing
	}
	return nil
}

type parseErr string

func (e parseErr) Error() string { return string(e) }

const errTrailing = parseErr("trailing data")

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func jsonString(raw json.RawMessage) (string, bool) {
	if firstByte(raw) != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonStrings decodes a string or an array of strings. An empty array
// decodes to a non-nil empty slice, so that "present but empty" stays
// distinguishable from "absent".
func jsonStrings(raw json.RawMessage) ([]string, bool) {
	switch firstByte(raw) {
	case '"':
		s, ok := jsonString(raw)
		if !ok {
			return nil, false
		}
		return []string{s}, true
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := jsonString(it)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// conditionValues decodes a condition value: a string, number or boolean,
// or an array of them. Numbers and booleans keep their JSON spelling.
func conditionValues(raw json.RawMessage) ([]string, bool) {
	scalar := func(r json.RawMessage) (string, bool) {
		r = bytes.TrimSpace(r)
		switch firstByte(r) {
		case '"':
			return jsonString(r)
		case 't', 'f':
			var b bool
			if err := json.Unmarshal(r, &b); err != nil {
				return "", false
			}
			return strconv.FormatBool(b), true
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			var n json.Number
			if err := json.Unmarshal(r, &n); err != nil {
				return "", false
			}
			return n.String(), true
		}
		return "", false
	}
	if firstByte(raw) == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := scalar(it)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(raw)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

func parseStatement(raw json.RawMessage) (*Statement, error) {
	if firstByte(raw) != '{' {
		return nil, syntaxError()
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, syntaxError()
	}
	st := &Statement{}
	for k, v := range m {
		var ok bool
		switch k {
		case "Sid":
			st.Sid, ok = jsonString(v)
			st.HasSid = true
		case "Effect":
			var s string
			s, ok = jsonString(v)
			switch {
			case s == "Allow":
				st.Effect = Allow
			case s == "Deny":
				st.Effect = Deny
			case strings.EqualFold(s, "allow") || strings.EqualFold(s, "deny"):
				// AWS's grammar check accepts any case; its
				// legacy parser, which runs after the grammar check
				// of every statement, then rejects it.
				st.badEffectCase = true
				st.Effect = Allow
				ok = true
			default:
				ok = false
			}
		case "Action":
			st.Action, ok = jsonStrings(v)
		case "NotAction":
			st.NotAction, ok = jsonStrings(v)
		case "Resource":
			st.Resource, ok = jsonStrings(v)
		case "NotResource":
			st.NotResource, ok = jsonStrings(v)
		case "Principal":
			st.Principal, ok = parsePrincipal(v)
		case "NotPrincipal":
			st.NotPrincipal, ok = parsePrincipal(v)
		case "Condition":
			st.Conditions, ok = parseConditions(v)
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

func parsePrincipal(raw json.RawMessage) (*Principal, bool) {
	switch firstByte(raw) {
	case '"':
		s, ok := jsonString(raw)
		if !ok || s != "*" {
			return nil, false
		}
		return &Principal{Wildcard: true}, true
	case '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, false
		}
		p := &Principal{}
		for k, v := range m {
			vals, ok := jsonStrings(v)
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

func parseConditions(raw json.RawMessage) ([]Condition, bool) {
	if firstByte(raw) != '{' {
		return nil, false
	}
	var ops map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, false
	}
	out := []Condition{}
	for op, block := range ops {
		if firstByte(block) != '{' {
			return nil, false
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(block, &keys); err != nil {
			return nil, false
		}
		for k, v := range keys {
			vals, ok := conditionValues(v)
			if !ok {
				return nil, false
			}
			out = append(out, Condition{Operator: op, Key: k, Values: vals})
		}
		if len(keys) == 0 {
			// An empty operator block is kept so that validation can
			// still reject an unknown operator name.
			out = append(out, Condition{Operator: op})
		}
	}
	sort.Slice(out, func(i, j int) bool {
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
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(&b, name)
		b.WriteByte(':')
	}
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
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(b, name)
		b.WriteByte(':')
	}
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
