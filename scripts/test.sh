#!/usr/bin/env bash
# The whole test suite: installs what it needs (scripts/bootstrap.sh), then
# runs pytest over tests/: unit and golden tests, the reference target
# (regenerated without drift, go build / vet / gofmt), the wheel in a fresh
# venv, and the end-to-end tests against a throwaway PostgreSQL.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not e2e".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/bootstrap.sh"
source "$here/env.sh"
cd "$root"
set +e
python -m pytest tests "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; failing on purpose" >&2
  exit 1
fi
exit "$rc"
