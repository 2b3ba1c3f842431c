package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/authz/cases"
	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
	"github.com/gatehouse/gatehouse/policy/lint"
	"github.com/gatehouse/gatehouse/policy/summary"
)

// fileResult is the JSON output of validate for one file: Access
// Analyzer's findings shape (findingType, issueCode, findingDetails,
// learnMoreLink, locations) per file.
type fileResult struct {
	File string `json:"file"`
	// Valid is false when a finding is an ERROR: IAM rejects the policy
	// or Access Analyzer reports a part of it that cannot work.
	Valid    bool           `json:"valid"`
	Findings []lint.Finding `json:"findings"`
}

func policyValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gatehouse policy validate [--kind KIND] [--format text|json] [--partition P] [--entity NAME] [--resource-type TYPE] FILE...", stdout, stderr)
	kindName := fs.String("kind", "managed", "where the policy is attached: identity, managed, inline-user, inline-group, inline-role, trust, resource, scp, rcp, session, endpoint")
	format := fs.String("format", "text", "output format: text (file:line:column: TYPE CODE: message) or json (Access Analyzer's findings)")
	partition := fs.String("partition", "aws", `the account's partition (aws, aws-cn, aws-us-gov, ...): ARNs of another one are refused, as IAM refuses them; "" accepts any`)
	entity := fs.String("entity", "", "the user, group or role an inline policy belongs to (for the size message)")
	resourceType := fs.String("resource-type", "", "for --kind resource: the resource the policy is attached to, as Access Analyzer names it ("+strings.Join(lint.ResourceTypes(), ", ")+")")
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
	if *resourceType != "" && !slices.Contains(lint.ResourceTypes(), *resourceType) {
		fmt.Fprintf(stderr, "gatehouse policy validate: unknown --resource-type %q\n", *resourceType)
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "gatehouse policy validate: no files")
		return exitUsage
	}
	code := exitOK
	var results []fileResult
	validator := lint.New(lint.Options{Kind: kind, Partition: *partition, ResourceType: *resourceType})
	for _, file := range fs.Args() {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "gatehouse policy validate: %v\n", err)
			return exitUsage
		}
		name := *entity
		if name == "" {
			name = file
		}
		v := validator.WithEntity(name)
		_, findings := v.Validate(data)
		fr := fileResult{File: file, Valid: true, Findings: findings}
		for _, f := range findings {
			if f.Severity == lint.SeverityError {
				fr.Valid = false
				code = exitFindings
			}
		}
		if fr.Findings == nil {
			fr.Findings = []lint.Finding{}
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
			fmt.Fprintf(stdout, "%s: %s %s: %s\n", fr.File, f.Severity, f.Code, f.Message)
			for _, l := range f.Locations {
				at := policy.PathString(l.Path)
				if at == "" {
					at = "(the document)"
				}
				fmt.Fprintf(stdout, "  %s:%d:%d: %s\n", fr.File, l.Span.Start.Line, l.Span.Start.Column+1, at)
			}
		}
	}
	return code
}

func policyEval(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("gatehouse policy eval [--strict] --cases FILE.jsonl", stdout, stderr)
	file := fs.String("cases", "", "JSONL file of decision cases (- for standard input)")
	strict := fs.Bool("strict", false, "refuse every case member the contract does not define (by default they are ignored, except near misses of contract members such as \"Principal\" or \"identityPolicy\", which are refused)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: gatehouse policy eval [--strict] --cases FILE.jsonl")
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
	if err := cases.RunWith(in, stdout, cases.Options{Strict: *strict}); err != nil {
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
