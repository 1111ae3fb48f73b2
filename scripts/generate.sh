#!/usr/bin/env bash
# Regenerates the reference target (example/) with buf and the installed
# plugins, as a user's `buf generate` would.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
buf generate
