package iam_test

import (
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/iam"
)

// TestServed: Service serves exactly the operations served.txt lists
// (zz_served.go, generated from it, asserts at compile time that it
// implements each with the generated signature; this test that it
// implements no other, and that no method named for an operation has
// another signature), 155 of the model's 176 today; the rest answer
// InvalidAction.
func TestServed(t *testing.T) {
	b, err := os.ReadFile("served.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	got := slices.Sorted(maps.Keys(iamapi.Handlers((*iam.Service)(nil))))
	for _, op := range got {
		if !slices.Contains(want, op) {
			t.Errorf("Service implements %s, which served.txt does not list: add it there", op)
		}
	}
	for _, op := range want {
		if !slices.Contains(got, op) {
			t.Errorf("served.txt lists %s, which Service does not serve", op)
		}
	}
	// A method named for an operation but of another signature is not a
	// handler: it would answer InvalidAction without a word.
	typ := reflect.TypeFor[*iam.Service]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if slices.ContainsFunc(iamapi.Operations, func(op iamapi.Operation) bool { return op.Name == name }) && !slices.Contains(got, name) {
			t.Errorf("Service has a method %s that is not the operation's generated signature", name)
		}
	}
	if len(want) != 155 || len(iamapi.Operations) != 176 {
		t.Errorf("%d of %d operations served, want 155 of 176 (update this test and docs/ARCHITECTURE.md)", len(want), len(iamapi.Operations))
	}
}
