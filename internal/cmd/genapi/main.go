package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/gatehouse/gatehouse/catalog"
)

type shapeRef struct {
	Shape string `json:"shape"`
}

type shape struct {
	Type      string              `json:"type"`
	Required  []string            `json:"required"`
	Members   map[string]shapeRef `json:"members"`
	Member    *shapeRef           `json:"member"`
	Key       *shapeRef           `json:"key"`
	Value     *shapeRef           `json:"value"`
	Enum      []string            `json:"enum"`
	Pattern   string              `json:"pattern"`
	Min       *int64              `json:"min"`
	Max       *int64              `json:"max"`
	Exception bool                `json:"exception"`
	Sensitive bool                `json:"sensitive"`
	Error     *struct {
		Code        string `json:"code"`
		Status      int    `json:"httpStatusCode"`
		SenderFault bool   `json:"senderFault"`
	} `json:"error"`
	order []string // member order as in the model file
}

type operation struct {
	Name   string `json:"name"`
	Input  *shapeRef
	Output *struct {
		Shape         string `json:"shape"`
		ResultWrapper string `json:"resultWrapper"`
	}
}

type model struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		XMLNamespace   string `json:"xmlNamespace"`
		ServiceID      string `json:"serviceId"`
		EndpointPrefix string `json:"endpointPrefix"` // the service prefix of its actions: "iam"
	} `json:"metadata"`
	Operations map[string]operation `json:"operations"`
	Shapes     map[string]*shape    `json:"shapes"`
}

func main() {
	modelDir := flag.String("model", "", "directory with service-2.json (and paginators-1.json)")
	pkg := flag.String("pkg", "", "package name")
	out := flag.String("out", ".", "output directory")
	served := flag.String("served", "", "with -api and -type: write zz_served.go, the assertions that -type implements each operation this file lists")
	api := flag.String("api", "", "import path of the generated package (with -served)")
	typ := flag.String("type", "", "the service type (with -served)")
	flag.Parse()
	if *modelDir == "" || *pkg == "" {
		log.Fatal("genapi: -model and -pkg are required")
	}
	if *served != "" && (*api == "" || *typ == "") {
		log.Fatal("genapi: -served needs -api and -type")
	}
	raw, err := os.ReadFile(filepath.Join(*modelDir, "service-2.json"))
	if err != nil {
		log.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		log.Fatal(err)
	}
	if err := memberOrder(raw, &m); err != nil {
		log.Fatal(err)
	}
	if *served != "" {
		text, err := os.ReadFile(*served)
		if err != nil {
			log.Fatal(err)
		}
		ops, err := readServed(&m, string(text))
		if err != nil {
			log.Fatalf("genapi: %s: %v", *served, err)
		}
		write(*out, "zz_served.go", servedFile(&m, filepath.Base(*served), ops, *api, *pkg, *typ))
		return
	}
	paginated := map[string]bool{}
	if pr, err := os.ReadFile(filepath.Join(*modelDir, "paginators-1.json")); err == nil {
		var p struct {
			Pagination map[string]json.RawMessage `json:"pagination"`
		}
		if err := json.Unmarshal(pr, &p); err != nil {
			log.Fatal(err)
		}
		for op := range p.Pagination {
			paginated[op] = true
		}
	}
	g := &gen{m: &m, pkg: *pkg, paginated: paginated, names: map[string]string{}, actions: map[string]bool{}}
	g.nameShapes()
	actions, err := g.authorizationFile(catalog.Default())
	if err != nil {
		log.Fatalf("genapi: %v", err)
	}
	write(*out, "zz_generated.go", g.generate())
	write(*out, "zz_actions.go", actions)
}

// write formats src and writes it to dir/name; source that does not
// format is written to name.broken for a look.
func write(dir, name string, src []byte) {
	formatted, err := format.Source(src)
	if err != nil {
		os.WriteFile(filepath.Join(dir, name+".broken"), src, 0o644)
		log.Fatalf("genapi: formatting %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), formatted, 0o644); err != nil {
		log.Fatal(err)
	}
}

// memberOrder records each structure's members in file order (encoding/json
// maps lose it).
func memberOrder(raw []byte, m *model) error {
	var shapes struct {
		Shapes map[string]struct {
			Members json.RawMessage `json:"members"`
		} `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &shapes); err != nil {
		return err
	}
	for name, s := range shapes.Shapes {
		if len(s.Members) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(s.Members))
		dec.Token() // {
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			m.Shapes[name].order = append(m.Shapes[name].order, tok.(string))
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	return nil
}

type gen struct {
	m         *model
	pkg       string
	paginated map[string]bool
	names     map[string]string // shape name -> Go type name (structures)
	b         bytes.Buffer
	regexps   []string
	actions   map[string]bool // operations with an Action constant
}

func exported(s string) string {
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func (g *gen) nameShapes() {
	for _, name := range sortedKeys(g.m.Operations) {
		op := g.m.Operations[name]
		if op.Input != nil && g.names[op.Input.Shape] == "" {
			g.names[op.Input.Shape] = op.Name + "Input"
		}
		if op.Output != nil && g.names[op.Output.Shape] == "" {
			g.names[op.Output.Shape] = op.Name + "Output"
		}
	}
	for name, s := range g.m.Shapes {
		if s.Type == "structure" && g.names[name] == "" {
			g.names[name] = exported(name)
		}
	}
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.b, format+"\n", args...) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// goType is the Go type of a member of shape name.
func (g *gen) goType(name string) string {
	s := g.m.Shapes[name]
	switch s.Type {
	case "string":
		return "string"
	case "integer":
		return "*int32"
	case "long":
		return "*int64"
	case "boolean":
		return "*bool"
	case "timestamp":
		return "time.Time"
	case "blob":
		return "[]byte"
	case "list":
		return "[]" + strings.TrimPrefix(g.goType(s.Member.Shape), "*")
	case "map":
		return "map[" + g.goType(s.Key.Shape) + "]" + strings.TrimPrefix(g.goType(s.Value.Shape), "*")
	case "structure":
		return "*" + g.names[name]
	}
	log.Fatalf("genapi: shape %s has unsupported type %s", name, s.Type)
	return ""
}

func (g *gen) generate() []byte {
	g.p("// Code generated by genapi from the botocore model of %s %s; DO NOT EDIT.", g.m.Metadata.ServiceID, g.m.Metadata.APIVersion)
	g.p("")
	g.p("package %s", g.pkg)
	g.p("")
	g.p("import (")
	for _, imp := range []string{"bytes", "context", "net/url", "regexp", "strconv", "time", "github.com/gatehouse/gatehouse/authn", "github.com/gatehouse/gatehouse/awsapi"} {
		g.p("%q", imp)
	}
	g.p(")")
	g.p("")
	g.p("var (_ = strconv.Itoa; _ = time.Time{}; _ = regexp.MustCompile)")
	g.p("")
	g.p("// XMLNamespace is the namespace of the service's XML responses.")
	g.p("const XMLNamespace = %q", g.m.Metadata.XMLNamespace)
	g.p("")
	g.p("// APIVersion is the service's API version.")
	g.p("const APIVersion = %q", g.m.Metadata.APIVersion)
	g.p("")
	g.types()
	g.enums()
	g.exceptions()
	g.codecs()
	g.operations()
	g.p("// Patterns of the model, compiled once.")
	g.p("var (")
	for i, re := range g.regexps {
		g.p("re%d = regexp.MustCompile(%q)", i, re)
	}
	g.p(")")
	return g.b.Bytes()
}

func (g *gen) types() {
	for _, name := range sortedKeys(g.m.Shapes) {
		s := g.m.Shapes[name]
		if s.Type != "structure" || s.Exception {
			continue
		}
		g.p("// %s is the shape %s.", g.names[name], name)
		g.p("type %s struct {", g.names[name])
		for _, mn := range s.order {
			g.p("%s %s", mn, g.goType(s.Members[mn].Shape))
		}
		g.p("}")
		g.p("")
	}
}

var identRe = regexp.MustCompile(`[^A-Za-z0-9]+`)

func enumIdent(v string) string {
	parts := identRe.Split(v, -1)
	var b strings.Builder
	for _, p := range parts {
		if p != "" {
			b.WriteString(exported(p))
		}
	}
	return b.String()
}

func (g *gen) enums() {
	for _, name := range sortedKeys(g.m.Shapes) {
		s := g.m.Shapes[name]
		if len(s.Enum) == 0 {
			continue
		}
		g.p("// Values of the enum %s.", name)
		g.p("const (")
		for _, v := range s.Enum {
			g.p("%s%s = %q", exported(name), enumIdent(v), v)
		}
		g.p(")")
		g.p("")
	}
}

func (g *gen) exceptions() {
	var codes []string
	defer func() {
		slices.Sort(codes)
		g.p("// ErrorCodes are the codes of the model's exceptions, sorted.")
		g.p("var ErrorCodes = []string{")
		for _, c := range slices.Compact(codes) {
			g.p("%q,", c)
		}
		g.p("}")
		g.p("")
	}()
	for _, name := range sortedKeys(g.m.Shapes) {
		s := g.m.Shapes[name]
		if !s.Exception {
			continue
		}
		// Without an error trait, the awsQuery wire code is the shape
		// name itself (OrganizationNotFoundException), which is what the
		// SDKs match on.
		code, status, fault := name, 400, "awsapi.Sender"
		if s.Error != nil {
			if s.Error.Code != "" {
				code = s.Error.Code
			}
			if s.Error.Status != 0 {
				status = s.Error.Status
			}
			if !s.Error.SenderFault && status >= 500 {
				fault = "awsapi.Receiver"
			}
		}
		codes = append(codes, code)
		tn := exported(name)
		ctor := strings.TrimSuffix(enumIdent(code), "Exception")
		g.p("// %s is the error %s (HTTP %d).", tn, code, status)
		g.p("type %s struct { Message string }", tn)
		g.p("")
		g.p("func (e *%s) Error() string { return %q + \": \" + e.Message }", tn, code)
		g.p("// ErrorCode implements awsapi.APIError.")
		g.p("func (e *%s) ErrorCode() string { return %q }", tn, code)
		g.p("// ErrorMessage implements awsapi.APIError.")
		g.p("func (e *%s) ErrorMessage() string { return e.Message }", tn)
		g.p("// ErrorFault implements awsapi.APIError.")
		g.p("func (e *%s) ErrorFault() awsapi.Fault { return %s }", tn, fault)
		g.p("// HTTPStatus implements awsapi.APIError.")
		g.p("func (e *%s) HTTPStatus() int { return %d }", tn, status)
		g.p("")
		g.p("// %s returns a %s with a formatted message.", ctor, tn)
		g.p("func %s(format string, args ...any) *%s {", ctor, tn)
		g.p("return &%s{Message: awsapi.Errorf(%q, %d, format, args...).Message}", tn, code, status)
		g.p("}")
		g.p("")
	}
}

// lookaheadRe finds a negative lookahead of one character after the same
// character: -(?!-).
var lookaheadRe = regexp.MustCompile(`(.)\(\?!(.)\)`)

// javaToGo turns a model pattern (Java syntax) into an anchored Go regexp.
func javaToGo(p string) string {
	p = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`).ReplaceAllString(p, `\x{$1}`)
	return `^(?:` + p + `)$`
}

func (g *gen) regexpFor(pattern string) string {
	re := javaToGo(pattern)
	if _, err := regexp.Compile(re); err != nil {
		log.Fatalf("genapi: pattern %q: %v", pattern, err)
	}
	i := slices.Index(g.regexps, re)
	if i < 0 {
		g.regexps = append(g.regexps, re)
		i = len(g.regexps) - 1
	}
	return fmt.Sprintf("re%d", i)
}

func (g *gen) codecs() {
	for _, name := range sortedKeys(g.m.Shapes) {
		s := g.m.Shapes[name]
		if s.Type != "structure" || s.Exception {
			continue
		}
		tn := g.names[name]
		// decode
		g.p("func (v *%s) decodeQuery(d *awsapi.Decoder, prefix, path string) {", tn)
		for _, mn := range s.order {
			g.decodeMember(s, mn, "v."+mn, `prefix+"`+mn+`"`, `path+"`+lowerFirst(mn)+`"`)
		}
		g.p("}")
		g.p("")
		g.knownQuery(s, tn)
		// encode
		g.p("func (v *%s) encodeXML(w awsapi.XMLWriter) {", tn)
		for _, mn := range s.order {
			g.encodeMember(name, mn, s.Members[mn].Shape, "v."+mn, slices.Contains(s.Required, mn))
		}
		g.p("}")
		g.p("")
	}
}

// knownQuery writes the method that says whether a parameter key (below
// the structure's prefix) is one of the structure's member paths:
// Name for a scalar, Name.Field... for a structure, Name (an empty list)
// and Name.member.N[.Field...] for a list, Name.entry.N.key and
// Name.entry.N.value[.Field...] for a map.
func (g *gen) knownQuery(s *shape, tn string) {
	g.p("func (*%s) knownQuery(k string) bool {", tn)
	if len(s.order) == 0 {
		g.p("return false")
		g.p("}")
		g.p("")
		return
	}
	g.p("name, rest, more := awsapi.CutKey(k)")
	g.p("_, _ = rest, more")
	g.p("switch name {")
	for _, mn := range s.order {
		g.p("case %q:", mn)
		ms := g.m.Shapes[s.Members[mn].Shape]
		switch ms.Type {
		case "structure":
			g.p("return more && (*%s)(nil).knownQuery(rest)", g.names[s.Members[mn].Shape])
		case "list":
			g.p("if !more { return true }")
			switch es := g.m.Shapes[ms.Member.Shape]; es.Type {
			case "structure":
				g.p("tail, more, ok := awsapi.ListMember(rest)")
				g.p("return ok && more && (*%s)(nil).knownQuery(tail)", g.names[ms.Member.Shape])
			case "list", "map":
				log.Fatalf("genapi: list of %s in %s", es.Type, mn)
			default:
				g.p("_, more, ok := awsapi.ListMember(rest)")
				g.p("return ok && !more")
			}
		case "map":
			g.p("if !more { return true }")
			g.p("field, tail, more, ok := awsapi.MapEntry(rest)")
			g.p("_ = tail")
			g.p("if !ok { return false }")
			g.p("if field == \"key\" { return !more }")
			switch vs := g.m.Shapes[ms.Value.Shape]; vs.Type {
			case "structure":
				g.p("return more && (*%s)(nil).knownQuery(tail)", g.names[ms.Value.Shape])
			case "list", "map":
				log.Fatalf("genapi: map of %s in %s", vs.Type, mn)
			default:
				g.p("return !more")
			}
		default:
			g.p("return !more")
		}
	}
	g.p("}")
	g.p("return false")
	g.p("}")
	g.p("")
}

// decodeMember writes the decoding and validation of one member.
func (g *gen) decodeMember(parent *shape, mn, dst, key, path string) {
	ms := g.m.Shapes[parent.Members[mn].Shape]
	required := slices.Contains(parent.Required, mn)
	g.p("{")
	g.p("key, path := %s, %s", key, path)
	g.p("_ = path")
	switch ms.Type {
	case "string":
		// A parameter present with an empty value is an empty string,
		// checked against the constraints; only an absent one is null.
		g.p("%s = d.String(key)", dst)
		g.p("if d.Has(key) {")
		g.checkString(parent.Members[mn].Shape, ms, dst)
		if required {
			g.p("} else {")
			g.p("d.Required(path)")
		}
		g.p("}")
	case "integer", "long":
		fn := "Int32"
		if ms.Type == "long" {
			fn = "Int64"
		}
		g.p("%s = d.%s(key, path)", dst, fn)
		g.p("if %s != nil {", dst)
		if ms.Min != nil {
			g.p("if int64(*%s) < %d { d.Min(*%s, path, %d) }", dst, *ms.Min, dst, *ms.Min)
		}
		if ms.Max != nil {
			g.p("if int64(*%s) > %d { d.Max(*%s, path, %d) }", dst, *ms.Max, dst, *ms.Max)
		}
		g.p("}")
		if required {
			g.p("if %s == nil { d.Required(path) }", dst)
		}
	case "boolean":
		g.p("%s = d.Bool(key, path)", dst)
		if required {
			g.p("if %s == nil { d.Required(path) }", dst)
		}
	case "timestamp":
		g.p("%s = d.Time(key, path)", dst)
		if required {
			g.p("if %s.IsZero() { d.Required(path) }", dst)
		}
	case "blob":
		g.p("%s = d.Blob(key, path)", dst)
		if required {
			g.p("if %s == nil { d.Required(path) }", dst)
		}
	case "structure":
		g.p("%s = new(%s)", dst, g.names[parent.Members[mn].Shape])
		g.p("%s.decodeQuery(d, key+\".\", path+\".\")", dst)
	case "list":
		es := g.m.Shapes[ms.Member.Shape]
		g.p("n := d.ListLen(key)")
		if es.Type == "structure" && ms.Max != nil {
			// A list of structures longer than the model allows is not
			// built: its elements (and the lists they hold) could cost
			// far more than the request's size.
			g.p("if n > %d {", *ms.Max)
			g.p("d.MaxLen(n, path, %d)", *ms.Max)
			g.p("%s = %s{}", dst, g.goType(parent.Members[mn].Shape))
			g.p("} else if n > 0 || d.Has(key) {")
		} else {
			g.p("if n > 0 || d.Has(key) {")
		}
		g.p("%s = make(%s, n)", dst, g.goType(parent.Members[mn].Shape))
		g.p("for i := range n {")
		g.p("ekey, epath := key+\".member.\"+strconv.Itoa(i+1), path+\".\"+strconv.Itoa(i+1)+\".member\"")
		g.p("_ = epath")
		switch es.Type {
		case "string":
			g.p("e := d.String(ekey)")
			g.checkStringPath(ms.Member.Shape, es, "e", "epath")
			g.p("%s[i] = e", dst)
		case "structure":
			g.p("%s[i].decodeQuery(d, ekey+\".\", epath+\".\")", dst)
		default:
			log.Fatalf("genapi: list of %s in %s", es.Type, mn)
		}
		g.p("}")
		g.p("}")
		if ms.Min != nil && *ms.Min > 0 {
			g.p("if len(%s) > 0 && len(%s) < %d { d.MinLen(%s, path, %d) }", dst, dst, *ms.Min, stringsOf(es, dst), *ms.Min)
		}
		if ms.Max != nil {
			g.p("if len(%s) > %d { d.MaxLen(%s, path, %d) }", dst, *ms.Max, stringsOf(es, dst), *ms.Max)
		}
		if required {
			g.p("if %s == nil { d.Required(path) }", dst)
		}
	case "map":
		g.p("if n := d.MapLen(key); n > 0 {")
		g.p("%s = make(%s, n)", dst, g.goType(parent.Members[mn].Shape))
		g.p("for i := range n {")
		g.p("ek := key+\".entry.\"+strconv.Itoa(i+1)")
		if vt := g.m.Shapes[ms.Value.Shape].Type; vt == "string" {
			g.p("%s[d.String(ek+\".key\")] = d.String(ek+\".value\")", dst)
		} else if vt == "integer" {
			g.p("if n := d.Int32(ek+\".value\", path); n != nil { %s[d.String(ek+\".key\")] = *n }", dst)
		} else {
			log.Fatalf("genapi: map of %s in %s", vt, mn)
		}
		g.p("}")
		g.p("}")
		if required {
			g.p("if %s == nil { d.Required(path) }", dst)
		}
	default:
		log.Fatalf("genapi: member %s of type %s", mn, ms.Type)
	}
	g.p("}")
}

func stringsOf(es *shape, dst string) string {
	if es.Type == "string" {
		return dst
	}
	return "len(" + dst + ")"
}

func (g *gen) checkString(name string, s *shape, v string) { g.checkStringPath(name, s, v, "path") }

// serviceFormatChecks lists, by service and string shape, the patterns
// the service checks itself after the model's constraints pass,
// answering in its own words instead of the model's "Member must satisfy
// regular expression pattern": a ValidationError whose message is the
// entry with the member's name for %s. Each entry cites the recorded AWS
// answer.
var serviceFormatChecks = map[string]map[string]string{"IAM": {
	// CreateUser Path=team and the other paths (issue 10, recorded
	// answers; moto's tests of CreateVirtualMFADevice give the same text).
	"pathType":       "The specified value for %s is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
	"policyPathType": "The specified value for %s is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
	// AttachUserPolicy UserName={ocm-sts-access}:
	// https://github.com/app-sre/qontract-reconcile/pull/2640
	"userNameType":         "The specified value for %s is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
	"existingUserNameType": "The specified value for %s is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
}}

func (g *gen) checkStringPath(name string, s *shape, v, path string) {
	if s.Sensitive {
		g.p("d.Sensitive(%s)", path)
	}
	if s.Min != nil && *s.Min > 0 {
		g.p("if awsapi.StrLen(%s) < %d { d.MinLen(%s, %s, %d) }", v, *s.Min, v, path, *s.Min)
	}
	if s.Max != nil {
		g.p("if awsapi.StrLen(%s) > %d { d.MaxLen(%s, %s, %d) }", v, *s.Max, v, path, *s.Max)
	}
	if s.Pattern != "" {
		// Go's regexp has no lookahead; the one form the models use,
		// X(?!X) ("no XX"), becomes X plus a check for the substring XX.
		pattern, forbidden := s.Pattern, ""
		if m := lookaheadRe.FindStringSubmatch(pattern); m != nil && m[1] == m[2] {
			pattern = strings.Replace(pattern, m[0], m[1], 1)
			forbidden = m[1] + m[1]
		}
		if msg, ok := serviceFormatChecks[g.m.Metadata.ServiceID][name]; ok {
			g.p("d.Format(%s, %s, %s, %q, %q)", v, path, g.regexpFor(pattern), forbidden, msg)
		} else {
			g.p("d.Pattern(%s, %s, %s, %q, %q)", v, path, g.regexpFor(pattern), s.Pattern, forbidden)
		}
	}
	if len(s.Enum) > 0 {
		g.p("d.Enum(%s, %s, %#v)", v, path, s.Enum)
	}
}

// encodedWhenEmpty lists, by structure shape, the string members AWS
// writes even when they are empty, where the model cannot say so (an
// empty string and an absent member are one Go value). Each entry cites
// the recorded AWS response it comes from.
var encodedWhenEmpty = map[string][]string{
	// A tag with an empty value comes back as <Value></Value>, which the
	// SDKs read as "" (test_role_with_tags, create-role-empty-tag-value:
	// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_roles.snapshot.json).
	"Tag": {"Value"},
}

// encodeMember writes the XML encoding of one member of the structure
// parent.
func (g *gen) encodeMember(parent, name, shapeName, v string, required bool) {
	s := g.m.Shapes[shapeName]
	switch s.Type {
	case "string":
		if slices.Contains(encodedWhenEmpty[parent], name) {
			g.p("w.Elem(%q, %s)", name, v)
			return
		}
		g.p("if %s != \"\" { w.Elem(%q, %s) }", v, name, v)
	case "integer", "long":
		g.p("if %s != nil { w.Int(%q, int64(*%s)) }", v, name, v)
	case "boolean":
		g.p("if %s != nil { w.Bool(%q, *%s) }", v, name, v)
	case "timestamp":
		g.p("if !%s.IsZero() { w.Time(%q, %s) }", v, name, v)
	case "blob":
		g.p("if %s != nil { w.Blob(%q, %s) }", v, name, v)
	case "structure":
		g.p("if %s != nil { w.Start(%q); %s.encodeXML(w); w.End(%q) }", v, name, v, name)
	case "list":
		cond := v + " != nil"
		if required {
			cond = "true"
		}
		g.p("if %s {", cond)
		g.p("w.Start(%q)", name)
		g.p("for i := range %s {", v)
		es := g.m.Shapes[s.Member.Shape]
		switch es.Type {
		case "string":
			g.p("w.Elem(\"member\", %s[i])", v)
		case "structure":
			g.p("w.Start(\"member\"); %s[i].encodeXML(w); w.End(\"member\")", v)
		default:
			log.Fatalf("genapi: list of %s", es.Type)
		}
		g.p("}")
		g.p("w.End(%q)", name)
		g.p("}")
	case "map":
		vs := g.m.Shapes[s.Value.Shape]
		g.p("if %s != nil {", v)
		g.p("w.Start(%q)", name)
		g.p("for _, k := range awsapiSortedKeys(%s) {", v)
		g.p("w.Start(\"entry\"); w.Elem(\"key\", string(k))")
		switch vs.Type {
		case "string":
			g.p("w.Elem(\"value\", string(%s[k]))", v)
		case "integer", "long":
			g.p("w.Int(\"value\", int64(%s[k]))", v)
		default:
			g.p("_ = %s[k]", v)
		}
		g.p("w.End(\"entry\")")
		g.p("}")
		g.p("w.End(%q)", name)
		g.p("}")
	}
}

func (g *gen) operations() {
	ops := sortedKeys(g.m.Operations)
	g.p("// Operation describes one operation of the service.")
	g.p("type Operation struct {")
	g.p("Name string")
	g.p("// Paginated operations take Marker and MaxItems and return IsTruncated.")
	g.p("Paginated bool")
	g.p("// Action is the action the operation authorizes, as the Service")
	g.p("// Authorization Reference names it; \"\" if the reference has none.")
	g.p("Action Action")
	g.p("}")
	g.p("")
	g.p("// Operations are all the operations of the model.")
	g.p("var Operations = []Operation{")
	for _, name := range ops {
		action := `""`
		if g.actions[name] {
			action = "Action" + name
		}
		g.p("{Name: %q, Paginated: %v, Action: %s},", name, g.paginated[name], action)
	}
	g.p("}")
	g.p("")
	g.p("// Handler decodes and validates a request's form, calls the service")
	g.p("// with the authenticated request r and writes the XML response, with")
	g.p("// r's request ID, into w. Decoding, validation and service errors are")
	g.p("// returned; the caller writes them with awsapi.WriteError.")
	g.p("type Handler func(ctx context.Context, r *authn.Request, form url.Values, w *bytes.Buffer) error")
	g.p("")
	for _, name := range ops {
		op := g.m.Operations[name]
		g.p("// %sAPI is implemented by a service that serves %s.", name, name)
		g.p("type %sAPI interface {", name)
		g.p("%s(ctx context.Context, r *authn.Request, in *%sInput) (*%sOutput, error)", name, name, name)
		g.p("}")
		g.p("")
		if op.Input == nil {
			g.p("// %sInput is the empty input of %s.", name, name)
			g.p("type %sInput struct{}", name)
			g.p("func (v *%sInput) decodeQuery(d *awsapi.Decoder, prefix, path string) {}", name)
			g.p("func (*%sInput) knownQuery(k string) bool { return false }", name)
		}
		if op.Output == nil {
			g.p("// %sOutput is the empty output of %s.", name, name)
			g.p("type %sOutput struct{}", name)
		} else if tn := g.names[op.Output.Shape]; tn != name+"Output" {
			g.p("// %sOutput is the output of %s, the same shape as %s.", name, name, tn)
			g.p("type %sOutput = %s", name, tn)
		}
		if op.Input != nil {
			if tn := g.names[op.Input.Shape]; tn != name+"Input" {
				g.p("// %sInput is the input of %s, the same shape as %s.", name, name, tn)
				g.p("type %sInput = %s", name, tn)
			}
		}
		g.p("// decode%s checks, decodes and validates the parameters of %s.", name, name)
		g.p("func decode%s(form url.Values) (*%sInput, error) {", name, name)
		g.p("in := new(%sInput)", name)
		g.p("if err := awsapi.CheckParameters(form, in.knownQuery); err != nil { return nil, err }")
		g.p("d := &awsapi.Decoder{Form: form}")
		g.p("in.decodeQuery(d, \"\", \"\")")
		g.p("if err := d.Err(); err != nil { return nil, err }")
		g.p("return in, nil")
		g.p("}")
		g.p("")
		g.p("func handle%s(svc %sAPI) Handler {", name, name)
		g.p("return func(ctx context.Context, r *authn.Request, form url.Values, w *bytes.Buffer) error {")
		g.p("in, err := decode%s(form)", name)
		g.p("if err != nil { return err }")
		g.p("out, err := svc.%s(ctx, r, in)", name)
		g.p("if err != nil { return err }")
		if op.Output != nil && op.Output.ResultWrapper != "" {
			g.p("awsapi.WriteResponse(w, %q, XMLNamespace, r.ID, func(x awsapi.XMLWriter) { if out != nil { out.encodeXML(x) } })", name)
		} else {
			g.p("_ = out")
			g.p("awsapi.WriteResponse(w, %q, XMLNamespace, r.ID, nil)", name)
		}
		g.p("return nil")
		g.p("}")
		g.p("}")
		g.p("")
	}
	g.p("// DecodeInput decodes form as the input of the operation op, as op's")
	g.p("// handler does before it calls the service: it returns the *<op>Input,")
	g.p("// or the error the handler answers (UnknownParameter for a parameter")
	g.p("// the input does not have, ValidationError for a broken constraint);")
	g.p("// an operation the model does not have is InvalidAction.")
	g.p("func DecodeInput(op string, form url.Values) (any, error) {")
	g.p("switch op {")
	for _, name := range ops {
		g.p("case %q:", name)
		g.p("in, err := decode%s(form)", name)
		g.p("if err != nil { return nil, err }")
		g.p("return in, nil")
	}
	g.p("}")
	g.p("return nil, awsapi.InvalidAction(op, APIVersion)")
	g.p("}")
	g.p("")
	g.p("// Handlers returns a handler for each operation svc implements.")
	g.p("func Handlers(svc any) map[string]Handler {")
	g.p("m := make(map[string]Handler)")
	for _, name := range ops {
		g.p("if s, ok := svc.(%sAPI); ok { m[%q] = handle%s(s) }", name, name, name)
	}
	g.p("return m")
	g.p("}")
	g.p("")
	g.p("func awsapiSortedKeys[V any](m map[string]V) []string {")
	g.p("keys := make([]string, 0, len(m))")
	g.p("for k := range m { keys = append(keys, k) }")
	g.p("for i := 1; i < len(keys); i++ { for j := i; j > 0 && keys[j] < keys[j-1]; j-- { keys[j], keys[j-1] = keys[j-1], keys[j] } }")
	g.p("return keys")
	g.p("}")
}
