#!/usr/bin/env bash
# Generated-code fuzzing: seeded random annotated schemas through
# protoc-gen-altalune, each refused with located errors or compiled (go build,
# go vet, gofmt -s -l) in a copy of the reference target. See tests/schema_fuzz.py.
#
#   scripts/fuzz-schemas.sh [--count 1000] [--seed S] [--jobs N] [--keep] [--seeds 3,17,40-45]
#                           [--no-build] [--results DIR] [--quiet] [--proto FILE]
#
# Prints one line per case with its timings, then a summary; failing cases are
# saved under .tools/fuzz-results/<seed>/ (schema, error, the plugin's output).
# Exit status 1 when any case crashed, was refused without a located error, or
# did not build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
if ! command -v protoc-gen-altalune >/dev/null || ! command -v protoc >/dev/null; then
  bash "$here/bootstrap.sh" >/dev/null
fi
cd "$root"
exec python tests/schema_fuzz.py "$@"
