package cli_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/cli"
)

// TestVersionHelp: `gatehouse version --help` printed the version, not
// its help; now it prints the command's usage and succeeds, like every
// other command (issue 10: "--help on any command prints its help and
// exits 0"), a bad flag or an argument fails with exit 2, and the
// control, `gatehouse version`, still prints the version. `help
// --help` prints the main usage.
func TestVersionHelp(t *testing.T) {
	for _, h := range []string{"--help", "-h", "-help"} {
		for _, cmd := range []string{"version", "--version"} {
			code, out, errOut := run(t, "", cmd, h)
			if code != 0 || !strings.HasPrefix(out, "usage: gatehouse version") || errOut != "" {
				t.Errorf("%s %s: code %d\nstdout %q\nstderr %q", cmd, h, code, out, errOut)
			}
		}
		code, out, errOut := run(t, "", "help", h)
		if code != 0 || !strings.HasPrefix(out, "usage: gatehouse <command>") || errOut != "" {
			t.Errorf("help %s: code %d\nstdout %q\nstderr %q", h, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"version", "--bogus"}, {"version", "extra"}} {
		code, out, errOut := run(t, "", args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage: gatehouse version") {
			t.Errorf("%v: code %d\nstdout %q\nstderr %q", args, code, out, errOut)
		}
	}
	code, out, errOut := run(t, "", "version")
	if code != 0 || out != "gatehouse "+cli.Version+"\n" || errOut != "" {
		t.Errorf("version: code %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}
