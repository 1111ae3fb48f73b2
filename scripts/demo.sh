#!/usr/bin/env bash
# The main job on the bundled example: install the plugin and the tools,
# generate the reference target, build it, then run it against a throwaway
# PostgreSQL and talk to it over Connect, as a user would with curl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/bootstrap.sh"
source "$here/env.sh"
cd "$root"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "protoc-gen-altalune $(protoc-gen-altalune --version | awk '{print $2}'): buf generate (buf.gen.yaml)"
buf generate
git -c core.quotepath=off status --short -- example | sed 's/^/  /' || true
echo "  generated files per entity, e.g. the employee domain:"
ls example/internal/domain/employee | sed 's/^/    /'

step "go build / go vet / gofmt -s -l in example/"
(cd example && go build ./... && go vet ./... && test -z "$(gofmt -s -l .)")
mkdir -p .tools/demo
(cd example && go build -o ../.tools/demo/altalune ./cmd/altalune && go build -o ../.tools/demo/altalune-token ./cmd/altalune-token)
echo "  ok: built .tools/demo/altalune and .tools/demo/altalune-token (a local token tool)"

step "what every RPC requires of its caller (altalune access)"
.tools/demo/altalune access | sed 's/^/  /'

step "start PostgreSQL and the server, then call it over Connect"
exec bash "$here/with-postgres.sh" bash "$here/demo-session.sh"
