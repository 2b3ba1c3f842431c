package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1 // the command ran and found errors (invalid policies)
	exitFailed   = 1 // the command could not do what it was asked (a server error, an account that exists)
	exitUsage    = 2
)

const usage = `usage: gatehouse <command> [arguments]

commands:
  serve [--addr HOST:PORT] [--data-dir DIR] [--tls] [--dev] ...
                      serve the IAM API (first start bootstraps an account)
  account create --account ID [--data-dir DIR] [--root-password P]
                      add an account to a data directory (also while serve runs on it)
  policy              check, decide and summarize policies (gatehouse policy --help)
  policy validate [--kind KIND] [--format text|json] [--partition P] [--resource-type T] FILE...
                      check policies as AWS would for their place; exit 1 on errors
  policy eval [--strict] --cases FILE.jsonl
                      decide policy cases (JSONL in, JSONL out; FILE may be -)
  policy summarize [--format text|json] FILE
                      the console's policy summary: access levels per service
  version             print the version
  help                print this help

Every command takes --help.
`

const policyUsage = `usage: gatehouse policy <command> [arguments]

commands:
  validate [--kind KIND] [--format text|json] [--partition P] [--resource-type T] FILE...
                      check policies as AWS would for their place; exit 1 on errors
  eval [--strict] --cases FILE.jsonl
                      decide policy cases (JSONL in, JSONL out; FILE may be -)
  summarize [--format text|json] FILE
                      the console's policy summary: access levels per service

Every command takes --help.
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
	case "account":
		return runAccount(args[1:], stdout, stderr)
	case "version", "--version":
		return version(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "gatehouse: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// version prints the version; --help prints its usage, as every
// command's does, and an argument is a usage error.
func version(args []string, stdout, stderr io.Writer) int {
	f := newFlags("gatehouse version", stdout, stderr)
	if code, ok := f.parse(args); !ok {
		return code
	}
	if f.NArg() > 0 {
		fmt.Fprintf(stderr, "gatehouse version: unexpected argument %q\n", f.Arg(0))
		f.usage(stderr)
		return exitUsage
	}
	fmt.Fprintln(stdout, "gatehouse", Version)
	return exitOK
}

func runPolicy(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, policyUsage)
		return exitOK
	case "validate":
		return policyValidate(args[1:], stdout, stderr)
	case "eval":
		return policyEval(args[1:], stdin, stdout, stderr)
	case "summarize":
		return policySummarize(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "gatehouse policy: unknown command %q\n\n%s", args[0], policyUsage)
	return exitUsage
}

// flags is one command's flag set. --help (or -h) prints the command's
// usage to stdout and succeeds; a bad flag prints the error and the usage
// to stderr and fails with exitUsage.
type flags struct {
	*flag.FlagSet
	synopsis       string
	stdout, stderr io.Writer
}

// newFlags returns the flag set of the command whose usage line is
// synopsis ("gatehouse policy eval --cases FILE.jsonl").
func newFlags(synopsis string, stdout, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(synopsis, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &flags{FlagSet: fs, synopsis: synopsis, stdout: stdout, stderr: stderr}
	fs.Usage = func() {} // parse prints the usage itself, to the right stream
	return f
}

// parse parses args. When ok is false the command returns code at once:
// exitOK after --help, exitUsage after a bad flag.
func (f *flags) parse(args []string) (code int, ok bool) {
	err := f.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		f.usage(f.stdout)
		return exitOK, false
	default:
		f.usage(f.stderr)
		return exitUsage, false
	}
}

func (f *flags) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\nflags:\n", f.synopsis)
	f.SetOutput(w)
	f.PrintDefaults()
	f.SetOutput(f.stderr)
}
