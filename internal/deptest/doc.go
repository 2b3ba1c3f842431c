// Package deptest holds the repository's statements of policy, checked by
// its tests: which packages may import what, and that every package has
// its documentation.
package deptest
