package deptest

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Dir        string
	Doc        string
	GoFiles    []string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "github.com/gatehouse/gatehouse/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// The pure packages: no I/O, no clock, no logging, no test code, as
// DESIGN.md and STYLE.md rule 2 say. The first five are a library on
// their own; those under internal/ are the parsers and codes iam
// applies to what it is given (X.509, SSH keys, SAML metadata, OIDC
// provider URLs, password rules, TOTP), whose errors iam, not they,
// turns into AWS's words.
var pure = []string{
	"arn", "catalog", "policy", "policy/lint", "authz", "authn",
	"internal/x509cert", "internal/sshkey", "internal/saml", "internal/oidc", "internal/password", "internal/totp",
}

// clock are the functions of package time that read the clock or wait
// on it; a pure package is given the time instead.
var clock = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true, "AfterFunc": true,
	"Tick": true, "NewTimer": true, "NewTicker": true,
}

// advisory are packages that report on policies without enforcing them,
// with who may import them: what IAM decides and stores must not depend
// on Access Analyzer's checks (IAM does not run them), and policy/lint
// sits above policy, which it reads through policy.Tree.
var advisory = map[string][]string{
	"policy/lint": {"internal/cli"},
}

var forbidden = map[string]string{
	"net":          "pure packages do no I/O (net/netip has the addresses)",
	"net/http":     "pure packages do no I/O",
	"database/sql": "pure packages do no I/O",
	"log/slog":     "pure packages don't log",
	"os":           "pure packages read no files or environment",
	"testing":      "do not use the testing package in production code",
}

func TestDeps(t *testing.T) {
	const mod = "github.com/gatehouse/gatehouse/"
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		isPure := false
		for _, name := range pure {
			if rel == name {
				isPure = true
			}
		}
		if !isPure {
			continue
		}
		// Direct imports: the standard library's own packages (fmt,
		// compress/gzip, encoding/json) reach os internally.
		for _, imp := range p.Imports {
			if why, bad := forbidden[imp]; bad {
				t.Errorf("%s depends on %s: %s", p.ImportPath, imp, why)
			}
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, mod+"cmd/") || strings.HasPrefix(imp, mod+"internal/cli") {
				t.Errorf("%s imports %s: imports point down only", p.ImportPath, imp)
			}
			// Of this module, only other pure packages: not awsapi's
			// error codes, not the services, not the store.
			if rel, ok := strings.CutPrefix(imp, mod); ok && !slices.Contains(pure, rel) {
				t.Errorf("%s imports %s, which is not pure", p.ImportPath, imp)
			}
		}
		for _, f := range p.GoFiles {
			for _, use := range clockUses(t, filepath.Join(p.Dir, f)) {
				t.Errorf("%s: %s reads the clock: pure packages are given the time", use, rel)
			}
		}
	}
}

// clockUses returns where the file calls one of the clock functions of
// package time.
func clockUses(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	name := ""
	for _, imp := range f.Imports {
		if imp.Path.Value == `"time"` {
			name = "time"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" {
		return nil
	}
	var uses []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == name && clock[sel.Sel.Name] {
			uses = append(uses, fset.Position(sel.Pos()).String()+": time."+sel.Sel.Name)
		}
		return true
	})
	return uses
}

// TestAdvisoryImports checks that only the packages named in advisory
// import an advisory package (tests aside).
func TestAdvisoryImports(t *testing.T) {
	const mod = "github.com/gatehouse/gatehouse/"
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		for _, imp := range p.Imports {
			users, ok := advisory[strings.TrimPrefix(imp, mod)]
			if ok && !slices.Contains(users, rel) {
				t.Errorf("%s imports %s, which only %v may import", p.ImportPath, imp, users)
			}
		}
	}
}

// TestPackageDocs checks that every package has one package comment, in
// doc.go.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if strings.HasSuffix(p.ImportPath, "/cmd/gatehouse") {
			continue
		}
		if p.Doc == "" {
			t.Errorf("%s has no package doc", p.ImportPath)
		}
		hasDocGo := false
		for _, f := range p.GoFiles {
			if f == "doc.go" {
				hasDocGo = true
			}
		}
		if !hasDocGo && len(p.GoFiles) > 0 {
			t.Errorf("%s has no doc.go", p.ImportPath)
		}
	}
}
