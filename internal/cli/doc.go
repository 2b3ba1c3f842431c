// Package cli implements the gatehouse command line: argument parsing and
// the subcommands, each a thin layer over the library packages.
package cli
