#!/usr/bin/env bash
# The Query benchmark: the reference target's generated employee repository
# against a hand-written one, on a throwaway PostgreSQL.
#
#   bench/query/run.sh [-rows 100000] [-projects 2] [-calls 60] [-warmup 5] [-writes 200] [-index-cost]
#
# Builds the benchmark (a Go module of its own, over ../../example), starts
# a PostgreSQL server in a temporary directory (scripts/with-postgres.sh),
# runs it there and stops the server. See main.go for what it measures.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../scripts/env.sh"
bin="$(mktemp -d "${TMPDIR:-/tmp}/querybench.XXXXXX")"
trap 'rm -rf "$bin"' EXIT
(cd "$here" && go build -o "$bin/querybench" .)
"$here/../../scripts/with-postgres.sh" "$bin/querybench" "$@"
