// Package store declares how Gatehouse persists its state: records (one
// per entity, values opaque to the store) and a change log with one entry
// per change, committed together in one transaction. Backends live in
// subpackages (store/sqlite); store/storetest is the conformance suite
// every backend runs.
package store
