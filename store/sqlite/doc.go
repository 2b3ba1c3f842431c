// Package sqlite is the embedded store.Store: one SQLite file in WAL mode
// with synchronous=FULL, so that a commit that returned survives a crash
// of the process or the machine. It uses modernc.org/sqlite (pure Go).
package sqlite
