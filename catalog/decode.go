package catalog

import (
	"compress/gzip"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
)

// The encoding is described in internal/cmd/gencatalog/doc.go.

const (
	servicesMagic = "gencatalog/services/1\n"
	policiesMagic = "gencatalog/policies/1\n"
)

// errCorrupt is the error of embedded data that does not decode; Default
// panics with it. The tests decode the embedded data.
var errCorrupt = errors.New("catalog: corrupt embedded data")

type corruptError struct {
	File   string // "services", "policies"
	Offset int    // byte offset in the uncompressed data
	What   string
}

func (e *corruptError) Error() string {
	return "catalog: corrupt embedded " + e.File + " data at byte " + strconv.Itoa(e.Offset) + ": " + e.What
}

func (e *corruptError) Unwrap() error { return errCorrupt }

// decode decodes the embedded data: the services now, the managed
// policies on first use.
func decode(svcGz string, svcSize int, polGz string, polSize int) (*Catalog, error) {
	blob, err := gunzip("services", svcGz, svcSize)
	if err != nil {
		return nil, err
	}
	c, err := decodeServices(blob)
	if err != nil {
		return nil, err
	}
	c.policies = sync.OnceValue(func() *policyIndex {
		blob, err := gunzip("policies", polGz, polSize)
		if err == nil {
			var p *policyIndex
			if p, err = decodePolicies(blob); err == nil {
				return p
			}
		}
		panic(err)
	})
	return c, nil
}

// gunzip decompresses gz, which must hold exactly size bytes, into a
// string (a Builder's, so the bytes are neither zeroed first nor copied
// after).
func gunzip(file, gz string, size int) (string, error) {
	zr, err := gzip.NewReader(strings.NewReader(gz))
	if err != nil {
		return "", &corruptError{File: file, What: err.Error()}
	}
	var b strings.Builder
	b.Grow(size)
	// Copying to the end checks the checksum.
	if _, err := io.Copy(&b, zr); err != nil {
		return "", &corruptError{File: file, Offset: b.Len(), What: err.Error()}
	}
	if b.Len() != size {
		return "", &corruptError{File: file, Offset: b.Len(), What: "size differs from the recorded " + strconv.Itoa(size)}
	}
	return b.String(), nil
}

// reader reads the encoding. Its error is sticky: after the first, reads
// return zero values, so decoding runs to its end and checks err once.
type reader struct {
	s    string
	off  int
	err  error
	file string
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = &corruptError{File: r.file, Offset: r.off, What: what}
	}
	r.off = len(r.s)
}

func (r *reader) uint() int {
	if r.off < len(r.s) && r.s[r.off] < 0x80 {
		r.off++
		return int(r.s[r.off-1])
	}
	return r.uintSlow()
}

func (r *reader) uintSlow() int {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		if r.off >= len(r.s) {
			r.fail("truncated")
			return 0
		}
		b := r.s[r.off]
		r.off++
		if shift == 35 {
			r.fail("integer too large")
			return 0
		}
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return int(x)
		}
	}
}

// count reads a list length. Every element takes a byte at least.
func (r *reader) count() int {
	n := r.uint()
	if n > len(r.s)-r.off {
		r.fail("list longer than the data")
		return 0
	}
	return n
}

// pick reads an index into s and returns the element; out of range, it
// fails and returns the zero value.
func pick[T any](r *reader, s []T, what string) T {
	i := r.uint()
	if i >= len(s) {
		r.fail(what + " index out of range")
		var zero T
		return zero
	}
	return s[i]
}

func (r *reader) str() string {
	n := r.uint()
	if n > len(r.s)-r.off {
		r.fail("string longer than the data")
		return ""
	}
	s := r.s[r.off : r.off+n]
	r.off += n
	return s
}

func (r *reader) flag() bool {
	switch r.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("flag not 0 or 1")
	return false
}

// next extends *s, allocated with the count the header gives, by one
// element and returns it; past the count, it fails and returns a
// throw-away element, so pointers into *s stay valid.
func next[T any](r *reader, s *[]T) *T {
	if len(*s) == cap(*s) {
		r.fail("more elements than the header counts")
		return new(T)
	}
	*s = (*s)[:len(*s)+1]
	return &(*s)[len(*s)-1]
}

// tail returns s[from:] with its capacity cut, or nil if empty.
func tail[T any](s []T, from int) []T {
	if from == len(s) {
		return nil
	}
	return s[from:len(s):len(s)]
}

func (r *reader) key(k *ConditionKey, types []KeyType) {
	k.Name = r.str()
	k.Type = pick(r, types, "key type")
	if r.flag() {
		start, end := r.uint(), r.uint()
		if !(start < end && end <= len(k.Name)) {
			r.fail("bad variable part")
			return
		}
		k.Prefix, k.Suffix, k.varEnd = k.Name[:start], k.Name[end:], end
	}
	k.Description = r.str()
}

func decodeServices(blob string) (*Catalog, error) {
	r := &reader{s: blob, file: "services"}
	if !strings.HasPrefix(blob, servicesMagic) {
		r.fail("not services data of this version")
		return nil, r.err
	}
	r.off = len(servicesMagic)
	nSvc, nAct, nRT, nKey, nGlobal, nAR, nARN, nRef := r.count(), r.count(), r.count(), r.count(), r.count(), r.count(), r.count(), r.count()
	var low lowerer
	low.b.Grow(r.count())

	// The tables of names: matched against this package's enumerations.
	levels := make([]AccessLevel, r.count())
	for i := range levels {
		name := r.str()
		for l := range accessLevelNames {
			if accessLevelNames[l] == name {
				levels[i] = AccessLevel(l)
			}
		}
		if levels[i] == 0 && name != "" {
			r.fail("unknown access level " + strconv.Quote(name))
		}
	}
	types := make([]KeyType, r.count())
	for i := range types {
		name := r.str()
		for t := range keyTypeNames {
			if keyTypeNames[t] == name && name != "" {
				types[i] = KeyType(t)
			}
		}
		if types[i] == 0 {
			r.fail("unknown condition key type " + strconv.Quote(name))
		}
	}
	levelSets := make([][]AccessLevel, r.count())
	for i := range levelSets {
		set := make([]AccessLevel, r.count())
		for j := range set {
			if set[j] = pick(r, levels, "access level"); set[j] == 0 {
				r.fail("no access level in a set")
			}
		}
		levelSets[i] = set
	}
	if r.err != nil {
		return nil, r.err
	}

	// Everything is allocated in a few slices of the sizes the header
	// gives, and cut into per-service and per-action parts.
	var (
		services = make([]Service, 0, nSvc)
		actions  = make([]Action, 0, nAct)
		rtypes   = make([]ResourceType, 0, nRT)
		keys     = make([]ConditionKey, 0, nKey+nGlobal)
		svcPtrs  = make([]*Service, 0, nSvc)
		actPtrs  = make([]*Action, 0, nAct)
		rtPtrs   = make([]*ResourceType, 0, nRT)
		keyPtrs  = make([]*ConditionKey, 0, nKey)
		ars      = make([]ActionResource, 0, nAR)
		arns     = make([]string, 0, nARN)
		refs     = make([]string, 0, nRef)
		alts     []KeyType
	)

	if r.count() != nGlobal {
		r.fail("global key count differs from the header")
	}
	for range nGlobal {
		k := next(r, &keys)
		r.key(k, types)
		k.lower = low.lower(k.Name)
		k.Global = true
		k.Category = r.str()
		n := r.count()
		from := len(alts)
		for range n {
			alts = append(alts, pick(r, types, "key type"))
		}
		k.AlternateTypes = tail(alts, from)
	}
	globalKeys := keys[:len(keys):len(keys)]
	keys = keys[len(keys):]

	if r.count() != nSvc {
		r.fail("service count differs from the header")
	}
	for range nSvc {
		s := next(r, &services)
		*next(r, &svcPtrs) = s
		s.Prefix = r.str()
		s.lower = low.lower(s.Prefix)
		s.Name = r.str()
		s.RCPSupported = r.flag()

		from := len(keyPtrs)
		svcKeys := len(keys)
		for range r.count() {
			k := next(r, &keys)
			r.key(k, types)
			k.lower = low.lower(k.Name)
			*next(r, &keyPtrs) = k
		}
		s.ConditionKeys = tail(keyPtrs, from)
		names := keys[svcKeys:]
		keyRefs := func() []string {
			from := len(refs)
			for range r.count() {
				*next(r, &refs) = pick(r, names, "condition key").Name
			}
			return tail(refs, from)
		}

		from = len(rtPtrs)
		for range r.count() {
			rt := next(r, &rtypes)
			*next(r, &rtPtrs) = rt
			rt.Service = s
			rt.Name = r.str()
			rt.lower = low.lower(rt.Name)
			af := len(arns)
			for range r.count() {
				*next(r, &arns) = r.str()
			}
			rt.ARNFormats = tail(arns, af)
			rt.ConditionKeys = keyRefs()
		}
		s.ResourceTypes = tail(rtPtrs, from)

		from = len(actPtrs)
		for range r.count() {
			a := next(r, &actions)
			*next(r, &actPtrs) = a
			a.Service = s
			a.Name = r.str()
			a.lower = low.lower(a.Name)
			a.Description = r.str()
			if a.AccessLevel = pick(r, levels, "access level"); a.AccessLevel == 0 {
				r.fail("action without access level")
			}
			a.AccessLevels = pick(r, levelSets, "access level set")
			a.ConditionKeys = keyRefs()
			af := len(ars)
			for range r.count() {
				ar := next(r, &ars)
				ar.Type = pick(r, s.ResourceTypes, "resource type")
				ar.Required = r.flag()
				ar.ConditionKeys = keyRefs()
			}
			a.Resources = tail(ars, af)
		}
		s.Actions = tail(actPtrs, from)
	}
	if r.off != len(r.s) {
		r.fail("data after the services")
	}
	if r.err == nil && (len(actions) != nAct || len(rtypes) != nRT || len(keyPtrs) != nKey ||
		len(ars) != nAR || len(arns) != nARN || len(refs) != nRef) {
		r.fail("fewer elements than the header counts")
	}
	if r.err != nil {
		return nil, r.err
	}

	c := &Catalog{
		services: svcPtrs,
		all:      actPtrs,
		byPrefix: make(map[string]*Service, nSvc),
		globals:  keyIndex{exact: make(map[string]*ConditionKey, nGlobal)},
		keys:     keyIndex{exact: make(map[string]*ConditionKey, nKey)},
	}
	c.global = make([]*ConditionKey, len(globalKeys))
	for i := range globalKeys {
		k := &globalKeys[i]
		c.global[i] = k
		if !c.globals.add(k) {
			return nil, &corruptError{File: r.file, What: "global key " + k.Name + " twice"}
		}
	}
	for _, s := range svcPtrs {
		if c.byPrefix[s.lower] != nil {
			return nil, &corruptError{File: r.file, What: "service " + s.Prefix + " twice"}
		}
		c.byPrefix[s.lower] = s
		s.actions = make(map[string]*Action, len(s.Actions))
		for _, a := range s.Actions {
			s.actions[a.lower] = a
		}
		s.rtypes = make(map[string]*ResourceType, len(s.ResourceTypes))
		for _, rt := range s.ResourceTypes {
			s.rtypes[rt.lower] = rt
		}
		s.keys.exact = make(map[string]*ConditionKey, len(s.ConditionKeys))
		for _, k := range s.ConditionKeys {
			s.keys.add(k)
			// First the keys of the service their prefix names.
			if svc, _, _ := strings.Cut(k.lower, ":"); svc == s.lower {
				c.keys.add(k)
			}
		}
		if len(s.actions) != len(s.Actions) || len(s.rtypes) != len(s.ResourceTypes) || len(s.keys.exact) != len(s.ConditionKeys) {
			return nil, &corruptError{File: r.file, What: "service " + s.Prefix + " has a name twice"}
		}
	}
	for _, s := range svcPtrs {
		for _, k := range s.ConditionKeys {
			c.keys.add(k)
		}
	}
	return c, nil
}

// lowerer lower-cases names into one buffer.
type lowerer struct{ b strings.Builder }

// lower returns name in ASCII lower case: name itself if it has no
// upper-case letter, else a string cut from the buffer. Strings cut
// earlier stay valid when the buffer grows, as the Builder never changes
// bytes it has written.
func (l *lowerer) lower(name string) string {
	i := 0
	for i < len(name) && !('A' <= name[i] && name[i] <= 'Z') {
		i++
	}
	if i == len(name) {
		return name
	}
	start := l.b.Len()
	var buf [128]byte
	l.b.Write(fold(buf[:], name))
	return l.b.String()[start:]
}
