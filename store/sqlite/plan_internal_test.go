package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatementsSearchTheIndex keeps every prepared query an index
// search bounded on both sides where it can be: a query that scans (or
// searches to a kind's end) costs the size of the store on every
// commit, which no functional test would notice.
func TestStatementsSearchTheIndex(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var probe statements // which statement is which
	for _, st := range statementSQL {
		if !strings.HasPrefix(st.sql, "SELECT") {
			continue
		}
		args := make([]any, strings.Count(st.sql, "?"))
		for i := range args {
			args[i] = "x"
		}
		rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+st.sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		// sqlite_sequence holds a row per AUTOINCREMENT table: one.
		if !strings.Contains(got, "SEARCH") || strings.Contains(strings.ReplaceAll(got, "SCAN sqlite_sequence", ""), "SCAN") {
			t.Errorf("%s\n  plan: %s, want an index search", st.sql, got)
		}
		if st.dst(&probe) == &probe.countRange && !strings.Contains(got, "key>? AND key<?") {
			t.Errorf("%s\n  plan: %s, want the range bounded on both sides", st.sql, got)
		}
	}
}
