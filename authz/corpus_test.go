package authz_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/authz/cases"
)

// TestCorpus runs every decision case in testdata/cases/*.jsonl (the
// JSONL contract of `gatehouse policy eval --cases`) and checks the
// decision against the case's expect field. Each case names the AWS
// documentation page its rule comes from.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("../testdata/cases/*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no corpus files in ../testdata/cases")
	}
	total := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 16<<20)
			line := 0
			for sc.Scan() {
				line++
				raw := bytes.TrimSpace(sc.Bytes())
				if len(raw) == 0 {
					continue
				}
				var meta struct {
					ID     string `json:"id"`
					Expect string `json:"expect"`
					Doc    string `json:"doc"`
					Note   string `json:"note"`
				}
				_ = json.Unmarshal(raw, &meta)
				name := meta.ID
				if name == "" {
					name = "line" + string(rune('0'+line%10))
				}
				total++
				t.Run(name, func(t *testing.T) {
					if meta.Expect == "" {
						t.Fatalf("line %d has no expect", line)
					}
					res := cases.EvaluateLine(raw)
					if res.Decision != meta.Expect {
						t.Errorf("line %d: decision %s (%s), want %s\n  doc: %s\n  note: %s", line, res.Decision, res.Error, meta.Expect, meta.Doc, meta.Note)
					}
				})
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Logf("%d cases", total)
}
