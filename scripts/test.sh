#!/usr/bin/env bash
# The whole test suite: formatting, vet, generated code up to date, tests with
# the race detector. Run from anywhere: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt -l reports unformatted files:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go generate is clean"
# Every generator reads files of the repository (the botocore models in
# awsapi/models, iam/servicelinkedroles.json, the embedded catalog) except
# gencatalog, which reads ../shared/data: without it, its directive is
# skipped and the rest still checked.
if git rev-parse --git-dir >/dev/null 2>&1; then
  untracked_before=$(git ls-files --others --exclude-standard)
  if [ -d ../shared/data ]; then
    go generate ./...
  else
    echo "(../shared/data not present: catalog's gencatalog skipped)"
    go generate -skip gencatalog ./...
  fi
  if ! git diff --exit-code --stat; then
    echo "go generate changed checked-in files: run it and commit the result"; exit 1
  fi
  if [ "$untracked_before" != "$(git ls-files --others --exclude-standard)" ]; then
    echo "go generate wrote files that are not checked in:"
    comm -13 <(echo "$untracked_before") <(git ls-files --others --exclude-standard); exit 1
  fi
else
  echo "(skipped: not a git checkout)"
fi

echo "== go test -race"
go test -race -count=1 -timeout 30m ./...

echo "== allocation checks without the race detector (it makes sync.Pool drop Puts)"
go test -count=1 -run 'Alloc' ./...

if [ -f bench/peers/go.mod ]; then
  echo "== bench/peers (build and check scenarios agree)"
  (cd bench/peers && go vet ./... && go test -count=1 ./...)
fi
