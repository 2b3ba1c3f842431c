package policy

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// OperatorType is what a condition operator compares: the family of
// operators it belongs to on the condition operators page.
type OperatorType uint8

// Operator types.
const (
	StringOperator    OperatorType = iota + 1 // StringEquals, StringLike, ...
	NumericOperator                           // NumericEquals, NumericLessThan, ...
	DateOperator                              // DateEquals, DateLessThan, ...
	BoolOperator                              // Bool
	BinaryOperator                            // BinaryEquals
	IPAddressOperator                         // IpAddress, NotIpAddress
	ARNOperator                               // ArnEquals, ArnLike, ArnNotEquals, ArnNotLike
	NullOperator                              // Null
)

// family groups the condition operators by the type they compare.
type family = OperatorType

const (
	famString  = StringOperator
	famNumeric = NumericOperator
	famDate    = DateOperator
	famBool    = BoolOperator
	famBinary  = BinaryOperator
	famIP      = IPAddressOperator
	famARN     = ARNOperator
	famNull    = NullOperator
)

// cmp is the comparison of a numeric or date operator.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// operator describes one base condition operator (without set operator
// or IfExists). The table below is the closed set AWS defines.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type operator struct {
	name    string
	fam     family
	negated bool
	fold    bool // IgnoreCase
	like    bool // wildcards
	cmp     cmp
	vars    bool // policy variables are supported in values
}

var operators = [...]operator{
	{name: "StringEquals", fam: famString, vars: true},
	{name: "StringNotEquals", fam: famString, negated: true, vars: true},
	{name: "StringEqualsIgnoreCase", fam: famString, fold: true, vars: true},
	{name: "StringNotEqualsIgnoreCase", fam: famString, negated: true, fold: true, vars: true},
	{name: "StringLike", fam: famString, like: true, vars: true},
	{name: "StringNotLike", fam: famString, negated: true, like: true, vars: true},
	{name: "NumericEquals", fam: famNumeric, cmp: cmpEq},
	{name: "NumericNotEquals", fam: famNumeric, cmp: cmpEq, negated: true},
	{name: "NumericLessThan", fam: famNumeric, cmp: cmpLt},
	{name: "NumericLessThanEquals", fam: famNumeric, cmp: cmpLe},
	{name: "NumericGreaterThan", fam: famNumeric, cmp: cmpGt},
	{name: "NumericGreaterThanEquals", fam: famNumeric, cmp: cmpGe},
	{name: "DateEquals", fam: famDate, cmp: cmpEq},
	{name: "DateNotEquals", fam: famDate, cmp: cmpEq, negated: true},
	{name: "DateLessThan", fam: famDate, cmp: cmpLt},
	{name: "DateLessThanEquals", fam: famDate, cmp: cmpLe},
	{name: "DateGreaterThan", fam: famDate, cmp: cmpGt},
	{name: "DateGreaterThanEquals", fam: famDate, cmp: cmpGe},
	{name: "Bool", fam: famBool, vars: true},
	{name: "BinaryEquals", fam: famBinary},
	{name: "IpAddress", fam: famIP},
	{name: "NotIpAddress", fam: famIP, negated: true},
	{name: "ArnEquals", fam: famARN, like: true, vars: true},
	{name: "ArnLike", fam: famARN, like: true, vars: true},
	{name: "ArnNotEquals", fam: famARN, like: true, negated: true, vars: true},
	{name: "ArnNotLike", fam: famARN, like: true, negated: true, vars: true},
	{name: "Null", fam: famNull},
}

// SetOperator is the qualifier of a condition operator that compares a
// multivalued key: ForAnyValue or ForAllValues; 0 is none.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
type SetOperator uint8

// Set operators.
const (
	ForAnyValue SetOperator = iota + 1
	ForAllValues
)

// setOp is a ForAllValues/ForAnyValue qualifier.
type setOp = SetOperator

const (
	setNone setOp = 0
	setAny        = ForAnyValue
	setAll        = ForAllValues
)

// opSpec is a parsed operator name.
type opSpec struct {
	op       *operator
	set      setOp
	ifExists bool
}

// parseOperator parses "ForAnyValue:StringLikeIfExists" and the like.
// Operator names are case-sensitive.
func parseOperator(name string) (opSpec, bool) {
	var spec opSpec
	switch {
	case strings.HasPrefix(name, "ForAnyValue:"):
		spec.set, name = setAny, name[len("ForAnyValue:"):]
	case strings.HasPrefix(name, "ForAllValues:"):
		spec.set, name = setAll, name[len("ForAllValues:"):]
	}
	if base, ok := strings.CutSuffix(name, "IfExists"); ok {
		spec.ifExists, name = true, base
	}
	for i := range operators {
		if operators[i].name == name {
			// NullIfExists is accepted by IAM (Access Analyzer flags it)
			// and behaves as Null.
			spec.op = &operators[i]
			return spec, true
		}
	}
	return opSpec{}, false
}

// Operator is a condition operator as IAM reads its name: an optional
// set operator (ForAnyValue:, ForAllValues:), one of AWS's base
// operators and an optional IfExists suffix.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type Operator struct {
	Base     string       // the base operator as AWS names it: "StringLike", "NumericLessThan", "Null"
	Type     OperatorType // what the base operator compares
	Set      SetOperator  // the set operator; 0 without one
	IfExists bool
	// Negated: a Not operator (StringNotEquals, NotIpAddress,
	// ArnNotLike, ...), true when the key is missing.
	Negated bool
	// Like: the values are globs (* and ?): StringLike, StringNotLike
	// and the Arn operators.
	Like bool
	// Variables: the values may hold policy variables (the String, Arn
	// and Bool operators).
	Variables bool
}

// ParseOperator reads a condition operator name such as
// "ForAnyValue:StringLikeIfExists"; ok is false for a name IAM does not
// know (names are case-sensitive). NullIfExists is known: IAM accepts it
// and evaluates it as Null.
func ParseOperator(name string) (op Operator, ok bool) {
	spec, ok := parseOperator(name)
	if !ok {
		return Operator{}, false
	}
	o := spec.op
	return Operator{Base: o.name, Type: o.fam, Set: spec.set, IfExists: spec.ifExists,
		Negated: o.negated, Like: o.like, Variables: o.vars}, true
}

// Accepts reports whether IAM stores a policy with value under the
// operator: for the Numeric operators a number, for the Date operators a
// date IAM reads (the W3C forms of ISO 8601 and epoch seconds, as Check
// takes them), for IpAddress and NotIpAddress an IP address or CIDR
// block, for Null true or false (in any case); any value for the others.
func (o Operator) Accepts(value string) bool {
	switch o.Type {
	case NumericOperator:
		_, err := strconv.ParseFloat(value, 64)
		return err == nil
	case DateOperator:
		_, ok := policyDate(value)
		return ok
	case IPAddressOperator:
		_, ok := parseIPValue(value)
		return ok
	case NullOperator:
		switch strings.ToLower(value) {
		case "true", "false":
			return true
		}
		return false
	}
	return true
}

// condition is one compiled key block.
type condition struct {
	key  string // lower-cased
	slot keySlot
	spec opSpec
	strs []pattern
	arns []arnPattern
	nums []float64
	ts   []time.Time
	ips4 []ipv4Net      // IPv4 prefixes, as masks
	ips6 []netip.Prefix // IPv6 prefixes
	null bool           // Null: true means "the key must be absent"
}

// compileCondition compiles c. It fails with AWS's message on a value
// the operator cannot take.
func compileCondition(c Condition, vars bool) (condition, error) {
	spec, ok := parseOperator(c.Operator)
	if !ok {
		return condition{}, syntaxError()
	}
	cc := condition{spec: spec}
	cc.slot, cc.key = keyOf(c.Key)
	op := spec.op
	useVars := vars && op.vars
	for _, v := range c.Values {
		switch op.fam {
		case famString, famBool:
			cc.strs = append(cc.strs, compilePattern(v, op.like, useVars))
		case famBinary:
			cc.strs = append(cc.strs, pattern{raw: v})
		case famARN:
			cc.arns = append(cc.arns, compileARNFieldPattern(v, useVars))
		case famNumeric:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return condition{}, malformed("Invalid Condition value " + v + " for " + c.Operator)
			}
			cc.nums = append(cc.nums, f)
		case famDate:
			t, ok := parseDate(v)
			if !ok {
				return condition{}, legacyError()
			}
			cc.ts = append(cc.ts, t)
		case famIP:
			pfx, ok := parseIPValue(v)
			if !ok {
				return condition{}, malformed("Invalid Condition value " + v + " for " + c.Operator)
			}
			if pfx.Addr().Is4() {
				cc.ips4 = append(cc.ips4, newIPv4Net(pfx))
			} else {
				cc.ips6 = append(cc.ips6, pfx)
			}
		case famNull:
			switch strings.ToLower(v) {
			case "true":
				cc.null = true
			case "false":
				cc.null = false
			default:
				return condition{}, malformed("Invalid Condition value " + v + " for Null")
			}
		}
	}
	return cc, nil
}

// ipv4Net is an IPv4 prefix as a network address and mask, so that a
// match is one AND and one compare.
type ipv4Net struct{ addr, mask uint32 }

func newIPv4Net(p netip.Prefix) ipv4Net {
	mask := ^uint32(0) << (32 - p.Bits()) // 0 for /0
	return ipv4Net{addr: ipv4Uint(p.Addr()) & mask, mask: mask}
}

func ipv4Uint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func parseIPValue(v string) (netip.Prefix, bool) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against the request context.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func (c *condition) eval(ctx *Context) bool {
	e := ctx.lookup(c.slot, c.key)
	op := c.spec.op
	if op.fam == famNull {
		// With a set operator Null is constant: ForAllValues:Null is
		// always true and ForAnyValue:Null always false.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
		switch c.spec.set {
		case setAll:
			return true
		case setAny:
			return false
		}
		absent := e == nil || len(e.vals) == 0
		return absent == c.null
	}
	if e == nil || len(e.vals) == 0 {
		if c.spec.ifExists {
			return true
		}
		switch c.spec.set {
		case setAll:
			return true
		case setAny:
			return false
		}
		// A missing key matches no value: a negated operator is true.
		return op.negated
	}
	switch c.spec.set {
	case setAny:
		for i := range e.vals {
			if c.matchValue(&e.vals[i], ctx) != op.negated {
				return true
			}
		}
		return false
	case setAll:
		for i := range e.vals {
			if c.matchValue(&e.vals[i], ctx) == op.negated {
				return false
			}
		}
		return true
	}
	// A multivalued key needs a set operator: without one, a request
	// key with several values matches nothing.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
	if len(e.vals) > 1 {
		return false
	}
	return c.matchValue(&e.vals[0], ctx) != op.negated
}

// matchValue reports whether one context value matches any of the
// condition's values under the base (un-negated) operator.
func (c *condition) matchValue(v *ctxValue, ctx *Context) bool {
	op := c.spec.op
	switch op.fam {
	case famString:
		for i := range c.strs {
			p := &c.strs[i]
			var ok bool
			switch {
			case op.like:
				ok = p.like(v.s, ctx)
			default:
				ok = p.equal(v.s, ctx, op.fold)
			}
			if ok {
				return true
			}
		}
	case famBool:
		for i := range c.strs {
			if c.strs[i].equal(v.s, ctx, true) {
				return true
			}
		}
	case famBinary:
		for i := range c.strs {
			if binaryEqual(c.strs[i].raw, v.s) {
				return true
			}
		}
	case famARN:
		for i := range c.arns {
			if c.arns[i].match(v.s, ctx) {
				return true
			}
		}
	case famNumeric:
		if !v.hasNum {
			return false
		}
		for _, n := range c.nums {
			if compare(op.cmp, cmpFloat(v.num, n)) {
				return true
			}
		}
	case famDate:
		if !v.hasT {
			return false
		}
		for _, t := range c.ts {
			if compare(op.cmp, v.t.Compare(t)) {
				return true
			}
		}
	case famIP:
		// An IPv4-mapped IPv6 address matches as IPv4 and as itself.
		if v.is4 {
			for _, n := range c.ips4 {
				if v.v4&n.mask == n.addr {
					return true
				}
			}
		}
		if v.ip.Is6() {
			for i := range c.ips6 {
				if c.ips6[i].Contains(v.ip) {
					return true
				}
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c cmp, r int) bool {
	switch c {
	case cmpEq:
		return r == 0
	case cmpLt:
		return r < 0
	case cmpLe:
		return r <= 0
	case cmpGt:
		return r > 0
	case cmpGe:
		return r >= 0
	}
	return false
}

// binaryEqual compares two base64 values by their bytes, falling back to
// the text when either is not valid base64.
func binaryEqual(policy, req string) bool {
	if policy == req {
		return true
	}
	a, err1 := base64.StdEncoding.DecodeString(policy)
	b, err2 := base64.StdEncoding.DecodeString(req)
	return err1 == nil && err2 == nil && string(a) == string(b)
}
