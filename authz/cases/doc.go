// Package cases runs policy decision cases in the JSONL contract of
// `gatehouse policy eval --cases` (shared/spec/policy-cases.md): one case
// a line in, one result a line out, in order. A bad line yields a result
// with decision "Error" and the next line goes on.
package cases
