package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// blob builds encodings by hand, as internal/cmd/gencatalog documents
// them.
type blob struct{ b []byte }

func (e *blob) u(vs ...int) *blob {
	for _, v := range vs {
		e.b = binary.AppendUvarint(e.b, uint64(v))
	}
	return e
}

func (e *blob) s(ss ...string) *blob {
	for _, s := range ss {
		e.u(len(s))
		e.b = append(e.b, s...)
	}
	return e
}

// tinyServices is a valid services encoding: one global key, one service
// with two keys (one variable), one resource type and one action.
func tinyServices() string {
	e := &blob{b: []byte(servicesMagic)}
	// services actions resourceTypes conditionKeys globalKeys actionResources arnFormats keyRefs lowerBytes
	e.u(1, 1, 1, 2, 1, 1, 1, 3, 64)
	e.u(6).s("", "List", "Read", "Write", "Permissions management", "Tagging")
	e.u(2).s("String", "ARN")
	e.u(1).u(2, 4, 3) // one level set: Permissions management, Write
	// global: aws:PrincipalTag/tag-key, variable [17,24)
	e.u(1).s("aws:PrincipalTag/tag-key").u(0, 1, 17, 24).s("", "principal").u(1, 0)
	e.u(1).s("svc", "Some Service").u(1)
	e.u(2)
	e.s("svc:Arn").u(1, 0).s("an ARN")
	e.s("svc:Tag/${TagKey}").u(0, 1, 8, 17).s("a tag")
	e.u(1).s("Thing").u(1).s("arn:${Partition}:svc:::thing/${Name}").u(1, 1)
	e.u(1).s("PutThing", "Grants permission to put a thing").u(4, 0).u(1, 0)
	e.u(1).u(0, 1).u(1, 1)
	return string(e.b)
}

func TestTinyServices(t *testing.T) {
	c, err := decodeServices(tinyServices())
	if err != nil {
		t.Fatal(err)
	}
	a := c.Action("SVC:putthing")
	if a == nil || a.AccessLevel != PermissionsManagement || len(a.AccessLevels) != 2 || a.AccessLevels[1] != Write ||
		len(a.ConditionKeys) != 1 || a.ConditionKeys[0] != "svc:Arn" || len(a.Resources) != 1 ||
		a.Resources[0].Type.Name != "Thing" || !a.Resources[0].Required || a.Resources[0].ConditionKeys[0] != "svc:Tag/${TagKey}" {
		t.Fatalf("action: %+v", a)
	}
	if k := c.ConditionKey("svc:tag/x"); k == nil || k.Name != "svc:Tag/${TagKey}" || k.Prefix != "svc:Tag/" || k.Suffix != "" {
		t.Errorf("svc:tag/x: %+v", k)
	}
	if k := c.ConditionKey("aws:principaltag/x"); k == nil || !k.Global || k.Category != "principal" || k.AlternateTypes[0] != String {
		t.Errorf("aws:principaltag/x: %+v", k)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	full, err := gunzip("services", servicesGz, servicesSize)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := gunzip("policies", policiesGz, policiesSize)
	if err != nil {
		t.Fatal(err)
	}
	tiny := tinyServices()
	cases := []struct {
		name string
		f    func() error
	}{
		{"empty", func() error { _, err := decodeServices(""); return err }},
		{"magic", func() error { _, err := decodeServices("gencatalog/services/0\n"); return err }},
		{"trailing byte", func() error { _, err := decodeServices(tiny + "\x00"); return err }},
		{"header count too high", func() error {
			_, err := decodeServices(strings.Replace(tiny, servicesMagic+"\x01\x01", servicesMagic+"\x01\x02", 1))
			return err
		}},
		{"unknown level", func() error { _, err := decodeServices(strings.Replace(tiny, "Tagging", "Taggin?", 1)); return err }},
		{"unknown type", func() error {
			_, err := decodeServices(strings.Replace(tiny, "\x06String", "\x06Strong", 1))
			return err
		}},
		{"huge count", func() error {
			_, err := decodeServices(servicesMagic + "\xff\xff\xff\xff\x0f")
			return err
		}},
		{"policies magic", func() error { _, err := decodePolicies(full[:100]); return err }},
		{"policies trailing", func() error { _, err := decodePolicies(pol + "x"); return err }},
		{"gunzip size", func() error { _, err := gunzip("services", servicesGz, servicesSize-1); return err }},
		{"gunzip size larger", func() error { _, err := gunzip("services", servicesGz, servicesSize+1); return err }},
		{"gunzip not gzip", func() error { _, err := gunzip("services", "not gzip", 10); return err }},
		{"gunzip checksum", func() error {
			b := []byte(servicesGz)
			b[len(b)-5] ^= 1 // the CRC-32 in the trailer
			_, err := gunzip("services", string(b), servicesSize)
			return err
		}},
	}
	for _, n := range []int{0, len(servicesMagic), len(servicesMagic) + 3, 1000, len(full) / 2, len(full) - 1} {
		cases = append(cases, struct {
			name string
			f    func() error
		}{"truncated services " + strconv.Itoa(n), func() error { _, err := decodeServices(full[:n]); return err }})
	}
	for _, n := range []int{len(policiesMagic) + 1, len(pol) / 3, len(pol) - 1} {
		cases = append(cases, struct {
			name string
			f    func() error
		}{"truncated policies " + strconv.Itoa(n), func() error { _, err := decodePolicies(pol[:n]); return err }})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f()
			var ce *corruptError
			if !errors.Is(err, errCorrupt) || !errors.As(err, &ce) {
				t.Fatalf("got %v, want a corruptError", err)
			}
		})
	}
}

// Decoding arbitrary bytes returns an error or a catalog; it never
// panics or loops.
func FuzzDecodeServices(f *testing.F) {
	tiny := tinyServices()
	f.Add(tiny)
	for _, n := range []int{len(servicesMagic), len(tiny) / 2, len(tiny) - 1} {
		f.Add(tiny[:n])
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeServices(s)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error %v is not errCorrupt", err)
			}
			return
		}
		for _, svc := range c.Services() {
			for _, a := range svc.Actions {
				if c.Action(a.String()) == nil {
					t.Fatalf("%s not found", a)
				}
			}
		}
	})
}

func FuzzDecodePolicies(f *testing.F) {
	e := &blob{b: []byte(policiesMagic)}
	e.u(2)
	e.s("A", "arn:aws:iam::aws:policy/A", "/", "v1").u(1, 2).s(`{"Version":"2012-10-17"}`)
	e.s("B", "arn:aws:iam::aws:policy/x/B", "/x/", "v2").u(1<<31, 1<<32).s(`{}`)
	f.Add(string(e.b))
	f.Add(string(e.b[:len(e.b)-3]))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodePolicies(s)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error %v is not errCorrupt", err)
			}
			return
		}
		for _, m := range p.list {
			if p.byARN[m.ARN] != m {
				t.Fatalf("%s not found", m.ARN)
			}
		}
	})
}

// globMatch agrees with a regular expression built from the pattern.
func FuzzGlobMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"get*", "getuser"}, {"*object*", "getobjectacl"}, {"get?bject", "getobject"}, {"*", ""},
		{"a*b*c", "aXbYbc"}, {"**", "x"}, {"?", ""}, {"*?", "a"}, {"a*", "b"}, {"*a*a*a", "aaaa"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 64 || len(name) > 256 {
			t.Skip() // longer than IAM action names
		}
		var re strings.Builder
		re.WriteString(`(?s)\A`)
		for _, b := range []byte(pattern) {
			switch b {
			case '*':
				re.WriteString(`[\x00-\xff]*`)
			case '?':
				re.WriteString(`[\x00-\xff]`)
			default:
				re.WriteString(regexp.QuoteMeta(string([]byte{b})))
			}
		}
		re.WriteString(`\z`)
		// Match bytes, not runes: the pattern and name as Latin-1.
		latin := func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				b.WriteRune(rune(s[i]))
			}
			return b.String()
		}
		rx, err := regexp.Compile(latin(re.String()))
		if err != nil {
			t.Skip()
		}
		if got, want := globMatch(pattern, name), rx.MatchString(latin(name)); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, regexp says %v", pattern, name, got, want)
		}
	})
}

// The full decode of the embedded catalog, as Default does it once, and
// its parts.
func BenchmarkDecode(b *testing.B) {
	svc, err := gunzip("services", servicesGz, servicesSize)
	if err != nil {
		b.Fatal(err)
	}
	pol, err := gunzip("policies", policiesGz, policiesSize)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		f    func() error
	}{
		{"Default", func() error {
			_, err := decode(servicesGz, servicesSize, policiesGz, policiesSize)
			return err
		}},
		{"services/gunzip", func() error { _, err := gunzip("services", servicesGz, servicesSize); return err }},
		{"services/decode", func() error { _, err := decodeServices(svc); return err }},
		{"policies/gunzip", func() error { _, err := gunzip("policies", policiesGz, policiesSize); return err }},
		{"policies/decode", func() error { _, err := decodePolicies(pol); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The gzip streams are as gencatalog writes them: no name, no time.
func TestGzipHeaders(t *testing.T) {
	for _, gz := range []string{servicesGz, policiesGz} {
		zr, err := gzip.NewReader(bytes.NewReader([]byte(gz)))
		if err != nil {
			t.Fatal(err)
		}
		if zr.Name != "" || !zr.ModTime.IsZero() || zr.Comment != "" || zr.Extra != nil {
			t.Errorf("gzip header %+v", zr.Header)
		}
	}
}
