#!/usr/bin/env bash
# Try a directory of annotated protos against a scratch copy of the reference
# target: generate (protoc-gen-go, -go-grpc, -connect-go and
# protoc-gen-altalune through buf), then go build, go vet and gofmt -s -l.
#
#   scripts/try.sh path/to/protos [KEEP_DIR]
#
# The directory is an import root: files are imported as they would be in
# your repository (e.g. altalune/v1/employee.proto). altalune/v1/common.proto
# and project.proto come from the reference target unless you provide your
# own; buf/validate and the options proto are vendored. Your protos'
# go_package must use the target module path (github.com/hrz8/altalune by
# default; set MODULE=your/module to rename the scratch module to yours).
set -euo pipefail
if [ "$#" -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 PROTO_DIR [SCRATCH_DIR]" >&2
  exit 2
fi
protos="$(cd "$1" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/bootstrap.sh" >/dev/null
source "$here/env.sh"
module="${MODULE:-github.com/hrz8/altalune}"

scratch="${2:-$(mktemp -d "${TMPDIR:-/tmp}/altalune-try.XXXXXX")}"
mkdir -p "$scratch"
echo "try: scratch target in $scratch"

# The reference target without its example domains and generated code.
tar -C "$root/example" \
  --exclude=./gen --exclude=./e2e --exclude='*.altalune.go' \
  --exclude=./internal/domain/employee --exclude=./internal/domain/currency --exclude=./internal/domain/ticket \
  --exclude=./errors_ticket.go --exclude=./errors_ticket_test.go --exclude='./database/migrations/2024010100001*' \
  --exclude='./database/migrations/2024010100002*' --exclude='./database/migrations/2024010100003*' \
  --exclude=./api/proto/altalune/v1/employee.proto --exclude=./api/proto/altalune/v1/currency.proto \
  --exclude=./api/proto/altalune/v1/ticket.proto \
  -cf - . | tar -C "$scratch" -xf -
cp -R "$protos/." "$scratch/api/proto/"
if [ "$module" != "github.com/hrz8/altalune" ]; then
  grep -rlF "github.com/hrz8/altalune" "$scratch" | xargs sed -i "s#github.com/hrz8/altalune#$module#g"
fi

cat >"$scratch/buf.yaml" <<YAML
version: v2
modules:
  - path: api/proto
  - path: api/third_party
YAML
cat >"$scratch/buf.gen.yaml" <<YAML
version: v2
inputs:
  - directory: api/proto
  - directory: api/third_party
    paths: [api/third_party/altalune/codegen]
plugins:
  - local: protoc-gen-go
    out: gen
    opt: paths=source_relative
  - local: protoc-gen-go-grpc
    out: gen
    opt: paths=source_relative
  - local: protoc-gen-connect-go
    out: gen
    opt: paths=source_relative
  - local: protoc-gen-altalune
    out: .
    strategy: all
    opt: go_module=$module
YAML

cd "$scratch"
echo "try: buf generate"
buf generate
echo "try: go build ./... && go vet ./..."
GOFLAGS=-mod=mod go build ./...
GOFLAGS=-mod=mod go vet ./...
unformatted="$(gofmt -s -l .)"
if [ -n "$unformatted" ]; then
  echo "try: not gofmt -s clean:" >&2
  echo "$unformatted" >&2
  exit 1
fi
echo "try: ok — generated, built, vetted and gofmt-clean:"
find . -name '*.altalune.go' -o -path './database/migrations/*.sql' | sort | sed 's/^/  /'
