package deptest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoARNJoins: no hand-written file of the module outside package
// arn joins an ARN from strings ("arn:" + partition + ...): ARNs come
// from the builders generated from the Service Authorization
// Reference's ARN formats (iamapi.UserARN, ...), from package arn
// (arn.Build), or, for a principal, from package authn's constructors.
// A join would get the partition, the empty region or a path's slashes
// wrong one place at a time.
func TestNoARNJoins(t *testing.T) {
	const mod = "github.com/gatehouse/gatehouse/"
	arnText := func(e ast.Expr) bool {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return false
		}
		v, _ := strconv.Unquote(lit.Value)
		part := strings.HasPrefix(v, "arn:") || strings.Contains(v, ":iam::") || strings.Contains(v, ":sts::")
		// A piece that another is joined to, not a message quoting
		// the ARN format.
		open := strings.HasSuffix(v, ":") || strings.HasSuffix(v, "/") || strings.HasPrefix(v, ":")
		return part && open
	}
	files := 0
	for _, p := range listPackages(t) {
		if strings.TrimPrefix(p.ImportPath, mod) == "arn" {
			continue
		}
		for _, name := range p.GoFiles {
			if strings.HasPrefix(name, "zz_") || strings.HasSuffix(name, "_gen.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files++
			ast.Inspect(f, func(n ast.Node) bool {
				if b, ok := n.(*ast.BinaryExpr); ok && b.Op == token.ADD && (arnText(b.X) || arnText(b.Y)) {
					t.Errorf("%s: an ARN joined by hand", fset.Position(b.Pos()))
					return false
				}
				return true
			})
		}
	}
	if files < 100 {
		t.Fatalf("read %d files", files)
	}
}
