package server_test

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/sigv4"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden")

// TestGolden runs each script testdata/golden/<family>.script as real
// signed requests against the server on loopback and compares the
// responses (status and XML body, volatile values normalized) with
// testdata/golden/<family>.golden. Rewrite the golden files with
//
//	go test ./server -run TestGolden -update
//
// A family is one script file; goldenSetups may give it values made at
// run time (keys, certificates), which its script names as ${name}.
//
// Script format, one request per paragraph-free block:
//
//	# a comment, copied into the golden file (cite the AWS page here)
//	!volatile Fingerprint       elements whose text is random, numbered
//	CreateUser UserName=alice Path=/team/
//	    Tags.member.1.Key=team  one parameter per indented line, the
//	    Tags.member.1.Value=    value is everything after the first =
//	@alice GetUser              signed with alice's newest access key
//
// Inline parameters (on the action's line) are split at spaces, so
// values with spaces go on indented lines. Version=2010-05-08 is added
// unless the request sets Version itself. Volatile values in responses
// become ${...} placeholders: ${RequestId}, ${date}, generated IDs
// (${AIDA_1}, ${AKIA_2}, ...), UUIDs (${uuid_1}), the text of volatile
// elements (${SecretAccessKey_1}). A later request may use a
// placeholder and is sent with the real value.
func TestGolden(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join("testdata", "golden", "*.script"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no golden scripts")
	}
	for _, path := range scripts {
		family := strings.TrimSuffix(filepath.Base(path), ".script")
		t.Run(family, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g := newGoldenRun(t, start(t, false))
			if setup := goldenSetups[family]; setup != nil {
				for name, v := range setup(t) {
					g.bind("${"+name+"}", v)
					g.given[v] = "${" + name + "}"
				}
			}
			got := g.run(string(src))
			goldenPath := strings.TrimSuffix(path, ".script") + ".golden"
			if *update {
				if err := os.WriteFile(goldenPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("responses differ from %s (run with -update to accept):\n%s", goldenPath, lineDiff(string(want), got))
			}
		})
	}
}

// goldenSetups gives a family's script values made at run time, by
// family name; a script names them ${name}. Values that come back in a
// response are shown as ${name} there too.
var goldenSetups = map[string]func(t *testing.T) map[string]string{
	"sshkeys":      sshGoldenSetup,
	"signingcerts": certGoldenSetup,
	"servercerts":  certGoldenSetup,
	"saml":         samlGoldenSetup,
}

// goldenVolatile are the elements whose text is random in every family.
var goldenVolatile = []string{"Marker", "SecretAccessKey", "Base32StringSeed", "QRCodePNG", "ServicePassword", "ServiceCredentialSecret"}

var (
	// goldenIDRe matches IAM's generated unique IDs and access key IDs,
	// also inside URL-encoded documents ("%22AIDA...%22").
	goldenIDRe   = regexp.MustCompile(`(AIDA|AGPA|AROA|ANPA|AIPA|AKIA|ASIA|ASCA|APKA|ACCA|ANVA)[A-Z0-9]{16,}`)
	goldenUUIDRe = regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	goldenDateRe = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	goldenRIDRe  = regexp.MustCompile(`<RequestId>[^<]*</RequestId>`)
)

// goldenRun is one family's run: the server, the placeholders seen so
// far and the access keys created, by user.
type goldenRun struct {
	t        *testing.T
	h        *harness
	client   *http.Client
	volatile []string
	real     map[string]string // placeholder -> real value
	holder   map[string]string // real value -> placeholder
	counts   map[string]int    // placeholder kind -> values seen
	given    map[string]string // real value -> ${name} of a setup value
	keys     map[string]sigv4.Credentials
}

func newGoldenRun(t *testing.T, h *harness) *goldenRun {
	return &goldenRun{
		t: t, h: h, client: &http.Client{Timeout: 30 * time.Second},
		volatile: slices.Clone(goldenVolatile),
		real:     map[string]string{}, holder: map[string]string{}, counts: map[string]int{}, given: map[string]string{},
		keys: map[string]sigv4.Credentials{"": h.adminSigning()},
	}
}

func (g *goldenRun) bind(placeholder, value string) {
	g.real[placeholder] = value
	g.holder[value] = placeholder
}

// placeholder returns the placeholder of a volatile value of kind,
// numbering new values in order of appearance.
func (g *goldenRun) placeholder(kind, value string) string {
	if p, ok := g.holder[value]; ok {
		return p
	}
	g.counts[kind]++
	p := "${" + kind + "_" + strconv.Itoa(g.counts[kind]) + "}"
	g.bind(p, value)
	return p
}

// goldenStep is one request of a script.
type goldenStep struct {
	as     string   // user whose key signs; "" is the admin
	action string   //
	params []string // name=value, as written
	text   string   // the step as written, for the golden file
}

// run executes a script and returns the golden text.
func (g *goldenRun) run(src string) string {
	var out strings.Builder
	var step *goldenStep
	flush := func() {
		if step != nil {
			out.WriteString(step.text)
			out.WriteString(g.do(step))
			out.WriteString("\n")
			step = nil
		}
	}
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			continue
		case strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t"):
			if step == nil {
				g.t.Fatalf("line %d: parameter outside a request", n)
			}
			p := strings.TrimLeft(line, " \t")
			if !strings.Contains(p, "=") {
				g.t.Fatalf("line %d: want Name=value, got %q", n, p)
			}
			step.params = append(step.params, p)
			step.text += "    " + p + "\n"
			continue
		}
		flush()
		switch {
		case strings.HasPrefix(line, "#"):
			out.WriteString(line + "\n")
		case strings.HasPrefix(line, "!volatile "):
			g.volatile = append(g.volatile, strings.Fields(strings.TrimPrefix(line, "!volatile "))...)
		case strings.HasPrefix(line, "!"):
			g.t.Fatalf("line %d: unknown directive %q", n, line)
		default:
			fields := strings.Fields(line)
			step = &goldenStep{text: "### " + strings.Join(fields, " ") + "\n"}
			if strings.HasPrefix(fields[0], "@") {
				step.as, fields = fields[0][1:], fields[1:]
			}
			if len(fields) == 0 {
				g.t.Fatalf("line %d: no action", n)
			}
			step.action = fields[0]
			for _, p := range fields[1:] {
				if !strings.Contains(p, "=") {
					g.t.Fatalf("line %d: want Name=value, got %q", n, p)
				}
				step.params = append(step.params, p)
			}
		}
	}
	flush()
	return out.String()
}

// expand replaces the placeholders in s by their real values.
func (g *goldenRun) expand(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	for p, v := range g.real {
		s = strings.ReplaceAll(s, p, v)
	}
	if i := strings.Index(s, "${"); i >= 0 {
		g.t.Fatalf("unknown placeholder in %q", s)
	}
	return s
}

// do sends one step and returns its status and normalized body.
func (g *goldenRun) do(s *goldenStep) string {
	t := g.t
	form := url.Values{"Action": {s.action}}
	for _, p := range s.params {
		name, value, _ := strings.Cut(p, "=")
		form.Add(name, g.expand(value))
	}
	if !form.Has("Version") {
		form.Set("Version", "2010-05-08")
	}
	creds, ok := g.keys[s.as]
	if !ok {
		t.Fatalf("%s: no access key of %q created yet", s.action, s.as)
	}
	status, raw := send(t, g.client, g.h.signedPOST(form.Encode(), creds))
	if err := wellFormed(raw); err != nil {
		t.Fatalf("%s: response is not well-formed XML (%v):\n%s", s.action, err, raw)
	}
	g.captureKey(raw)
	return strconv.Itoa(status) + "\n" + indentXML(g.normalize(string(raw)))
}

// captureKey remembers a new access key (CreateAccessKey's answer) as
// its user's signing key.
func (g *goldenRun) captureKey(raw []byte) {
	var r struct {
		Key struct {
			UserName, AccessKeyId, SecretAccessKey string
		} `xml:"CreateAccessKeyResult>AccessKey"`
	}
	if xml.Unmarshal(raw, &r) == nil && r.Key.SecretAccessKey != "" {
		g.keys[r.Key.UserName] = sigv4.Credentials{AccessKeyID: r.Key.AccessKeyId, SecretAccessKey: r.Key.SecretAccessKey}
	}
}

// normalize replaces the volatile values of a response by placeholders.
func (g *goldenRun) normalize(s string) string {
	s = goldenRIDRe.ReplaceAllLiteralString(s, "<RequestId>${RequestId}</RequestId>")
	for _, name := range g.volatile {
		re := regexp.MustCompile(`<` + name + `>([^<]*)</` + name + `>`)
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			v := re.FindStringSubmatch(m)[1]
			return "<" + name + ">" + g.placeholder(name, v) + "</" + name + ">"
		})
	}
	// A volatile value seen before is its placeholder wherever it comes
	// back (an ID in an error message).
	for _, name := range g.volatile {
		for i := 1; i <= g.counts[name]; i++ {
			p := "${" + name + "_" + strconv.Itoa(i) + "}"
			if v := g.real[p]; v != "" {
				s = strings.ReplaceAll(s, v, p)
			}
		}
	}
	// Values bound by a setup come back as their names, also without
	// the white space around them (a server certificate's body and
	// chain, as AWS keeps them).
	for v, p := range g.given {
		if v != "" {
			s = strings.ReplaceAll(s, v, p)
		}
		if tv := strings.TrimSpace(v); tv != "" && tv != v {
			s = strings.ReplaceAll(s, tv, p)
		}
	}
	s = goldenIDRe.ReplaceAllStringFunc(s, func(id string) string { return g.placeholder(id[:4], id) })
	s = goldenUUIDRe.ReplaceAllStringFunc(s, func(u string) string { return g.placeholder("uuid", u) })
	s = goldenDateRe.ReplaceAllLiteralString(s, "${date}")
	return s
}

// wellFormed reports whether b is one well-formed XML document.
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		if _, err := d.Token(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// indentXML puts each element on a line of its own, indented by depth;
// an element with only text stays on one line. Text is kept as sent.
func indentXML(s string) string {
	var b strings.Builder
	depth, lastEnd, atLineStart := 0, false, true
	for len(s) > 0 {
		if s[0] != '<' {
			i := strings.IndexByte(s, '<')
			if i < 0 {
				i = len(s)
			}
			b.WriteString(s[:i])
			s, lastEnd, atLineStart = s[i:], false, false
			continue
		}
		i := strings.IndexByte(s, '>') + 1
		if i == 0 {
			b.WriteString(s)
			break
		}
		tag := s[:i]
		s = s[i:]
		switch {
		case strings.HasPrefix(tag, "</"):
			depth--
			if lastEnd {
				b.WriteString("\n" + strings.Repeat("  ", depth))
			}
			b.WriteString(tag)
			lastEnd, atLineStart = true, false
		case strings.HasPrefix(tag, "<?"):
			b.WriteString(tag + "\n")
			atLineStart = true
		default:
			if !atLineStart {
				b.WriteString("\n")
			}
			b.WriteString(strings.Repeat("  ", depth) + tag)
			atLineStart = false
			if strings.HasSuffix(tag, "/>") {
				lastEnd = true
			} else {
				depth++
				lastEnd = false
			}
		}
	}
	return b.String() + "\n"
}

// lineDiff shows where want and got part: the first differing line
// and the lines after it in both.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	window := func(lines []string) string {
		end := min(i+12, len(lines))
		if i >= end {
			return "  (end)\n"
		}
		return "  " + strings.Join(lines[i:end], "\n  ") + "\n"
	}
	return fmt.Sprintf("from line %d, want:\n%sgot:\n%s", i+1, window(w), window(g))
}
