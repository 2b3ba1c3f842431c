package deptest

import (
	"encoding/json"
	"os/exec"
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
// DESIGN.md and STYLE.md rule 2 say. They are a library on their own.
var pure = []string{"arn", "catalog", "policy", "policy/lint", "authz"}

// advisory are packages that report on policies without enforcing them,
// with who may import them: what IAM decides and stores must not depend
// on Access Analyzer's checks (IAM does not run them), and policy/lint
// sits above policy, which it reads through policy.Tree.
var advisory = map[string][]string{
	"policy/lint": {"internal/cli"},
}

var forbidden = map[string]string{
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
		}
	}
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
