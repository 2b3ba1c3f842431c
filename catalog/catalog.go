package catalog

import (
	"strings"
	"sync"
)

// Catalog is the IAM reference data: services with their actions,
// resource types and condition keys, the global condition keys and the AWS
// managed policies. It is immutable and safe for concurrent use.
type Catalog struct {
	services []*Service
	byPrefix map[string]*Service // lower-case prefix
	all      []*Action           // every action, in service then name order
	global   []*ConditionKey     // the global condition keys
	globals  keyIndex
	keys     keyIndex            // service keys, one per lower-case name
	policies func() *policyIndex // decoded on first use
}

// Service is a service prefix of the Service Authorization Reference.
type Service struct {
	Prefix string // "iam"
	Name   string // "AWS Identity and Access Management (IAM)"
	// RCPSupported reports whether resource control policies apply to
	// the service.
	RCPSupported bool
	// Actions, ResourceTypes and ConditionKeys are sorted by name,
	// ignoring case. ConditionKeys holds the keys the reference lists for
	// the service, including the aws: keys its actions and resource types
	// use (aws:RequestTag/${TagKey}, ...).
	Actions       []*Action
	ResourceTypes []*ResourceType
	ConditionKeys []*ConditionKey

	actions map[string]*Action       // lower-case name
	rtypes  map[string]*ResourceType // lower-case name
	keys    keyIndex
	lower   string // lower-case Prefix
}

// Action is an action of a service.
type Action struct {
	Service     *Service
	Name        string // AWS's spelling: "CreateUser"
	Description string // "Grants permission to create a new IAM user"
	// AccessLevel is the classic single level: Permissions management if
	// the reference lists it, else Tagging if listed, else the one level
	// listed. AccessLevels are the levels as the reference lists them
	// (["Permissions management", "Write"]).
	AccessLevel  AccessLevel
	AccessLevels []AccessLevel
	// Resources are the resource types the action applies to, in the
	// reference's order. None: the action supports only "Resource": "*".
	// Several with none required: any one of them may be used.
	Resources []ActionResource
	// ConditionKeys are the keys the action itself supports, as named in
	// its service's ConditionKeys.
	ConditionKeys []string

	lower string // lower-case Name
}

// String returns the action as written in a policy: "iam:CreateUser".
func (a *Action) String() string { return a.Service.Prefix + ":" + a.Name }

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	Type *ResourceType
	// Required is the reference's asterisk: the resource type must be
	// part of the request.
	Required bool
	// ConditionKeys apply when the action is used on this resource type.
	ConditionKeys []string
}

// ResourceType is a resource type of a service.
type ResourceType struct {
	Service *Service
	// Name is AWS's spelling, which may have capitals or spaces ("user",
	// "function alias").
	Name string
	// ARNFormats are ARN templates with ${Partition}, ${Region},
	// ${Account} and resource placeholders; most types have one.
	ARNFormats []string
	// ConditionKeys apply to resources of this type.
	ConditionKeys []string

	lower string // lower-case Name
}

// ConditionKey is a condition context key.
type ConditionKey struct {
	// Name is the key as the reference writes it. A key with a variable
	// part writes it as ${TagKey} (and the like) in service keys, as
	// tag-key in global keys, and as <key> in four s3 keys.
	Name        string
	Type        KeyType
	Description string // empty for global keys: AWS's list has none
	// Global reports a key of AWS's global condition context keys list,
	// which applies to every service. Category is its section there:
	// "principal", "session", "network", "resource" or "request". A
	// service's own entry for an aws: key is not Global.
	Global   bool
	Category string
	// AlternateTypes are other types AWS documents for a global key
	// (aws:EpochTime: Date, and Numeric).
	AlternateTypes []KeyType
	// Prefix and Suffix are, for a key with a variable part, the literal
	// text around it: "aws:PrincipalTag/" and "" for
	// aws:PrincipalTag/tag-key. Both are empty for other keys.
	Prefix, Suffix string

	lower  string // lower-case Name
	varEnd int    // with Prefix: lower[len(Prefix):varEnd] is the variable
}

// Variable reports whether the key has a variable part.
func (k *ConditionKey) Variable() bool { return k.varEnd > 0 }

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := decode(servicesGz, servicesSize, policiesGz, policiesSize)
	if err != nil {
		panic(err)
	}
	return c
})

// Default returns the catalog embedded in the package, decoding it on the
// first call. It panics if the embedded data is corrupt, which the
// package's tests rule out.
func Default() *Catalog { return defaultCatalog() }

// Services returns every service, sorted by prefix.
func (c *Catalog) Services() []*Service { return c.services }

// GlobalConditionKeys returns the global condition context keys, in the
// order of AWS's list, which groups them by Category.
func (c *Catalog) GlobalConditionKeys() []*ConditionKey { return c.global }

// Service returns the service with the prefix, ignoring case, or nil.
func (c *Catalog) Service(prefix string) *Service {
	var buf [64]byte
	return c.byPrefix[string(fold(buf[:], prefix))]
}

// Action returns the action named "service:Action", ignoring case, or
// nil. A name with wildcards is not an action: see MatchActions.
func (c *Catalog) Action(name string) *Action {
	svc, act, ok := strings.Cut(name, ":")
	if !ok {
		return nil
	}
	s := c.Service(svc)
	if s == nil {
		return nil
	}
	return s.Action(act)
}

// MatchActions returns the catalog's actions matching an IAM action
// pattern, ignoring case: "*" (every action), "iam:*", "iam:Get*",
// "s3:*Object*", "s3:Get?bject", or a literal action. In the action part,
// * matches any run of characters and ? one character; the service part
// has no wildcards. The actions are sorted by service prefix, then by name
// ignoring case. An unknown service, a malformed pattern or a pattern
// matching nothing gives nil.
func (c *Catalog) MatchActions(pattern string) []*Action {
	if pattern == "*" {
		return c.all
	}
	svc, act, ok := strings.Cut(pattern, ":")
	if !ok || strings.ContainsAny(svc, "*?") {
		return nil
	}
	s := c.Service(svc)
	if s == nil {
		return nil
	}
	if act == "*" {
		return s.Actions
	}
	if !strings.ContainsAny(act, "*?") {
		if a := s.Action(act); a != nil {
			return []*Action{a}
		}
		return nil
	}
	p := string(fold(make([]byte, len(act)), act))
	var out []*Action
	for _, a := range s.Actions {
		if globMatch(p, a.lower) {
			out = append(out, a)
		}
	}
	return out
}

// ConditionKey returns the condition key with the name, ignoring case, or
// nil. A concrete name finds the variable key it is an instance of
// (aws:PrincipalTag/team finds aws:PrincipalTag/tag-key,
// s3:ExistingObjectTag/x finds s3:ExistingObjectTag/<key>). Global keys
// come first; then a service's key, from the service the key's prefix
// names if it lists the key (iam:ResourceTag/${TagKey} is iam's, not
// sts's), else from the first service by prefix that lists it.
func (c *Catalog) ConditionKey(name string) *ConditionKey {
	var buf [256]byte
	b := fold(buf[:], name)
	if k := c.globals.find(b); k != nil {
		return k
	}
	return c.keys.find(b)
}

// Action returns the service's action with the name (without the service
// prefix), ignoring case, or nil.
func (s *Service) Action(name string) *Action {
	var buf [128]byte
	return s.actions[string(fold(buf[:], name))]
}

// ResourceType returns the service's resource type with the name,
// ignoring case, or nil.
func (s *Service) ResourceType(name string) *ResourceType {
	var buf [128]byte
	return s.rtypes[string(fold(buf[:], name))]
}

// ConditionKey returns the key with the name, ignoring case, from the
// keys the service lists, or nil; a concrete name finds the variable key
// it is an instance of (aws:RequestTag/env finds aws:RequestTag/${TagKey}).
// Global keys the service does not list are not found here: see
// Catalog.ConditionKey.
func (s *Service) ConditionKey(name string) *ConditionKey {
	var buf [256]byte
	return s.keys.find(fold(buf[:], name))
}

// keyIndex finds condition keys by lower-case name, exactly or as an
// instance of a variable key.
type keyIndex struct {
	exact map[string]*ConditionKey
	// vars holds the variable keys by lower-case Prefix, each list with
	// the longest Suffix first; seps has the last byte of every Prefix.
	vars     map[string][]*ConditionKey
	seps     [256 / 64]uint64
	emptyPre bool // a variable key has an empty Prefix
}

func (x *keyIndex) add(k *ConditionKey) bool {
	if _, dup := x.exact[k.lower]; dup {
		return false
	}
	x.exact[k.lower] = k
	if k.Variable() {
		p := k.lower[:len(k.Prefix)]
		if x.vars == nil {
			x.vars = map[string][]*ConditionKey{}
		}
		list := append(x.vars[p], k)
		// Longest suffix first: events:Metadata/${MetadataKey}/Matcher
		// before events:Metadata/${MetadataKey}.
		for i := len(list) - 1; i > 0 && len(list[i].Suffix) > len(list[i-1].Suffix); i-- {
			list[i], list[i-1] = list[i-1], list[i]
		}
		x.vars[p] = list
		if p == "" {
			x.emptyPre = true
		} else {
			c := p[len(p)-1]
			x.seps[c/64] |= 1 << (c % 64)
		}
	}
	return true
}

// find looks up a lower-case name: exactly, then as an instance of the
// variable key with the longest prefix.
func (x *keyIndex) find(b []byte) *ConditionKey {
	if k := x.exact[string(b)]; k != nil {
		return k
	}
	if x.vars == nil {
		return nil
	}
	for i := len(b) - 1; i >= 0; i-- {
		c := b[i]
		if x.seps[c/64]&(1<<(c%64)) == 0 {
			continue
		}
		if k := matchSuffix(x.vars[string(b[:i+1])], b, i+1); k != nil {
			return k
		}
	}
	if x.emptyPre {
		return matchSuffix(x.vars[""], b, 0)
	}
	return nil
}

// matchSuffix returns the first key whose suffix ends b, leaving a
// non-empty variable part after the prefix b[:n].
func matchSuffix(keys []*ConditionKey, b []byte, n int) *ConditionKey {
	for _, k := range keys {
		s := k.lower[k.varEnd:]
		if len(b)-n > len(s) && string(b[len(b)-len(s):]) == s {
			return k
		}
	}
	return nil
}

// fold returns s in ASCII lower case, in buf if it fits.
func fold(buf []byte, s string) []byte {
	if len(s) > len(buf) {
		buf = make([]byte, len(s))
	}
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return b
}

// globMatch matches a lower-case name against a lower-case pattern in
// which * matches any run of bytes and ? one byte.
func globMatch(pattern, name string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
