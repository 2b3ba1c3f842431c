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
// boolean and an IP address, so that a decision never parses. The zero
// value is an empty context. A Context is not safe for concurrent
// mutation; evaluating against it concurrently is safe.
type Context struct {
	m map[string]*ctxEntry
}

type ctxEntry struct {
	key  string // as first set
	vals []ctxValue
}

type ctxValue struct {
	s      string
	num    float64
	hasNum bool
	t      time.Time
	hasT   bool
	ip     netip.Addr
	b      int8 // 1 true, -1 false, 0 not a boolean
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
	if c.m == nil {
		c.m = make(map[string]*ctxEntry)
	}
	e := &ctxEntry{key: key, vals: make([]ctxValue, len(values))}
	for i, v := range values {
		e.vals[i] = parseValue(v)
	}
	c.m[strings.ToLower(key)] = e
}

// Delete removes key.
func (c *Context) Delete(key string) {
	delete(c.m, strings.ToLower(key))
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	e := c.lookup(strings.ToLower(key))
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
func (c *Context) Has(key string) bool { return c.lookup(strings.ToLower(key)) != nil }

// Keys returns the keys as first set, in no particular order.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.m))
	for _, e := range c.m {
		out = append(out, e.key)
	}
	return out
}

// Clone returns a copy that can be changed independently.
func (c *Context) Clone() *Context {
	out := &Context{m: make(map[string]*ctxEntry, len(c.m))}
	if c != nil {
		for k, e := range c.m {
			out.m[k] = e
		}
	}
	return out
}

// lookup takes a lower-cased key.
func (c *Context) lookup(lkey string) *ctxEntry {
	if c == nil {
		return nil
	}
	return c.m[lkey]
}

// single returns the value of a single-valued key, as a policy variable
// needs it.
func (c *Context) single(lkey string) (string, bool) {
	e := c.lookup(lkey)
	if e == nil || len(e.vals) != 1 {
		return "", false
	}
	return e.vals[0].s, true
}

func parseValue(s string) ctxValue {
	v := ctxValue{s: s}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		v.num, v.hasNum = f, true
	}
	v.t, v.hasT = parseDate(s)
	if a, err := netip.ParseAddr(s); err == nil {
		v.ip = a
	}
	switch {
	case strings.EqualFold(s, "true"):
		v.b = 1
	case strings.EqualFold(s, "false"):
		v.b = -1
	}
	return v
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
// epoch (as aws:EpochTime carries it).
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:T") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC(), true
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
