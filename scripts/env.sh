# Sourced by the project's scripts: puts the installed tools first on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/.tools/venv/bin:$root/.tools/bin:$PATH"
export GOFLAGS="${GOFLAGS:--mod=readonly}"
