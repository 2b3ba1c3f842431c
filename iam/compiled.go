package iam

import (
	"runtime"
	"sync"
	"weak"

	"github.com/gatehouse/gatehouse/policy"
)

// setCache shares compiled policies among the principals of the view:
// each policy document — a managed policy version, a user's, group's or
// role's inline policy — is parsed, compiled and indexed once, into a
// one-policy set, and every principal whose policies include it holds
// that set (policy.Union) instead of an index of its own. A group's
// policies are compiled once for all its members; ReadOnlyAccess once
// for every principal that attaches it.
//
// The cache holds its sets weakly: while some principal's entry holds a
// set, the cache hands out that set; once none does (the principals were
// recompiled after a change, a version was replaced), the garbage
// collector frees it and a cleanup forgets its key. So the cache holds
// only what is in use, however many versions and inline documents come
// and go.
type setCache struct {
	mu sync.Mutex
	m  map[setKey]weak.Pointer[policy.Set]
	// pinned holds the sets of AWS managed policies for good: their
	// documents never change, there are at most as many as the catalog
	// has, and one such as ReadOnlyAccess takes tens of milliseconds to
	// compile, which no principal's first request should pay again.
	pinned map[setKey]*policy.Set
	// warming are the AWS managed policies being compiled ahead of use.
	warming map[string]bool
	// compiles counts the documents compiled (tests count sharing).
	compiles int
}

// setKey names a compiled policy by what it is made from: the policy's
// name in decisions (owner/name for an inline policy, the ARN of a
// managed one) and the document text. Equal keys compile to equal sets.
type setKey struct{ name, doc string }

// get returns the set of the identity policy doc named name, compiled
// once while it is in use, or for good if pin.
func (c *setCache) get(name, doc string, pin bool) (*policy.Set, error) {
	k := setKey{name, doc}
	if s := c.lookup(k); s != nil {
		return s, nil
	}
	p, err := policy.ParseAndCompileText(doc, policy.Identity, name)
	if err != nil {
		return nil, err
	}
	s := policy.NewSet(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[k].Value(); old != nil {
		return old, nil // a racing build stored it first
	}
	if c.m == nil {
		c.m = make(map[setKey]weak.Pointer[policy.Set])
	}
	c.m[k] = weak.Make(s)
	c.compiles++
	runtime.AddCleanup(s, c.forget, k)
	if pin {
		if c.pinned == nil {
			c.pinned = make(map[setKey]*policy.Set)
		}
		c.pinned[k] = s
	}
	return s, nil
}

// warm compiles the AWS managed policy named arn with document doc in
// the background unless it is compiled or being compiled.
func (c *setCache) warm(arn, doc string) {
	k := setKey{arn, doc}
	c.mu.Lock()
	if c.pinned[k] != nil || c.warming[arn] {
		c.mu.Unlock()
		return
	}
	if c.warming == nil {
		c.warming = make(map[string]bool)
	}
	c.warming[arn] = true
	c.mu.Unlock()
	go func() {
		c.get(arn, doc, true) // the catalog's documents compile
		c.mu.Lock()
		delete(c.warming, arn)
		c.mu.Unlock()
	}()
}

func (c *setCache) lookup(k setKey) *policy.Set {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k].Value()
}

// forget drops key k once its set is gone, unless a newer set took its
// place.
func (c *setCache) forget(k setKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if wp, ok := c.m[k]; ok && wp.Value() == nil {
		delete(c.m, k)
	}
}

// len is the number of keys the cache holds.
func (c *setCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
