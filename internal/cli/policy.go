package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/authz/cases"
	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/policy/summary"
)

// fileResult is the JSON output of validate for one file.
type fileResult struct {
	File     string           `json:"file"`
	Valid    bool             `json:"valid"`
	Findings []policy.Finding `json:"findings"`
}

func policyValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gatehouse policy validate [--kind KIND] [--format text|json] FILE...", stdout, stderr)
	kindName := fs.String("kind", "managed", "where the policy is attached: identity, managed, inline-user, inline-group, inline-role, trust, resource, scp, rcp, session, endpoint")
	format := fs.String("format", "text", "output format: text or json")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	kind, ok := policy.ParseKind(*kindName)
	if !ok {
		fmt.Fprintf(stderr, "gatehouse policy validate: unknown --kind %q\n", *kindName)
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "gatehouse policy validate: unknown --format %q\n", *format)
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "gatehouse policy validate: no files")
		return exitUsage
	}
	code := exitOK
	var results []fileResult
	for _, file := range fs.Args() {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "gatehouse policy validate: %v\n", err)
			return exitUsage
		}
		_, findings := policy.Validate(data, kind, file)
		fr := fileResult{File: file, Valid: true, Findings: findings}
		for _, f := range findings {
			if f.Severity == policy.SeverityError {
				fr.Valid = false
				code = exitFindings
			}
		}
		if fr.Findings == nil {
			fr.Findings = []policy.Finding{}
		}
		results = append(results, fr)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return exitUsage
		}
		return code
	}
	for _, fr := range results {
		if len(fr.Findings) == 0 {
			fmt.Fprintf(stdout, "%s: ok\n", fr.File)
			continue
		}
		for _, f := range fr.Findings {
			loc := fr.File
			if f.Path != "" {
				loc += ": " + f.Path
			}
			fmt.Fprintf(stdout, "%s: %s %s: %s\n", loc, f.Severity, f.Code, f.Message)
		}
	}
	return code
}

func policyEval(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("gatehouse policy eval --cases FILE.jsonl", stdout, stderr)
	file := fs.String("cases", "", "JSONL file of decision cases (- for standard input)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: gatehouse policy eval --cases FILE.jsonl")
		return exitUsage
	}
	in := stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			fmt.Fprintf(stderr, "gatehouse policy eval: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	if err := cases.Run(in, stdout); err != nil {
		fmt.Fprintf(stderr, "gatehouse policy eval: %v\n", err)
		return exitUsage
	}
	return exitOK
}

func policySummarize(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gatehouse policy summarize [--format text|json] FILE", stdout, stderr)
	format := fs.String("format", "text", "output format: text or json")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if fs.NArg() != 1 || (*format != "text" && *format != "json") {
		fmt.Fprintln(stderr, "usage: gatehouse policy summarize [--format text|json] FILE")
		return exitUsage
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse policy summarize: %v\n", err)
		return exitUsage
	}
	doc, err := policy.Parse(data)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Arg(0), err)
		return exitFindings
	}
	sum := summary.Summarize(doc, catalog.Default())
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return exitUsage
		}
		return exitOK
	}
	if err := sum.WriteText(stdout); err != nil {
		return exitUsage
	}
	return exitOK
}
