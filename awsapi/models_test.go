package awsapi_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// sharedData is shared/data, where the models come from. It is absent
// where the repository is checked out alone; TestModelCopies is skipped
// there.
const sharedData = "../../shared/data"

// TestModelCopies: every file of models/ (the botocore models genapi
// reads and their licence) is byte for byte the file of shared/data it
// was copied from, so the generated packages are the models of
// shared/data.
func TestModelCopies(t *testing.T) {
	if _, err := os.Stat(sharedData); os.IsNotExist(err) {
		t.Skip("no " + sharedData)
	}
	n := 0
	err := filepath.WalkDir("models", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) == ".md" {
			return err
		}
		rel, err := filepath.Rel("models", path)
		if err != nil {
			return err
		}
		// models/iam/2010-05-08/service-2.json is shared/data/models/...;
		// models/LICENSES/x.txt is shared/data/LICENSES/x.txt.
		src := filepath.Join(sharedData, "models", rel)
		if dir, name := filepath.Split(rel); dir == "LICENSES"+string(filepath.Separator) {
			src = filepath.Join(sharedData, "LICENSES", name)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		want, err := os.ReadFile(src)
		if err != nil {
			t.Errorf("%s: no source: %v", path, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s: copy it again", path, src)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The three model files and the two licence files.
	if n != 5 {
		t.Errorf("compared %d files, want 5", n)
	}
}
