package policy

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jkind is the type of a JSON value (a Node's Kind).
type jkind = NodeKind

const (
	jNull   = NodeNull
	jBool   = NodeBool
	jNumber = NodeNumber
	jString = NodeString
	jArray  = NodeArray
	jObject = NodeObject
)

// jvalue is a JSON value as the policy reader needs it: object members in
// document order (duplicates kept), scalars as text, and where the value
// is in the source (byte offsets; a string's span includes its quotes).
type jvalue struct {
	kind     jkind
	dup      bool      // an object with a repeated member name
	pos, end int32     // the value's bytes in the source, end exclusive
	s        string    // string value; number or boolean text
	mem      []jmember // object members
	vals     []*jvalue // array items
}

// jmember is one member of an object.
type jmember struct {
	key        string
	kpos, kend int32 // the key's bytes in the source, quotes included
	val        *jvalue
}

// lastMember returns the last member named k (the one that counts), or
// nil.
func (v *jvalue) lastMember(k string) *jmember {
	for i := len(v.mem) - 1; i >= 0; i-- {
		if v.mem[i].key == k {
			return &v.mem[i]
		}
	}
	return nil
}

// jsonReader reads one JSON value in a single pass. Strings without
// escapes are substrings of src, which is copied from the input once.
type jsonReader struct {
	src   string
	pos   int
	depth int
	slab  []jvalue // values are carved from here, a chunk at a time
}

// alloc returns a new value from the slab.
func (r *jsonReader) alloc(k jkind) *jvalue {
	if len(r.slab) == cap(r.slab) {
		r.slab = make([]jvalue, 0, 32)
	}
	r.slab = append(r.slab, jvalue{kind: k})
	return &r.slab[len(r.slab)-1]
}

// maxDepth bounds nesting; policies nest four levels at most.
const maxDepth = 64

// maxSource bounds the size of a document, so that offsets fit in int32.
const maxSource = 1 << 30

// jsonError is invalid JSON; pos is the byte offset of the first byte
// that cannot be read.
type jsonError struct{ pos int }

func (e *jsonError) Error() string { return "invalid JSON at offset " + strconv.Itoa(e.pos) }

func parseJSON(data []byte) (*jvalue, error) { return parseJSONText(string(data)) }

// parseJSONText is parseJSON on text already copied from the input.
func parseJSONText(src string) (*jvalue, error) {
	if len(src) >= maxSource {
		return nil, &jsonError{maxSource}
	}
	r := &jsonReader{src: src}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	r.space()
	if r.pos != len(r.src) {
		return nil, &jsonError{r.pos}
	}
	return v, nil
}

func (r *jsonReader) fail() error { return &jsonError{r.pos} }

func (r *jsonReader) space() {
	for r.pos < len(r.src) {
		switch r.src[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

func (r *jsonReader) value() (*jvalue, error) {
	r.space()
	if r.pos >= len(r.src) {
		return nil, r.fail()
	}
	start := r.pos
	var v *jvalue
	var err error
	switch c := r.src[r.pos]; {
	case c == '{':
		v, err = r.object()
	case c == '[':
		v, err = r.array()
	case c == '"':
		var s string
		if s, err = r.str(); err == nil {
			v = r.alloc(jString)
			v.s = s
		}
	case c == 't':
		v, err = r.literal("true", jBool)
	case c == 'f':
		v, err = r.literal("false", jBool)
	case c == 'n':
		v, err = r.literal("null", jNull)
	case c == '-' || c >= '0' && c <= '9':
		v, err = r.number()
	default:
		return nil, r.fail()
	}
	if err != nil {
		return nil, err
	}
	v.pos, v.end = int32(start), int32(r.pos)
	return v, nil
}

func (r *jsonReader) literal(word string, k jkind) (*jvalue, error) {
	if len(r.src)-r.pos < len(word) || r.src[r.pos:r.pos+len(word)] != word {
		return nil, r.fail()
	}
	r.pos += len(word)
	v := r.alloc(k)
	v.s = word
	return v, nil
}

func (r *jsonReader) number() (*jvalue, error) {
	start := r.pos
	if r.src[r.pos] == '-' {
		r.pos++
	}
	digits := func() int {
		n := 0
		for r.pos < len(r.src) && r.src[r.pos] >= '0' && r.src[r.pos] <= '9' {
			r.pos++
			n++
		}
		return n
	}
	if r.pos < len(r.src) && r.src[r.pos] == '0' {
		r.pos++
	} else if digits() == 0 {
		return nil, r.fail()
	}
	if r.pos < len(r.src) && r.src[r.pos] == '.' {
		r.pos++
		if digits() == 0 {
			return nil, r.fail()
		}
	}
	if r.pos < len(r.src) && (r.src[r.pos] == 'e' || r.src[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.src) && (r.src[r.pos] == '+' || r.src[r.pos] == '-') {
			r.pos++
		}
		if digits() == 0 {
			return nil, r.fail()
		}
	}
	v := r.alloc(jNumber)
	v.s = r.src[start:r.pos]
	return v, nil
}

func (r *jsonReader) str() (string, error) {
	r.pos++ // opening quote
	start := r.pos
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		switch {
		case c == '"':
			s := r.src[start:r.pos]
			r.pos++
			return s, nil
		case c == '\\':
			return r.strSlow(start)
		case c < 0x20:
			return "", r.fail()
		}
		r.pos++
	}
	return "", r.fail()
}

// strSlow decodes a string with escapes, from start (after the quote).
func (r *jsonReader) strSlow(start int) (string, error) {
	buf := []byte(r.src[start:r.pos])
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		switch {
		case c == '"':
			r.pos++
			if !utf8.Valid(buf) {
				return string([]rune(string(buf))), nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", r.fail()
		case c != '\\':
			buf = append(buf, c)
			r.pos++
			continue
		}
		r.pos++
		if r.pos >= len(r.src) {
			return "", r.fail()
		}
		e := r.src[r.pos]
		r.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			ru, ok := r.hex4()
			if !ok {
				return "", r.fail()
			}
			if utf16.IsSurrogate(ru) {
				if r.pos+1 < len(r.src) && r.src[r.pos] == '\\' && r.src[r.pos+1] == 'u' {
					save := r.pos
					r.pos += 2
					lo, ok := r.hex4()
					if ok {
						if dec := utf16.DecodeRune(ru, lo); dec != utf8.RuneError {
							buf = utf8.AppendRune(buf, dec)
							continue
						}
					}
					r.pos = save
				}
				ru = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, ru)
		default:
			return "", r.fail()
		}
	}
	return "", r.fail()
}

func (r *jsonReader) hex4() (rune, bool) {
	if len(r.src)-r.pos < 4 {
		return 0, false
	}
	var v rune
	for i := 0; i < 4; i++ {
		c := r.src[r.pos+i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	r.pos += 4
	return v, true
}

func (r *jsonReader) array() (*jvalue, error) {
	if r.depth++; r.depth > maxDepth {
		return nil, r.fail()
	}
	defer func() { r.depth-- }()
	r.pos++
	v := r.alloc(jArray)
	v.vals = make([]*jvalue, 0, 4)
	r.space()
	if r.pos < len(r.src) && r.src[r.pos] == ']' {
		r.pos++
		return v, nil
	}
	for {
		it, err := r.value()
		if err != nil {
			return nil, err
		}
		v.vals = append(v.vals, it)
		if done, err := r.next(']'); err != nil || done {
			return v, err
		}
	}
}

// next reads the separator after a member: a comma (done is false) or
// the closing bracket (done is true).
func (r *jsonReader) next(closing byte) (done bool, err error) {
	r.space()
	if r.pos < len(r.src) {
		switch r.src[r.pos] {
		case ',':
			r.pos++
			return false, nil
		case closing:
			r.pos++
			return true, nil
		}
	}
	return false, r.fail()
}

func (r *jsonReader) object() (*jvalue, error) {
	if r.depth++; r.depth > maxDepth {
		return nil, r.fail()
	}
	defer func() { r.depth-- }()
	r.pos++
	v := r.alloc(jObject)
	r.space()
	if r.pos < len(r.src) && r.src[r.pos] == '}' {
		r.pos++
		return v, nil
	}
	v.mem = make([]jmember, 0, 4)
	var seen map[string]bool // member names, once the object is large
	for {
		r.space()
		if r.pos >= len(r.src) || r.src[r.pos] != '"' {
			return nil, r.fail()
		}
		kpos := r.pos
		k, err := r.str()
		if err != nil {
			return nil, err
		}
		kend := r.pos
		r.space()
		if r.pos >= len(r.src) || r.src[r.pos] != ':' {
			return nil, r.fail()
		}
		r.pos++
		val, err := r.value()
		if err != nil {
			return nil, err
		}
		if !v.dup {
			v.dup, seen = repeated(v.mem, seen, k)
		}
		v.mem = append(v.mem, jmember{key: k, kpos: int32(kpos), kend: int32(kend), val: val})
		if done, err := r.next('}'); err != nil || done {
			return v, err
		}
	}
}

// smallObject is how many members an object may have before repeated
// names are found with a set rather than by a scan, so that a document
// of many members costs time linear in its size (a 128 KiB condition
// block of 12,000 keys took 0.2 s by scans).
const smallObject = 16

// repeated reports whether k is the name of one of mem, given seen, the
// set of their names once mem has smallObject members (nil before);
// it returns the set with k added.
func repeated(mem []jmember, seen map[string]bool, k string) (bool, map[string]bool) {
	if seen == nil {
		for i := range mem {
			if mem[i].key == k {
				return true, nil
			}
		}
		if len(mem) < smallObject {
			return false, nil
		}
		seen = make(map[string]bool, 2*len(mem))
		for i := range mem {
			seen[mem[i].key] = true
		}
	} else if seen[k] {
		return true, seen
	}
	seen[k] = true
	return false, seen
}

// strings returns a string or an array of strings; an empty array gives
// a non-nil empty slice. On failure it returns nil and the index of the
// first item that is not a string (0 when v itself is neither).
func (v *jvalue) strings() ([]string, int) {
	switch v.kind {
	case jString:
		return []string{v.s}, -1
	case jArray:
		out := make([]string, len(v.vals))
		for i, it := range v.vals {
			if it.kind != jString {
				return nil, i
			}
			out[i] = it.s
		}
		return out, -1
	}
	return nil, 0
}

// scalars returns a condition value: strings, numbers or booleans, one or
// an array of them. On failure it returns nil and the index of the first
// item that is not a scalar (0 when v itself is neither).
func (v *jvalue) scalars() ([]string, int) {
	scalar := func(x *jvalue) bool { return x.kind == jString || x.kind == jNumber || x.kind == jBool }
	if v.kind == jArray {
		out := make([]string, len(v.vals))
		for i, it := range v.vals {
			if !scalar(it) {
				return nil, i
			}
			out[i] = it.s
		}
		return out, -1
	}
	if !scalar(v) {
		return nil, 0
	}
	return []string{v.s}, -1
}
