package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Context is the request context: condition keys and their values, as
// AWS sends them. Key names are case-insensitive; values are strings and
// each is also parsed once, when it is set, as a number, a date, a
// boolean and an IP address, so that a decision never parses. The keys
// of knownKeys have a slot of their own, so that a condition on one of
// them finds its value by index, not by hashing its name. The zero value
// is an empty context. A Context is not safe for concurrent mutation;
// evaluating against it concurrently is safe.
type Context struct {
	slots [len(knownKeys) + 1]*ctxEntry // by keySlot; slots[0] unused
	m     map[string]*ctxEntry          // the other keys, lower-cased
	spare []ctxEntry                    // entries allocated ahead, handed out by Set
	chunk []ctxEntry                    // the block spare was cut from, for Reset
}

type ctxEntry struct {
	key  string // as first set
	vals []ctxValue
	one  [1]ctxValue // the storage of vals for a single value
}

// contextSize is how many keys a context makes room for at once: about
// what one request to a service sets.
const contextSize = 24

type ctxValue struct {
	s      string
	num    float64
	hasNum bool
	t      time.Time
	hasT   bool
	ip     netip.Addr // as sent
	v4     uint32     // the IPv4 address (an IPv4-mapped one unmapped)
	is4    bool       // v4 is set
	b      int8       // 1 true, -1 false, 0 not a boolean
}

// knownKeys are the condition keys with a slot in every Context: AWS's
// global condition context keys that have no variable part, and the IAM
// keys that IAM requests set; lower case, sorted. (TestKnownKeys checks
// the list against the catalog's global keys.) Other keys work the same
// through the Context's map.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
var knownKeys = [...]string{
	"aws:assumedroot",
	"aws:calledvia",
	"aws:calledviaawsmcp",
	"aws:calledviafirst",
	"aws:calledvialast",
	"aws:chatbotsourcearn",
	"aws:currenttime",
	"aws:ec2instancesourceprivateipv4",
	"aws:ec2instancesourcevpc",
	"aws:epochtime",
	"aws:federatedprovider",
	"aws:ismcpserviceaction",
	"aws:multifactorauthage",
	"aws:multifactorauthpresent",
	"aws:principalaccount",
	"aws:principalarn",
	"aws:principalisawsservice",
	"aws:principalorgid",
	"aws:principalorgpaths",
	"aws:principalservicename",
	"aws:principalservicenameslist",
	"aws:principaltype",
	"aws:referer",
	"aws:requestedregion",
	"aws:resourceaccount",
	"aws:resourceorgid",
	"aws:resourceorgpaths",
	"aws:securetransport",
	"aws:sourceaccount",
	"aws:sourcearn",
	"aws:sourceidentity",
	"aws:sourceip",
	"aws:sourceorgid",
	"aws:sourceorgpaths",
	"aws:sourceowner",
	"aws:sourcevpc",
	"aws:sourcevpcarn",
	"aws:sourcevpce",
	"aws:tagkeys",
	"aws:tokenissuetime",
	"aws:useragent",
	"aws:userid",
	"aws:username",
	"aws:viaawsmcpservice",
	"aws:viaawsservice",
	"aws:vpceaccount",
	"aws:vpceorgid",
	"aws:vpceorgpaths",
	"aws:vpcsourceip",
	"ec2:roledelivery",
	"ec2:sourceinstancearn",
	"glue:credentialissuingservice",
	"glue:roleassumedby",
	"iam:passedtoservice",
	"iam:permissionsboundary",
	"iam:policyarn",
	"identitystore:userid",
	"lambda:sourcefunctionarn",
	"ssm:sourceinstancearn",
}

// keySlot is the index of a known key in Context.slots, plus one; 0 for
// any other key.
type keySlot uint8

// keyOf returns the slot of a key given in any case and its lower-case
// form, which for a known key is the table's string (no allocation).
func keyOf(key string) (keySlot, string) {
	if i := searchKey(key); i >= 0 {
		return keySlot(i + 1), knownKeys[i]
	}
	lkey := strings.ToLower(key)
	if lkey != key {
		// Unicode case folding may still lower it onto a known key.
		if i := searchKey(lkey); i >= 0 {
			return keySlot(i + 1), knownKeys[i]
		}
	}
	return 0, lkey
}

// searchKey finds key, compared with ASCII case folding, in knownKeys.
func searchKey(key string) int {
	lo, hi := 0, len(knownKeys)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := compareFold(key, knownKeys[mid]); {
		case c == 0:
			return mid
		case c > 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return -1
}

// compareFold compares s, ASCII upper case folded to lower, with the
// lower-case lower.
func compareFold(s, lower string) int {
	n := min(len(s), len(lower))
	for i := 0; i < n; i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if d := lower[i]; c != d {
			if c < d {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(s) < len(lower):
		return -1
	case len(s) > len(lower):
		return 1
	}
	return 0
}

// NewContext builds a context from a map of keys to values.
func NewContext(m map[string][]string) *Context {
	c := &Context{}
	for k, v := range m {
		c.Set(k, v...)
	}
	return c
}

// Set sets key to values, replacing what it had. A key set with no
// values is present with an empty set of values.
func (c *Context) Set(key string, values ...string) {
	if len(c.spare) == 0 {
		c.chunk = make([]ctxEntry, contextSize)
		c.spare = c.chunk
	}
	// Entries are never changed once set (Clone shares them), so a
	// slot of spare is used once.
	e := &c.spare[0]
	c.spare = c.spare[1:]
	e.key = key
	if len(values) == 1 {
		e.vals = e.one[:]
	} else {
		e.vals = make([]ctxValue, len(values))
	}
	for i, v := range values {
		e.vals[i] = parseValue(v)
	}
	slot, lkey := keyOf(key)
	if slot != 0 {
		c.slots[slot] = e
		return
	}
	if c.m == nil {
		c.m = make(map[string]*ctxEntry, contextSize)
	}
	c.m[lkey] = e
}

// Reset empties the context so that it can be used for another request
// without allocating again. Contexts cloned from it must no longer be
// used.
func (c *Context) Reset() {
	clear(c.m)
	clear(c.slots[:])
	c.spare = c.chunk
}

// Delete removes key.
func (c *Context) Delete(key string) {
	slot, lkey := keyOf(key)
	if slot != 0 {
		c.slots[slot] = nil
		return
	}
	delete(c.m, lkey)
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	e := c.lookup(keyOf(key))
	if e == nil {
		return nil, false
	}
	out := make([]string, len(e.vals))
	for i, v := range e.vals {
		out[i] = v.s
	}
	return out, true
}

// Has reports whether key is present.
func (c *Context) Has(key string) bool { return c.lookup(keyOf(key)) != nil }

// Keys returns the keys as first set, in no particular order.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, e := range c.slots {
		if e != nil {
			out = append(out, e.key)
		}
	}
	for _, e := range c.m {
		out = append(out, e.key)
	}
	return out
}

// Clone returns a copy that can be changed independently.
func (c *Context) Clone() *Context {
	out := &Context{}
	if c != nil {
		out.slots = c.slots
		if len(c.m) > 0 {
			out.m = make(map[string]*ctxEntry, len(c.m))
			for k, e := range c.m {
				out.m[k] = e
			}
		}
	}
	return out
}

// lookup takes a key's slot and its lower-case form.
func (c *Context) lookup(slot keySlot, lkey string) *ctxEntry {
	if c == nil {
		return nil
	}
	if slot != 0 {
		return c.slots[slot]
	}
	return c.m[lkey]
}

// single returns the value of a single-valued key, as a policy variable
// needs it.
func (c *Context) single(slot keySlot, lkey string) (string, bool) {
	e := c.lookup(slot, lkey)
	if e == nil || len(e.vals) != 1 {
		return "", false
	}
	return e.vals[0].s, true
}

func parseValue(s string) ctxValue {
	v := ctxValue{s: s}
	// Each parser is tried only on strings it could accept, so that the
	// common values (ARNs, names, tags) cost no failed parse.
	if mayBeFloat(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			v.num, v.hasNum = f, true
		}
	}
	v.t, v.hasT = parseDate(s)
	if mayBeIP(s) {
		if a, err := netip.ParseAddr(s); err == nil {
			v.ip = a
			if u := a.Unmap(); u.Is4() {
				v.v4, v.is4 = ipv4Uint(u), true
			}
		}
	}
	switch {
	case strings.EqualFold(s, "true"):
		v.b = 1
	case strings.EqualFold(s, "false"):
		v.b = -1
	}
	return v
}

// mayBeFloat reports whether strconv.ParseFloat could accept s: after an
// optional sign, a digit, a point, or the start of "inf", "infinity" or
// "nan".
func mayBeFloat(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	switch c := s[0]; {
	case c == 'i', c == 'I', c == 'n', c == 'N':
		return true
	case c < '0' || c > '9':
		if c != '.' {
			return false
		}
	}
	// A number: digits (hex digits after 0x), at most one point, an
	// exponent with its sign, underscores.
	points := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			points++
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F',
			c == 'x', c == 'X', c == 'p', c == 'P', c == '+', c == '-', c == '_':
		default:
			return false
		}
	}
	return points <= 1
}

// mayBeIP reports whether netip.ParseAddr could accept s: hex digits,
// dots and colons, then an optional zone.
func mayBeIP(s string) bool {
	sep := false // IPv4 needs dots, IPv6 colons
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == '.', c == ':':
			sep = true
		case c == '%':
			return sep
		default:
			return false
		}
	}
	return sep
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// dateLayouts are the ISO 8601 forms AWS accepts in Date conditions.
var dateLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate parses an ISO 8601 date or a count of seconds since the
// epoch (as aws:EpochTime carries it): every form IAM accepts in a policy
// (policyDate), and for request values also fractional epoch seconds and
// the other layouts above.
func parseDate(s string) (time.Time, bool) {
	if t, ok := policyDate(s); ok {
		return t, true
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		// Every ISO 8601 layout and every epoch count starts with a digit.
		return time.Time{}, false
	}
	if !strings.ContainsAny(s, "-:T") {
		if allDigits(s) {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return time.Unix(n, 0).UTC(), true
			}
		}
		if !mayBeFloat(s) {
			return time.Time{}, false
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			sec := int64(f)
			return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
		}
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
