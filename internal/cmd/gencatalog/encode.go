package main

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	servicesMagic = "gencatalog/services/1\n"
	policiesMagic = "gencatalog/policies/1\n"
)

// accessLevels are the access levels catalog.AccessLevel knows; index 0 is
// "no level". The decoder matches them by name.
var accessLevels = []string{"", "List", "Read", "Write", "Permissions management", "Tagging"}

// keyTypes are the condition key types catalog.KeyType knows. A new type
// in the data must be added there first.
var keyTypes = []string{"String", "ArrayOfString", "ARN", "ArrayOfARN", "Bool", "ArrayOfBool", "Numeric", "Date", "IPAddress"}

// enc builds an encoding.
type enc struct{ b []byte }

func (e *enc) uint(v int) {
	if v < 0 {
		panic("negative")
	}
	e.b = binary.AppendUvarint(e.b, uint64(v))
}

func (e *enc) str(s string) {
	e.uint(len(s))
	e.b = append(e.b, s...)
}

func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *enc) uints(v []int) {
	e.uint(len(v))
	for _, x := range v {
		e.uint(x)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cmpFold orders case-insensitively, then by bytes.
func cmpFold(a, b string) int {
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// tagKeyVariable is how AWS's reference writes the tag key of a key
// that takes one, where it does not write ${TagKey}.
const tagKeyVariable = "tag-key"

// variable finds the variable part of a service condition key name:
// "${Name}", "<name>" or a final "/tag-key", at most one.

func variable(name string) (start, end int, ok bool, err error) {
	find := func(open, close string) (int, int) {
		i := strings.Index(name, open)
		if i < 0 {
			return -1, -1
		}
		j := strings.Index(name[i:], close)
		if j < 0 {
			return i, -1
		}
		return i, i + j + len(close)
	}
	s1, e1 := find("${", "}")
	s2, e2 := find("<", ">")
	switch {
	case s1 < 0 && s2 < 0:
		// Two services' keys spell their tag key as the global keys do,
		// a literal "tag-key" (secretsmanager:ResourceTag/tag-key,
		// ssm:resourceTag/tag-key): it stands for any tag key.
		if strings.HasSuffix(name, "/"+tagKeyVariable) {
			return len(name) - len(tagKeyVariable), len(name), true, nil
		}
		return 0, 0, false, nil
	case s1 >= 0 && s2 >= 0:
		return 0, 0, false, fmt.Errorf("condition key %q has two kinds of variable", name)
	case s2 >= 0:
		s1, e1 = s2, e2
	}
	if e1 < 0 || strings.Contains(name[e1:], "${") || strings.Contains(name[e1:], "<") {
		return 0, 0, false, fmt.Errorf("condition key %q: want exactly one variable", name)
	}
	return s1, e1, true, nil
}

func typeIndex(t string) (int, error) {
	i := slices.Index(keyTypes, t)
	if i < 0 {
		return 0, fmt.Errorf("unknown condition key type %q: add it to catalog.KeyType and to keyTypes", t)
	}
	return i, nil
}

func levelIndex(l string) (int, error) {
	i := slices.Index(accessLevels, l)
	if i <= 0 {
		return 0, fmt.Errorf("unknown access level %q: add it to catalog.AccessLevel and to accessLevels", l)
	}
	return i, nil
}

func (e *enc) key(name, typ, desc string, varStart, varEnd int, isVar bool) error {
	if name == "" || !isASCII(name) {
		return fmt.Errorf("condition key %q: empty or not ASCII", name)
	}
	if !utf8.ValidString(desc) {
		return fmt.Errorf("condition key %q: description is not UTF-8", name)
	}
	t, err := typeIndex(typ)
	if err != nil {
		return fmt.Errorf("condition key %q: %w", name, err)
	}
	e.str(name)
	e.uint(t)
	e.bool(isVar)
	if isVar {
		e.uint(varStart)
		e.uint(varEnd)
	}
	e.str(desc)
	return nil
}

// encodeServices encodes the services and global condition keys.
func encodeServices(in []inService, globals []inGlobalKey) ([]byte, error) {
	services := slices.Clone(in)
	slices.SortFunc(services, func(a, b inService) int { return strings.Compare(a.Prefix, b.Prefix) })

	// Level sets: each distinct accessLevels list, in order of first use.
	var levelSets [][]int
	setIndex := map[string]int{}

	var counts struct{ actions, rts, keys, actionResources, arnFormats, keyRefs, lowerBytes int }
	// lowerBytes counts the bytes of the names with upper-case letters,
	// which the decoder lower-cases into one buffer.
	lower := func(name string) {
		if name != strings.ToLower(name) {
			counts.lowerBytes += len(name)
		}
	}
	var body enc
	seenPrefix := map[string]bool{}
	for si := range services {
		s := &services[si]
		lp := strings.ToLower(s.Prefix)
		if s.Prefix == "" || !isASCII(s.Prefix) || strings.ContainsAny(s.Prefix, ":*?") || seenPrefix[lp] {
			return nil, fmt.Errorf("service prefix %q: empty, not ASCII, has : * ? or is a duplicate", s.Prefix)
		}
		seenPrefix[lp] = true
		lower(s.Prefix)
		body.str(s.Prefix)
		body.str(s.Name)
		body.bool(s.RCPSupported)

		keys := slices.Clone(s.ConditionKeys)
		slices.SortFunc(keys, func(a, b inKey) int { return cmpFold(a.Name, b.Name) })
		keyIdx := map[string]int{}
		lowerSeen := map[string]bool{}
		body.uint(len(keys))
		for i, k := range keys {
			if lowerSeen[strings.ToLower(k.Name)] {
				return nil, fmt.Errorf("%s: condition key %q twice (ignoring case)", s.Prefix, k.Name)
			}
			lowerSeen[strings.ToLower(k.Name)] = true
			keyIdx[k.Name] = i
			lower(k.Name)
			start, end, isVar, err := variable(k.Name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.Prefix, err)
			}
			if err := body.key(k.Name, k.Type, k.Description, start, end, isVar); err != nil {
				return nil, fmt.Errorf("%s: %w", s.Prefix, err)
			}
		}
		counts.keys += len(keys)
		keyRefs := func(what string, names []string) error {
			body.uint(len(names))
			for _, n := range names {
				i, ok := keyIdx[n]
				if !ok {
					return fmt.Errorf("%s: %s: condition key %q is not a key of the service", s.Prefix, what, n)
				}
				body.uint(i)
			}
			counts.keyRefs += len(names)
			return nil
		}

		rts := slices.Clone(s.ResourceTypes)
		slices.SortFunc(rts, func(a, b inResourceType) int { return cmpFold(a.Name, b.Name) })
		rtIdx := map[string]int{}
		lowerSeen = map[string]bool{}
		body.uint(len(rts))
		for i, rt := range rts {
			if rt.Name == "" || !isASCII(rt.Name) || lowerSeen[strings.ToLower(rt.Name)] {
				return nil, fmt.Errorf("%s: resource type %q: empty, not ASCII or a duplicate", s.Prefix, rt.Name)
			}
			lowerSeen[strings.ToLower(rt.Name)] = true
			rtIdx[rt.Name] = i
			lower(rt.Name)
			body.str(rt.Name)
			body.uint(len(rt.ARNFormats))
			for _, f := range rt.ARNFormats {
				if !isASCII(f) || !strings.HasPrefix(f, "arn:") {
					return nil, fmt.Errorf("%s: resource type %q: odd ARN format %q", s.Prefix, rt.Name, f)
				}
				body.str(f)
			}
			counts.arnFormats += len(rt.ARNFormats)
			if err := keyRefs("resource type "+rt.Name, rt.ConditionKeys); err != nil {
				return nil, err
			}
		}
		counts.rts += len(rts)

		actions := slices.Clone(s.Actions)
		slices.SortFunc(actions, func(a, b inAction) int { return cmpFold(a.Name, b.Name) })
		lowerSeen = map[string]bool{}
		body.uint(len(actions))
		for _, a := range actions {
			if a.Name == "" || !isASCII(a.Name) || strings.ContainsAny(a.Name, ":*? ") || lowerSeen[strings.ToLower(a.Name)] {
				return nil, fmt.Errorf("%s: action %q: empty, not ASCII, has : * ? space or is a duplicate", s.Prefix, a.Name)
			}
			lowerSeen[strings.ToLower(a.Name)] = true
			lower(a.Name)
			if !utf8.ValidString(a.Description) {
				return nil, fmt.Errorf("%s:%s: description is not UTF-8", s.Prefix, a.Name)
			}
			body.str(a.Name)
			body.str(a.Description)
			l, err := levelIndex(a.AccessLevel)
			if err != nil {
				return nil, fmt.Errorf("%s:%s: %w", s.Prefix, a.Name, err)
			}
			body.uint(l)
			if len(a.AccessLevels) == 0 {
				return nil, fmt.Errorf("%s:%s: no access levels", s.Prefix, a.Name)
			}
			set := make([]int, len(a.AccessLevels))
			for i, name := range a.AccessLevels {
				if set[i], err = levelIndex(name); err != nil {
					return nil, fmt.Errorf("%s:%s: %w", s.Prefix, a.Name, err)
				}
			}
			if !slices.Contains(set, l) {
				return nil, fmt.Errorf("%s:%s: access level %s is not among %v", s.Prefix, a.Name, a.AccessLevel, a.AccessLevels)
			}
			sk := fmt.Sprint(set)
			idx, ok := setIndex[sk]
			if !ok {
				idx = len(levelSets)
				setIndex[sk] = idx
				levelSets = append(levelSets, set)
			}
			body.uint(idx)
			if err := keyRefs("action "+a.Name, a.ConditionKeys); err != nil {
				return nil, err
			}
			body.uint(len(a.ResourceTypes))
			for _, r := range a.ResourceTypes {
				i, ok := rtIdx[r.Name]
				if !ok {
					return nil, fmt.Errorf("%s:%s: resource type %q is not a resource type of the service", s.Prefix, a.Name, r.Name)
				}
				body.uint(i)
				body.bool(r.Required)
				if err := keyRefs("action "+a.Name+" resource "+r.Name, r.ConditionKeys); err != nil {
					return nil, err
				}
			}
			counts.actionResources += len(a.ResourceTypes)
		}
		counts.actions += len(actions)
	}

	for _, g := range globals {
		lower(g.Name)
	}
	var e enc
	e.b = append(e.b, servicesMagic...)
	for _, n := range []int{len(services), counts.actions, counts.rts, counts.keys, len(globals), counts.actionResources, counts.arnFormats, counts.keyRefs, counts.lowerBytes} {
		e.uint(n)
	}
	e.uint(len(accessLevels))
	for _, l := range accessLevels {
		e.str(l)
	}
	e.uint(len(keyTypes))
	for _, t := range keyTypes {
		e.str(t)
	}
	e.uint(len(levelSets))
	for _, set := range levelSets {
		e.uints(set)
	}

	// Global keys, in the source's order (grouped by category).
	e.uint(len(globals))
	seen := map[string]bool{}
	for _, g := range globals {
		if seen[strings.ToLower(g.Name)] {
			return nil, fmt.Errorf("global condition key %q twice (ignoring case)", g.Name)
		}
		seen[strings.ToLower(g.Name)] = true
		isVar := g.Prefix != ""
		if isVar && (!strings.HasPrefix(g.Name, g.Prefix) || len(g.Name) == len(g.Prefix)) {
			return nil, fmt.Errorf("global condition key %q: prefix %q is not a proper prefix", g.Name, g.Prefix)
		}
		if !isVar && (strings.Contains(g.Name, "${") || strings.Contains(g.Name, "<")) {
			return nil, fmt.Errorf("global condition key %q has a variable but no prefix", g.Name)
		}
		if g.Category == "" {
			return nil, fmt.Errorf("global condition key %q has no category", g.Name)
		}
		if err := e.key(g.Name, g.Type, g.Description, len(g.Prefix), len(g.Name), isVar); err != nil {
			return nil, err
		}
		e.str(g.Category)
		alt := make([]int, len(g.AlternateTypes))
		for i, t := range g.AlternateTypes {
			var err error
			if alt[i], err = typeIndex(t); err != nil {
				return nil, fmt.Errorf("global condition key %q: %w", g.Name, err)
			}
		}
		e.uints(alt)
	}
	e.uint(len(services))
	e.b = append(e.b, body.b...)
	return e.b, nil
}

// encodePolicies encodes the managed policies, sorted by name.
func encodePolicies(in []inPolicy) []byte {
	policies := slices.Clone(in)
	slices.SortFunc(policies, func(a, b inPolicy) int { return strings.Compare(a.Name, b.Name) })
	var e enc
	e.b = append(e.b, policiesMagic...)
	e.uint(len(policies))
	for _, p := range policies {
		e.str(p.Name)
		e.str(p.ARN)
		e.str(p.Path)
		e.str(p.DefaultVersionID)
		e.uint(int(p.create.Unix()))
		e.uint(int(p.update.Unix()))
		e.str(string(p.Document))
	}
	return e.b
}
