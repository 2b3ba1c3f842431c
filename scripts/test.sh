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
if [ -d ../shared/data ] && git rev-parse --git-dir >/dev/null 2>&1; then
  go generate ./...
  if ! git diff --exit-code --stat; then
    echo "go generate changed checked-in files: run it and commit the result"; exit 1
  fi
else
  echo "(skipped: ../shared/data not present)"
fi

echo "== go test -race"
go test -race -count=1 -timeout 30m ./...

if [ -f bench/peers/go.mod ]; then
  echo "== bench/peers (build and check scenarios agree)"
  (cd bench/peers && go vet ./... && go test -count=1 ./...)
fi
