// Package storetest is the conformance suite every store.Store backend
// runs: ordering, atomic batches, a gapless change log under concurrent
// commits, large values, reset and close.
package storetest
