package policy

// Tree is a policy document's JSON as written, read by the same reader as
// Parse: every value and member name where it is in the text, object
// members in document order with repeated names kept, whether or not the
// document is a valid policy. It is for tools that report on a document
// where it is written (package policy/lint, Access Analyzer's checks):
// they walk the Nodes from Root and place what they find with Locate.
//
// A Tree is read-only and safe for concurrent use.
type Tree struct {
	loc locator
	err *Error // the text is not JSON
}

// ParseTree reads data as JSON (after a byte order mark, which positions
// still count). For text that is not JSON it returns an *Error, as Parse
// does ("Syntax errors in policy."), and a Tree without a root, so that
// Check and LocateError still answer for it; the Tree is never nil.
func ParseTree(data []byte) (*Tree, error) {
	t := &Tree{loc: locator{src: string(data)}}
	body := trimBOM(data)
	t.loc.base = len(data) - len(body)
	root, err := parseJSONText(t.loc.src[t.loc.base:])
	if err != nil {
		t.err = notJSONError(err)
		return t, t.err
	}
	t.loc.root = root
	return t, nil
}

// Root is the document's top value; the zero Node when the text is not
// JSON.
func (t *Tree) Root() Node { return Node{t.loc.root} }

// Check is CheckDocument on the tree's text, without reading it again:
// IAM's verdict on the policy stored as kind in an account of partition
// (the grammar, the size quota, CheckIn), and the Document when IAM
// accepts it.
func (t *Tree) Check(kind Kind, entity, partition string) (*Document, error) {
	if t.loc.root == nil {
		return nil, t.err.forKind(kind)
	}
	doc, err := parseDocument(t.loc.root)
	if err != nil {
		return nil, err
	}
	if q := kind.SizeQuota(); q != 0 && textSize(t.loc.src) > q {
		return nil, sizeError(kind, entity)
	}
	if err := doc.check(kind, partition); err != nil {
		return nil, err
	}
	return doc, nil
}

// Locate returns where path leads in the text: the path as far as the
// document goes, and the span of what it reaches (a string's quotes
// included; a PathKey step ends at the member name itself). An index
// into an element written as a single value (Action: "s3:*") or into a
// Statement written as one object is dropped from the path, since the
// value stands for the list of one. Without a root, it is the start of
// the text.
func (t *Tree) Locate(path []PathElement) Location { return t.loc.locate(path) }

// LocateError returns where an error about the tree's text (from Check
// or ParseTree) is: the element at fault (Error.Path), the document for
// an error about the whole of it, or, for text that is not JSON, the
// point where reading stopped.
func (t *Tree) LocateError(e *Error) Location {
	if e.notJSON {
		return t.loc.point(e.off)
	}
	return t.loc.locate(e.path)
}

// NodeKind is the JSON type of a Node.
type NodeKind uint8

// Node kinds. The zero NodeKind is no value.
const (
	NodeNull NodeKind = iota + 1
	NodeBool
	NodeNumber
	NodeString
	NodeArray
	NodeObject
)

// Node is one value of a Tree. The zero Node is no value: its Kind is 0
// and it has no items or members. Nodes are comparable; two are equal
// when they are the same value of the same tree.
type Node struct{ v *jvalue }

// Kind is the value's JSON type, 0 for the zero Node.
func (n Node) Kind() NodeKind {
	if n.v == nil {
		return 0
	}
	return n.v.kind
}

// Text is a string's value (escapes decoded), a number's or a boolean's
// text as written, "null" for null and "" for arrays and objects.
func (n Node) Text() string {
	if n.v == nil {
		return ""
	}
	return n.v.s
}

// Len is the number of items of an array or members of an object; 0 for
// other values.
func (n Node) Len() int {
	switch n.Kind() {
	case NodeArray:
		return len(n.v.vals)
	case NodeObject:
		return len(n.v.mem)
	}
	return 0
}

// Item returns item i of an array. It panics if n is not an array or i
// is out of range.
func (n Node) Item(i int) Node { return Node{n.v.vals[i]} }

// Member returns member i of an object, in document order: its name and
// its value. It panics if n is not an object or i is out of range.
func (n Node) Member(i int) (name string, value Node) {
	m := &n.v.mem[i]
	return m.key, Node{m.val}
}

// Lookup returns the value of the object member named name (the last
// one, which is the one that counts, when the name repeats), and whether
// there is one.
func (n Node) Lookup(name string) (Node, bool) {
	if n.Kind() != NodeObject {
		return Node{}, false
	}
	if m := n.v.lastMember(name); m != nil {
		return Node{m.val}, true
	}
	return Node{}, false
}
