// Command scale builds, through the real API of a gatehouse binary it
// starts on a fresh data directory, accounts at AWS's default IAM
// quotas, and measures the server holding them: 5,000 users (the
// bootstrapped admin and 4,999 more), 300 groups, 1,000 roles and 1,500
// customer managed policies (documents up to 6,144 characters) per
// account, each user in 1 to 10 groups, AWS managed policies attached
// (ReadOnlyAccess to a third of the groups, others to the rest, to
// users and to roles), every user with an access key. The first account
// is the one serve bootstraps; the -accounts more are added with
// `gatehouse account create` while the server runs.
//
// It then makes every user active (each signs one GetUser with its own
// key, which compiles its authorization view entry; roles cannot sign
// before STS exists, so they stay inactive) and prints:
//   - the server's resident set (VmRSS of /proc/PID/status) and its live
//     heap (go_gc_heap_live_bytes after two garbage collections) before
//     and after, and the memory per active principal;
//   - latency (p50/p99) and throughput of every build step, of GetUser,
//     ListUsers and ListPolicies, and of a mixed write load of 16
//     clients (CreateUser, PutUserPolicy, AddUserToGroup in a fresh
//     account) against issue 12's goal of 3,000 durable writes/s at a
//     p99 of 20 ms;
//   - how long a restart on the built data directory takes until
//     /readyz answers (the snapshot load).
//
// Progress goes to stderr, the figures to stdout. The full run:
//
//	go build -o /tmp/gatehouse ./cmd/gatehouse
//	go run ./internal/cmd/scale -gatehouse /tmp/gatehouse -accounts 10
//
// Sizes are flags, so a small run is possible (-accounts 0 -users 300
// -groups 10 -roles 20 -policies 20). Activation stops early when the
// server's resident set passes -max-rss-mib, and the server runs with
// GOMEMLIMIT a quarter above it, so a server that needs more memory than
// the machine has does not take it from its other users; the report
// says how many principals it made active. The CI version is
// TestScale (scale_test.go).
package main
