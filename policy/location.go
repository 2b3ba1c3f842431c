package policy

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// PathKind says what a PathElement steps into.
type PathKind uint8

// Path element kinds, as Access Analyzer's ValidatePolicy names them.
const (
	PathIndex PathKind = iota + 1 // an item of an array
	PathValue                     // the value of an object member
	PathKey                       // an object member's name itself
)

// PathElement is one step of a path through the JSON of a policy, in the
// shape of Access Analyzer's PathElement: {"index": 0}, {"value":
// "Statement"} (the value of the member Statement) or {"key":
// "aws:SourceIp"} (the member name itself).
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_PathElement.html
type PathElement struct {
	Kind  PathKind
	Index int    // for PathIndex
	Name  string // for PathValue and PathKey
}

func pv(name string) PathElement { return PathElement{Kind: PathValue, Name: name} }
func pk(name string) PathElement { return PathElement{Kind: PathKey, Name: name} }
func pi(i int) PathElement       { return PathElement{Kind: PathIndex, Index: i} }

// stmtPath is the path of statement i and then more.
func stmtPath(i int, more ...PathElement) []PathElement {
	return append([]PathElement{pv("Statement"), pi(i)}, more...)
}

// MarshalJSON writes the element as Access Analyzer does.
func (e PathElement) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case PathIndex:
		return []byte(`{"index":` + strconv.Itoa(e.Index) + `}`), nil
	case PathKey:
		return []byte(`{"key":` + strconv.Quote(e.Name) + `}`), nil
	}
	return []byte(`{"value":` + strconv.Quote(e.Name) + `}`), nil
}

// PathString writes a path for people: Statement[0].Condition.StringEquals
// for values, with a member name itself in quotes
// (Statement[0].Condition.StringEquals."aws:SourceIp").
func PathString(path []PathElement) string {
	var b strings.Builder
	for _, e := range path {
		switch e.Kind {
		case PathIndex:
			b.WriteString("[" + strconv.Itoa(e.Index) + "]")
		case PathKey:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(strconv.Quote(e.Name))
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.Name)
		}
	}
	return b.String()
}

// Position is a place in the policy text: line from 1, column from 0,
// offset from 0, columns and offsets counted in UTF-16 code units as
// Access Analyzer (a Java service) counts them; for ASCII text they are
// characters.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// Span is a stretch of the policy text, End exclusive.
type Span struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Location is where a finding is: a path through the JSON and the text it
// covers (a string's quotes included).
type Location struct {
	Path []PathElement `json:"path"`
	Span Span          `json:"span"`
}

// locator turns paths into locations against one parsed document.
type locator struct {
	src  string  // the text as given
	base int     // where the parsed text starts in src (after a byte order mark)
	root *jvalue // nil when the text is not JSON

	once  sync.Once
	lines []int // byte offsets of the line starts, found on first use
	ascii bool
}

// locate follows path as far as the document goes and returns the
// location of what it reaches; the path is returned as followed, so an
// index into an element written as a single value (Action: "s3:*") or a
// Statement written as one object is dropped.
func (l *locator) locate(path []PathElement) Location {
	if l.root == nil {
		return Location{Path: []PathElement{}, Span: l.span(0, 0)}
	}
	v := l.root
	out := make([]PathElement, 0, len(path))
	start, end := int(v.pos), int(v.end)
	for _, e := range path {
		switch e.Kind {
		case PathIndex:
			if v.kind != jArray {
				continue // a single value stands for the list of one
			}
			if e.Index < 0 || e.Index >= len(v.vals) {
				return Location{Path: out, Span: l.span(start, end)}
			}
			v = v.vals[e.Index]
			start, end = int(v.pos), int(v.end)
		case PathValue, PathKey:
			if v.kind != jObject {
				return Location{Path: out, Span: l.span(start, end)}
			}
			m := v.lastMember(e.Name)
			if m == nil {
				return Location{Path: out, Span: l.span(start, end)}
			}
			if e.Kind == PathKey {
				out = append(out, e)
				return Location{Path: out, Span: l.span(int(m.kpos), int(m.kend))}
			}
			v = m.val
			start, end = int(v.pos), int(v.end)
		}
		out = append(out, e)
	}
	return Location{Path: out, Span: l.span(start, end)}
}

// point is the location of a byte offset, for text that is not JSON.
func (l *locator) point(off int) Location {
	return Location{Path: []PathElement{}, Span: l.span(off, off)}
}

func (l *locator) span(start, end int) Span {
	return Span{Start: l.position(l.base + start), End: l.position(l.base + end)}
}

// position converts a byte offset. The line starts are found once; the
// UTF-16 counts are counted from the line's start (and, for text that is
// not ASCII, from the start of the text).
func (l *locator) position(off int) Position {
	off = min(max(off, 0), len(l.src))
	l.once.Do(func() {
		l.lines = []int{0}
		l.ascii = true
		for i := 0; i < len(l.src); i++ {
			switch c := l.src[i]; {
			case c == '\n':
				l.lines = append(l.lines, i+1)
			case c >= utf8.RuneSelf:
				l.ascii = false
			}
		}
	})
	line, _ := slices.BinarySearch(l.lines, off+1)
	start := l.lines[line-1]
	if l.ascii {
		return Position{Line: line, Column: off - start, Offset: off}
	}
	return Position{Line: line, Column: utf16Len(l.src[start:off]), Offset: utf16Len(l.src[:off])}
}

// utf16Len counts the UTF-16 code units of s.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
