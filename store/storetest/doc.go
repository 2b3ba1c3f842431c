// Package storetest is the conformance suite every store.Store backend
// runs: ordering, versions, whole-commit log reads, atomic and
// conditional commits (record versions, unchanged kinds, limits), and the
// rules of several writers on one database, each with two Stores over
// it: two writers racing on one name, a commit seen by the other's
// follower within Bound, a crash between commit and apply, every commit
// applied once in log order, gaps in the log waited on and skipped.
package storetest
