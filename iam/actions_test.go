package iam_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
)

// markerLists are the functions one of whose arguments (by index) names
// the list a pagination marker pages (common.go's newMarker). Those
// names happen to be operation names, but a marker handed out earlier
// must still be read, so they are the marker's text, not actions.
var markerLists = map[string]int{"paginate": 0, "paginateInOrder": 0, "newPage": 0, "markerKey": 0, "listPage": 1}

// TestNoActionLiterals: no hand-written file of the package spells an
// IAM action as a string ("CreateUser", "iam:PassRole"): every action an
// operation authorizes is an iamapi.Action constant, generated from the
// model and checked against the Service Authorization Reference
// (awsapi/iamapi's TestActions), so a misspelt action cannot make a
// decision that no policy names.
func TestNoActionLiterals(t *testing.T) {
	iam := catalog.Default().Service("iam")
	fset, files := handWritten(t)
	for _, f := range files {
		exempt := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				fun := n.Fun
				if ix, ok := fun.(*ast.IndexExpr); ok { // an instantiation: newPage[*user](...)
					fun = ix.X
				}
				var name string
				switch f := fun.(type) {
				case *ast.Ident:
					name = f.Name
				case *ast.SelectorExpr:
					name = f.Sel.Name
				}
				if i, ok := markerLists[name]; ok && len(n.Args) > i {
					if lit, ok := n.Args[i].(*ast.BasicLit); ok {
						exempt[lit] = true
					}
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING || exempt[n] {
					return true
				}
				v, err := strconv.Unquote(n.Value)
				if err != nil {
					t.Fatalf("%s: %v", fset.Position(n.Pos()), err)
				}
				name := strings.TrimPrefix(v, "iam:")
				if a := iam.Action(name); a != nil && a.Name == name {
					t.Errorf("%s: %s typed by hand: use iamapi.Action%s", fset.Position(n.Pos()), n.Value, name)
				}
			}
			return true
		})
	}
}

// handWritten parses the package's files that are neither tests nor
// generated.
func handWritten(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "zz_") || strings.HasSuffix(name, "_gen.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) < 30 {
		t.Fatalf("%d files", len(files))
	}
	return fset, files
}
