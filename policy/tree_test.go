package policy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// The Tree is the JSON as written: members in document order with
// repeated names kept (Lookup finds the last), values with their text,
// whether or not the document is a valid policy.
func TestParseTree(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*",1,true,null],` +
		`"Resource":"*","Resource":"arn:aws:s3:::b","Sid":"a\u00e9"}],"Efect":{}}`
	tree, err := policy.ParseTree([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	root := tree.Root()
	if root.Kind() != policy.NodeObject || root.Len() != 3 {
		t.Fatalf("root %v with %d members", root.Kind(), root.Len())
	}
	if name, v := root.Member(2); name != "Efect" || v.Kind() != policy.NodeObject || v.Len() != 0 {
		t.Errorf("member 2: %q %v", name, v.Kind())
	}
	stmts, ok := root.Lookup("Statement")
	if !ok || stmts.Kind() != policy.NodeArray || stmts.Len() != 1 {
		t.Fatalf("Statement: %v %v", ok, stmts.Kind())
	}
	st := stmts.Item(0)
	if st.Len() != 5 {
		t.Errorf("statement has %d members, want 5 (the repeated Resource kept)", st.Len())
	}
	if r, _ := st.Lookup("Resource"); r.Text() != "arn:aws:s3:::b" {
		t.Errorf("Lookup(Resource) = %q, want the last one", r.Text())
	}
	if sid, _ := st.Lookup("Sid"); sid.Text() != "aé" {
		t.Errorf("Sid = %q, escapes decoded", sid.Text())
	}
	act, _ := st.Lookup("Action")
	var kinds []policy.NodeKind
	var texts []string
	for i := 0; i < act.Len(); i++ {
		kinds = append(kinds, act.Item(i).Kind())
		texts = append(texts, act.Item(i).Text())
	}
	if want := []policy.NodeKind{policy.NodeString, policy.NodeNumber, policy.NodeBool, policy.NodeNull}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	if want := []string{"s3:Get*", "1", "true", "null"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("texts %q, want %q", texts, want)
	}
	if _, ok := st.Lookup("Principal"); ok {
		t.Error("Lookup of an absent member")
	}
	if _, ok := act.Lookup("Effect"); ok {
		t.Error("Lookup in an array")
	}
	var zero policy.Node
	if zero.Kind() != 0 || zero.Len() != 0 || zero.Text() != "" {
		t.Error("zero Node is a value")
	}
	if a, b := stmts.Item(0), stmts.Item(0); a != b || a == root {
		t.Error("Nodes compare as the values they are")
	}
	// IAM rejects the document; the tree still reads it.
	if _, err := tree.Check(policy.Managed, "", ""); err == nil {
		t.Error("Check accepts a misspelled element")
	}
}

// Locate and LocateError place a path or an error in the text: lines from
// 1, columns and offsets from 0 in UTF-16 code units (é is one, 😀 two, a
// byte order mark one), as Access Analyzer's Position counts them.
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Position.html
func TestTreeLocate(t *testing.T) {
	p := func(path ...any) []policy.PathElement {
		var out []policy.PathElement
		for _, e := range path {
			switch e := e.(type) {
			case int:
				out = append(out, policy.PathElement{Kind: policy.PathIndex, Index: e})
			case string:
				if len(e) > 0 && e[0] == '"' {
					out = append(out, policy.PathElement{Kind: policy.PathKey, Name: e[1 : len(e)-1]})
				} else {
					out = append(out, policy.PathElement{Kind: policy.PathValue, Name: e})
				}
			}
		}
		return out
	}
	tests := []struct {
		name, doc  string
		path       []policy.PathElement
		at         string // the path as followed
		start, end [3]int // line, column, offset
	}{
		{"document", `{"Statement":[]}`, nil, "", [3]int{1, 0, 0}, [3]int{1, 16, 16}},
		{"value", "{\"Version\":\n \"2012-10-17\"}", p("Version"), "Version", [3]int{2, 1, 13}, [3]int{2, 13, 25}},
		{"member name", `{"Version":"x","Statement":{"Efect":"Allow"}}`, p("Statement", 0, `"Efect"`), `Statement."Efect"`, [3]int{1, 28, 28}, [3]int{1, 35, 35}},
		{"array item", `{"Statement":[{"Action":["a","bb"]}]}`, p("Statement", 0, "Action", 1), "Statement[0].Action[1]", [3]int{1, 29, 29}, [3]int{1, 33, 33}},
		{"single value for a list", `{"Statement":[{"Action":"a"}]}`, p("Statement", 0, "Action", 0), "Statement[0].Action", [3]int{1, 24, 24}, [3]int{1, 27, 27}},
		{"beyond the document", `{"Statement":[{"Action":"a"}]}`, p("Statement", 3, "Action"), "Statement", [3]int{1, 13, 13}, [3]int{1, 29, 29}},
		{"byte order mark", "\xef\xbb\xbf{\"Id\":\"x\"}", p("Id"), "Id", [3]int{1, 7, 7}, [3]int{1, 10, 10}},
		{"after non-ASCII text", `{"Id":"é😀","Version":"v"}`, p("Version"), "Version", [3]int{1, 22, 22}, [3]int{1, 25, 25}},
		{"second line after non-ASCII text", "{\"Id\":\"😀\",\n\"Version\":\"v\"}", p("Version"), "Version", [3]int{2, 10, 22}, [3]int{2, 13, 25}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := policy.ParseTree([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			l := tree.Locate(tc.path)
			s := l.Span
			got := [2][3]int{{s.Start.Line, s.Start.Column, s.Start.Offset}, {s.End.Line, s.End.Column, s.End.Offset}}
			if policy.PathString(l.Path) != tc.at || got != [2][3]int{tc.start, tc.end} {
				t.Errorf("at %s %v, want %s %v %v", policy.PathString(l.Path), got, tc.at, tc.start, tc.end)
			}
		})
	}
}

// Text that is not JSON: ParseTree says so as Parse does, the tree has
// no root, Check words the error as the API of the place does, and
// LocateError points where reading stopped.
func TestParseTreeNotJSON(t *testing.T) {
	tree, err := policy.ParseTree([]byte("{\"Version\":\n  ]"))
	pe, ok := err.(*policy.Error)
	if !ok || pe.Message != "Syntax errors in policy." || tree == nil || tree.Root().Kind() != 0 {
		t.Fatalf("ParseTree: %v, %v", tree, err)
	}
	for kind, msg := range map[policy.Kind]string{policy.Managed: "Syntax errors in policy.", policy.Trust: "This policy contains invalid Json"} {
		doc, err := tree.Check(kind, "", "")
		pe, ok := err.(*policy.Error)
		if doc != nil || !ok || pe.Message != msg {
			t.Errorf("%s: Check = %v, %v; want %q", kind, doc, err, msg)
			continue
		}
		l := tree.LocateError(pe)
		if l.Span.Start != (policy.Position{Line: 2, Column: 2, Offset: 14}) || l.Span.End != l.Span.Start || len(l.Path) != 0 {
			t.Errorf("%s: LocateError = %+v", kind, l)
		}
	}
	if l := tree.Locate(nil); l.Span.Start.Offset != 0 || l.Span.End.Offset != 0 {
		t.Errorf("Locate without a root: %+v", l)
	}
}

// Tree.Check is CheckDocument: the same document or the same error (code,
// message, path), for every document IAM answered in
// testdata/iam-errors.jsonl and every AWS managed policy, at every kind.
func TestTreeCheckIsCheckDocument(t *testing.T) {
	data, err := os.ReadFile("testdata/iam-errors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	var partitions []string
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var c struct {
			Partition string
			Doc       json.RawMessage
		}
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatal(err)
		}
		doc := []byte(c.Doc)
		var s string
		if json.Unmarshal(doc, &s) == nil {
			doc = []byte(s)
		}
		docs = append(docs, doc)
		partitions = append(partitions, c.Partition)
	}
	for _, mp := range catalog.Default().ManagedPolicies() {
		docs = append(docs, []byte(mp.Document))
		partitions = append(partitions, "aws")
	}
	docs = append(docs, []byte(""), []byte("\xef\xbb\xbf[]"), bytes.Repeat([]byte(`{"Version":"2012-10-17",`), 1))
	partitions = append(partitions, "", "", "")
	for i, doc := range docs {
		tree, _ := policy.ParseTree(doc)
		for k := policy.Identity; k <= policy.Endpoint; k++ {
			want, wantErr := policy.CheckDocument(doc, k, "e", partitions[i])
			got, gotErr := tree.Check(k, "e", partitions[i])
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
				t.Fatalf("%s %.80q: Tree.Check = %v, %v; CheckDocument = %v, %v", k, doc, got, gotErr, want, wantErr)
			}
			if pe, ok := gotErr.(*policy.Error); ok {
				if l := tree.LocateError(pe); l.Span.End.Offset > len(doc) || l.Span.Start.Offset > l.Span.End.Offset {
					t.Fatalf("%s %.80q: %s at %+v", k, doc, pe, l)
				}
			}
		}
	}
}

// A Tree is read-only: it may be read from several goroutines at once
// (the line starts Locate needs are found once).
func TestTreeConcurrent(t *testing.T) {
	doc := []byte(catalog.Default().ManagedPolicy("ReadOnlyAccess").Document)
	tree, err := policy.ParseTree(doc)
	if err != nil {
		t.Fatal(err)
	}
	stmts, _ := tree.Root().Lookup("Statement")
	path := []policy.PathElement{{Kind: policy.PathValue, Name: "Statement"}, {Kind: policy.PathIndex, Index: stmts.Len() - 1}}
	want := tree.Locate(path)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := tree.Locate(path); !reflect.DeepEqual(got, want) {
				t.Errorf("Locate = %+v, want %+v", got, want)
			}
		})
	}
	wg.Wait()
}

// ParseOperator describes the operators IAM knows; Accepts agrees with
// IAM's verdict (CheckDocument) on every value it is asked about.
func TestParseOperator(t *testing.T) {
	tests := []struct {
		name string
		want policy.Operator
	}{
		{"StringEquals", policy.Operator{Base: "StringEquals", Type: policy.StringOperator, Variables: true}},
		{"ForAnyValue:StringNotLikeIfExists", policy.Operator{Base: "StringNotLike", Type: policy.StringOperator, Set: policy.ForAnyValue,
			IfExists: true, Negated: true, Like: true, Variables: true}},
		{"ForAllValues:ArnLike", policy.Operator{Base: "ArnLike", Type: policy.ARNOperator, Set: policy.ForAllValues, Like: true, Variables: true}},
		{"NumericLessThanEquals", policy.Operator{Base: "NumericLessThanEquals", Type: policy.NumericOperator}},
		{"DateGreaterThan", policy.Operator{Base: "DateGreaterThan", Type: policy.DateOperator}},
		{"Bool", policy.Operator{Base: "Bool", Type: policy.BoolOperator, Variables: true}},
		{"BinaryEquals", policy.Operator{Base: "BinaryEquals", Type: policy.BinaryOperator}},
		{"NotIpAddress", policy.Operator{Base: "NotIpAddress", Type: policy.IPAddressOperator, Negated: true}},
		{"NullIfExists", policy.Operator{Base: "Null", Type: policy.NullOperator, IfExists: true}},
	}
	for _, tc := range tests {
		if got, ok := policy.ParseOperator(tc.name); !ok || got != tc.want {
			t.Errorf("ParseOperator(%q) = %+v, %v; want %+v", tc.name, got, ok, tc.want)
		}
	}
	for _, name := range []string{"StringEqualz", "stringequals", "ForAnyValues:StringEquals", "IfExists", ""} {
		if _, ok := policy.ParseOperator(name); ok {
			t.Errorf("ParseOperator(%q) knows it", name)
		}
	}
	values := []string{"", "1", "-1.5e3", "x", "true", "FALSE", "falſe", "2020-01-01", "2020-13-01", "1600000000", "1600000000.5",
		"2016-12-13t2:00:00.593194+23", "10.0.0.0/8", "10.0.0.1", "2001:db8::/32", "10.0.0.0/33", "${aws:username}", "AAAA"}
	for _, name := range []string{"StringLike", "NumericEquals", "DateLessThan", "Bool", "BinaryEquals", "IpAddress", "ArnEquals", "Null"} {
		op, _ := policy.ParseOperator(name)
		for _, v := range values {
			enc, _ := json.Marshal(v)
			doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"` +
				name + `":{"aws:x":` + string(enc) + `}}}}`
			_, err := policy.CheckDocument([]byte(doc), policy.Managed, "", "")
			if op.Accepts(v) != (err == nil) {
				t.Errorf("%s %q: Accepts = %v, IAM: %v", name, v, op.Accepts(v), err)
			}
		}
	}
}

// FuzzParseTree: on any input, Tree.Check answers as CheckDocument, every
// node of the tree is reachable and its path located inside the text.
func FuzzParseTree(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"é","Effect":"Deny","NotAction":["iam:*",1,null],"NotResource":"x","Condition":{"Null":{"k":[true]}}}]}`,
		"\xef\xbb\xbf{\"Id\":\"\\ud83d\\ude00\",\"Id\":{}}",
		`{"Version":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := policy.ParseTree(data)
		if _, perr := policy.Parse(data); err != nil && (perr == nil || perr.Error() != err.Error() || tree.Root().Kind() != 0) {
			t.Fatalf("ParseTree: %v, Parse: %v", err, perr)
		}
		for _, k := range []policy.Kind{policy.Managed, policy.Trust} {
			want, wantErr := policy.CheckDocument(data, k, "e", "aws")
			got, gotErr := tree.Check(k, "e", "aws")
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
				t.Fatalf("%s: Tree.Check = %v, %v; CheckDocument = %v, %v", k, got, gotErr, want, wantErr)
			}
		}
		n := len([]rune(string(data))) * 2
		var walk func(v policy.Node, path []policy.PathElement)
		walk = func(v policy.Node, path []policy.PathElement) {
			l := tree.Locate(path)
			if l.Span.Start.Offset > l.Span.End.Offset || l.Span.End.Offset > n || l.Span.Start.Line < 1 {
				t.Fatalf("%s: span %+v", policy.PathString(path), l.Span)
			}
			for i := 0; i < v.Len() && len(path) < 8; i++ {
				switch v.Kind() {
				case policy.NodeArray:
					walk(v.Item(i), append(path[:len(path):len(path)], policy.PathElement{Kind: policy.PathIndex, Index: i}))
				case policy.NodeObject:
					name, val := v.Member(i)
					if got, _ := v.Lookup(name); got.Kind() == 0 {
						t.Fatalf("member %q not found", name)
					}
					walk(val, append(path[:len(path):len(path)], policy.PathElement{Kind: policy.PathValue, Name: name}))
				}
			}
		}
		walk(tree.Root(), nil)
	})
}
