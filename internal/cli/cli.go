package cli

import (
	"fmt"
	"io"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1 // the command ran and found errors (invalid policies)
	exitUsage    = 2
)

const usage = `usage: gatehouse <command> [arguments]

commands:
  serve [--addr HOST:PORT] [--data-dir DIR] [--tls] [--dev] ...
                      serve the IAM API (first start bootstraps an account)
  policy validate [--kind KIND] [--format text|json] FILE...
                      check policies as AWS would for their place; exit 1 on errors
  policy eval --cases FILE.jsonl
                      decide policy cases (JSONL in, JSONL out; FILE may be -)
  policy summarize [--format text|json] FILE
                      the console's policy summary: access levels per service
  version             print the version
`

// Version is the program's version.
const Version = "0.1.0-dev"

// Run runs the command line args and returns the exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "policy":
		return runPolicy(args[1:], stdin, stdout, stderr)
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "gatehouse", Version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "gatehouse: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

func runPolicy(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "validate":
		return policyValidate(args[1:], stdout, stderr)
	case "eval":
		return policyEval(args[1:], stdin, stdout, stderr)
	case "summarize":
		return policySummarize(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "gatehouse policy: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
