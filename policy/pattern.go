package policy

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// tokKind is one element of a compiled pattern.
type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // * : any run of characters
	tokQuest                // ? : exactly one character
	tokVar                  // ${key} or ${key, 'default'}
)

type token struct {
	kind   tokKind
	hasDef bool    // a variable has a default value, the pattern's defs[vn]
	slot   keySlot // a variable's key slot in Context
	vn     int32   // a variable's number in the pattern, from 0
	s      string  // literal text, or the lower-cased context key of a variable
}

// pattern is a compiled string from a policy: a Resource entry or a
// condition value. It may hold wildcards (when the place allows them) and
// policy variables (in 2012-10-17 documents).
type pattern struct {
	raw    string
	toks   []token
	glob   bool // has * or ?
	vars   bool // has variables
	prefix string
	// vx describes the variables; nil without any.
	vx *patVars
	// stars holds, for a glob with * but no ? nor variables, the literal
	// text between its stars (len(stars) = stars + 1), so that a match
	// is a prefix, a suffix and an in-order search for the rest.
	stars []string
}

// patVars are a pattern's variables: the indexes of their tokens, and
// their default values by variable number (nil when none has one).
type patVars struct {
	toks []int32
	defs []string
}

// maxVars bounds the variables of one pattern that are resolved on the
// stack; a pattern with more is still matched, resolving as it goes.
const maxVars = 8

// compilePattern compiles s. wild says whether * and ? are wildcards;
// vars whether ${...} is a policy variable. A malformed variable (no
// closing brace) is literal text, as AWS treats it.
func compilePattern(s string, wild, vars bool) pattern {
	return compileTokens(s, wild, vars, false)
}

// compileTokens compiles s; with colons, every ':' is a token of its
// own, so that ARN segments are token ranges. Literal tokens are
// substrings of s.
func compileTokens(s string, wild, vars, colons bool) pattern {
	// The tokens are gathered on the stack and kept in a slice of their
	// exact length: a policy holds hundreds of patterns for as long as it
	// is in use.
	var buf [32]token
	p := pattern{raw: s, toks: buf[:0]}
	start := 0
	escaped := false // a ${*}, ${?} or ${$} became a literal token
	flush := func(i int) {
		if i > start {
			p.toks = append(p.toks, token{kind: tokLit, s: s[start:i]})
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && (c == '*' || c == '?'):
			flush(i)
			kind := tokStar
			if c == '?' {
				kind = tokQuest
			}
			p.toks = append(p.toks, token{kind: kind})
			p.glob = true
			i++
			start = i
		case colons && c == ':':
			flush(i)
			p.toks = append(p.toks, token{kind: tokLit, s: ":"})
			i++
			start = i
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				i++
				continue
			}
			body := s[i+2 : i+end]
			switch body {
			case "*", "?", "$":
				flush(i)
				escaped = true
				p.toks = append(p.toks, token{kind: tokLit, s: body})
				i += end + 1
				start = i
				continue
			}
			key, def, hasDef := parseVarBody(body)
			if key == "" {
				i += end + 1
				continue
			}
			flush(i)
			slot, lkey := keyOf(key)
			if p.vx == nil {
				p.vx = &patVars{}
			}
			p.vx.toks = append(p.vx.toks, int32(len(p.toks)))
			vn := int32(len(p.vx.toks) - 1)
			if hasDef {
				for len(p.vx.defs) <= int(vn) {
					p.vx.defs = append(p.vx.defs, "")
				}
				p.vx.defs[vn] = def
			}
			p.toks = append(p.toks, token{kind: tokVar, slot: slot, vn: vn, s: lkey, hasDef: hasDef})
			p.vars = true
			i += end + 1
			start = i
		default:
			i++
		}
	}
	flush(len(s))
	p.toks = slices.Clone(p.toks)
	if p.glob && !p.vars && !colons {
		p.stars = starParts(p.toks)
	}
	n, size := 0, 0
	for n < len(p.toks) && p.toks[n].kind == tokLit {
		size += len(p.toks[n].s)
		n++
	}
	switch {
	case n == 0:
	case n == 1:
		p.prefix = p.toks[0].s
	case !escaped:
		// Literal tokens are consecutive pieces of s from its start.
		p.prefix = s[:size]
	default:
		var b strings.Builder
		for _, t := range p.toks[:n] {
			b.WriteString(t.s)
		}
		p.prefix = b.String()
	}
	return p
}

// starParts returns the literal text between the stars of toks, or nil
// when toks hold a ? or a variable.
func starParts(toks []token) []string {
	n := 1
	for _, t := range toks {
		switch t.kind {
		case tokStar:
			n++
		case tokQuest, tokVar:
			return nil
		}
	}
	parts := make([]string, 1, n)
	for _, t := range toks {
		switch last := &parts[len(parts)-1]; {
		case t.kind == tokStar:
			parts = append(parts, "")
		case *last == "":
			*last = t.s // a substring of the pattern: no copy
		default:
			*last += t.s // literal tokens side by side (after ${*} and the like)
		}
	}
	return parts
}

// matchStars matches s against a glob of literal parts joined by stars:
// the first part must open s, the last close it, and the others occur in
// order in between; the leftmost occurrence of each is as good as any.
func matchStars(parts []string, s string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || s[:len(first)] != first || s[len(s)-len(last):] != last {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, m := range parts[1 : len(parts)-1] {
		i := strings.Index(s, m)
		if i < 0 {
			return false
		}
		s = s[i+len(m):]
	}
	return true
}

// parseVarBody splits "aws:username, 'anon'" into key and default.
func parseVarBody(body string) (key, def string, hasDef bool) {
	key = body
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = body[:i]
		d := strings.TrimSpace(body[i+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return "", "", false
		}
		def, hasDef = d[1:len(d)-1], true
	}
	key = strings.TrimSpace(key)
	if strings.ContainsAny(key, " '{}$") {
		return "", "", false
	}
	return key, def, hasDef
}

// resolved holds the values of a pattern's variables for one match.
type resolved struct {
	vals [maxVars]string
}

// resolve looks up the pattern's variables. ok is false when a variable
// has no single value and no default: the pattern then matches nothing.
func (p *pattern) resolve(ctx *Context, r *resolved) bool {
	if p.vx == nil {
		return true
	}
	for n, i := range p.vx.toks {
		t := &p.toks[i]
		v, ok := ctx.single(t.slot, t.s)
		if !ok {
			if !t.hasDef {
				return false
			}
			v = p.vx.defs[t.vn]
		}
		if n < maxVars {
			r.vals[n] = v
		}
	}
	return true
}

// varValue returns the value of the n-th variable.
func (p *pattern) varValue(ctx *Context, r *resolved, n int) string {
	if n < maxVars {
		return r.vals[n]
	}
	t := &p.toks[p.vx.toks[n]]
	v, ok := ctx.single(t.slot, t.s)
	if !ok && t.hasDef {
		v = p.vx.defs[t.vn]
	}
	return v
}

// equal reports whether s equals the pattern with its variables resolved
// (no wildcards). fold compares case-insensitively.
func (p *pattern) equal(s string, ctx *Context, fold bool) bool {
	if !p.vars {
		// Without variables the tokens are all literal: the prefix is
		// the whole text, ${*} and the like already unescaped.
		if fold {
			return strings.EqualFold(p.prefix, s)
		}
		return p.prefix == s
	}
	var r resolved
	if !p.resolve(ctx, &r) {
		return false
	}
	for i := range p.toks {
		t := &p.toks[i]
		lit := t.s
		if t.kind == tokVar {
			lit = p.varValue(ctx, &r, int(t.vn))
		}
		if len(s) < len(lit) {
			return false
		}
		if fold {
			if !strings.EqualFold(s[:len(lit)], lit) {
				return false
			}
		} else if s[:len(lit)] != lit {
			return false
		}
		s = s[len(lit):]
	}
	return s == ""
}

// like reports whether s matches the pattern as a glob.
func (p *pattern) like(s string, ctx *Context) bool {
	if !p.glob {
		return p.equal(s, ctx, false)
	}
	if p.stars != nil {
		return matchStars(p.stars, s)
	}
	if !p.vars {
		return globTokens(p, 0, len(p.toks), s, nil, nil)
	}
	var r resolved
	if !p.resolve(ctx, &r) {
		return false
	}
	return globTokens(p, 0, len(p.toks), s, ctx, &r)
}

// globTokens matches s against toks[from:to] with * and ?, greedy with
// backtracking to the last star only: O(len(s)·len(toks)). After a star,
// a literal is looked for with strings.Index rather than tried at every
// position, and a final star matches the rest at once.
func globTokens(p *pattern, from, to int, s string, ctx *Context, r *resolved) bool {
	ti, si := from, 0
	starTi, starSi := -1, 0
	for {
		if ti < to {
			t := &p.toks[ti]
			switch t.kind {
			case tokStar:
				if ti+1 == to {
					return true // a final * takes the rest
				}
				starTi, starSi = ti, si
				ti++
				// A literal after the star can only match where it
				// occurs: go there directly.
				if lit := &p.toks[ti]; lit.kind == tokLit {
					j := strings.Index(s[si:], lit.s)
					if j < 0 {
						return false
					}
					si += j
					starSi = si
				}
				continue
			case tokQuest:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			case tokLit:
				if strings.HasPrefix(s[si:], t.s) {
					si += len(t.s)
					ti++
					continue
				}
			case tokVar:
				v := p.varValue(ctx, r, int(t.vn))
				if strings.HasPrefix(s[si:], v) {
					si += len(v)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		// The star takes one more character (not byte: a ? after it must
		// not match part of a multi-byte one).
		if s[starSi] < utf8.RuneSelf {
			starSi++
		} else {
			_, w := utf8.DecodeRuneInString(s[starSi:])
			starSi += w
		}
		if lit := &p.toks[starTi+1]; lit.kind == tokLit {
			j := strings.Index(s[starSi:], lit.s)
			if j < 0 {
				return false
			}
			starSi += j
		}
		si, ti = starSi, starTi+1
	}
}

// arnPattern is a Resource entry or an Arn* condition value: wildcards
// stay within the colon-separated segments of the ARN, except that a *
// ending a segment may run past colons. "*" alone matches anything.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
type arnPattern struct {
	pattern
	any bool
	// prefixOnly: a literal prefix then a final * (no variables), so a
	// match is a prefix test.
	prefixOnly bool
	// restOff > 0: the first five segments are literal and end at this
	// offset, and the pattern has six segments; a value with no colon in
	// its resource part then needs one glob of the last segment.
	restOff int
	segs    []arnSeg
	// fields: the Arn* condition operators compare the six
	// colon-separated fields of the ARN one by one, the last being all
	// that follows the fifth colon; no * spans a colon between fields.
	fields bool
}

type arnSeg struct {
	from, to int  // token range in pattern.toks
	tail     bool // ends with *: may run past colons
}

// compileARNFieldPattern compiles an Arn* condition value.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
func compileARNFieldPattern(s string, vars bool) arnPattern {
	ap := compileARNPattern(s, vars)
	if ap.any {
		return ap
	}
	ap.fields = true
	ap.prefixOnly = false
	ap.restOff = 0
	if len(ap.segs) > 6 {
		// The sixth field runs to the end, colons and all.
		last := ap.segs[len(ap.segs)-1]
		ap.segs[5].to = last.to
		ap.segs[5].tail = last.tail
		ap.segs = ap.segs[:6]
	}
	return ap
}

func compileARNPattern(s string, vars bool) arnPattern {
	if s == "*" {
		return arnPattern{pattern: pattern{raw: s}, any: true}
	}
	ap := arnPattern{pattern: compileTokens(s, true, vars, true)}
	toks := ap.toks
	n := len(ap.pattern.toks)
	if !ap.vars && n > 0 && ap.pattern.toks[n-1].kind == tokStar && len(ap.prefix) == len(s)-1 {
		ap.prefixOnly = true
	}
	ap.segs = make([]arnSeg, 0, strings.Count(s, ":")+1)
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && !(toks[i].kind == tokLit && toks[i].s == ":") {
			continue
		}
		seg := arnSeg{from: start, to: i}
		seg.tail = i > start && toks[i-1].kind == tokStar
		ap.segs = append(ap.segs, seg)
		start = i + 1
	}
	if len(ap.segs) == 6 && strings.Count(ap.prefix, ":") >= 5 {
		off := 0
		for i := 0; i < 5; i++ {
			off += strings.IndexByte(ap.prefix[off:], ':') + 1
		}
		ap.restOff = off
	}
	return ap
}

// match reports whether the ARN s matches. The walk keeps the set of
// colon boundaries where the current pattern segment may start: a
// segment matches the colon-free run at its start, and a segment that
// ends in * lets the next one start at any later boundary.
func (ap *arnPattern) match(s string, ctx *Context) bool {
	if ap.any {
		return true
	}
	if !ap.glob {
		return ap.equal(s, ctx, false)
	}
	if len(s) < len(ap.prefix) || s[:len(ap.prefix)] != ap.prefix {
		return false
	}
	if ap.prefixOnly {
		return true
	}
	var r *resolved // the variables' values, when the pattern has some
	if ap.vars {
		var vals resolved
		if !ap.resolve(ctx, &vals) {
			return false
		}
		r = &vals
	}
	if ap.fields {
		return ap.matchFields(s, ctx, r)
	}
	if ap.restOff > 0 && strings.IndexByte(s[ap.restOff:], ':') < 0 {
		last := ap.segs[5]
		return globTokens(&ap.pattern, last.from, last.to, s[ap.restOff:], ctx, r)
	}
	var bounds [64]int // bounds[0] = 0; then each colon index + 1
	nb := 1
	for i := 0; i < len(s) && nb < len(bounds); i++ {
		if s[i] == ':' {
			bounds[nb] = i + 1
			nb++
		}
	}
	mask := uint64(1)
	for si, seg := range ap.segs {
		last := si == len(ap.segs)-1
		var next uint64
		for bi := 0; bi < nb; bi++ {
			if mask&(1<<bi) == 0 {
				continue
			}
			p := bounds[bi]
			end := len(s)
			if bi+1 < nb {
				end = bounds[bi+1] - 1
			}
			if !globTokens(&ap.pattern, seg.from, seg.to, s[p:end], ctx, r) {
				continue
			}
			switch {
			case last:
				if seg.tail || end == len(s) {
					return true
				}
			case end == len(s):
			case seg.tail:
				next |= ^uint64(0) << (bi + 1)
			default:
				next |= 1 << (bi + 1)
			}
		}
		if nb < 64 {
			next &= 1<<nb - 1
		}
		if next == 0 {
			return false
		}
		mask = next
	}
	return false
}

// matchFields matches the six fields of s one by one.
func (ap *arnPattern) matchFields(s string, ctx *Context, r *resolved) bool {
	if len(ap.segs) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		field := s
		if i < 5 {
			j := strings.IndexByte(s, ':')
			if j < 0 {
				return false
			}
			field, s = s[:j], s[j+1:]
		}
		seg := ap.segs[i]
		if !globTokens(&ap.pattern, seg.from, seg.to, field, ctx, r) {
			return false
		}
	}
	return true
}
