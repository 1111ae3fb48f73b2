#!/usr/bin/env bash
# Installs everything the project's commands need into .tools/ (idempotent):
# a Python venv with the plugin (editable) and its test dependencies, protoc
# (grpcio-tools), buf (npm), the Go protoc plugins and goose, the vendored
# third-party protos, and PostgreSQL when it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

BUF_VERSION=1.75.0
PROTOC_GEN_GO_VERSION=v1.36.11
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
CONNECT_VERSION=v1.21.1
PROTOVALIDATE_PY_VERSION=2.1.0

log() { printf '==> %s\n' "$*" >&2; }

# Python: a venv with the plugin installed editable plus the test tools.
if [ ! -x "$tools/venv/bin/python" ]; then
  log "creating Python venv"
  python3 -m venv "$tools/venv"
fi
stamp="$tools/venv/.requirements"
if ! cmp -s "$root/requirements-dev.txt" "$stamp" \
  || ! "$tools/venv/bin/python" -c 'import protoc_gen_altalune, grpc_tools, pytest, build' 2>/dev/null; then
  log "installing Python packages"
  "$tools/venv/bin/pip" install -q --upgrade pip
  "$tools/venv/bin/pip" install -q -e "$root" -r "$root/requirements-dev.txt"
  cp "$root/requirements-dev.txt" "$stamp"
fi

# buf, from the npm registry (a static binary inside the package).
if [ ! -x "$tools/node/node_modules/.bin/buf" ] || [ "$("$tools/node/node_modules/.bin/buf" --version)" != "$BUF_VERSION" ]; then
  log "installing buf $BUF_VERSION"
  mkdir -p "$tools/node"
  (cd "$tools/node" && npm install --silent --no-audit --no-fund --prefix . "@bufbuild/buf@$BUF_VERSION" >/dev/null)
fi
ln -sf "$tools/node/node_modules/.bin/buf" "$tools/bin/buf"

# Go protoc plugins and goose.
export GOBIN="$tools/bin"
install_go() { # binary module@version
  local bin="$1" pkg="$2"
  local stamp="$tools/bin/.$bin.version"
  if [ ! -x "$tools/bin/$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$pkg" ]; then
    log "go install $pkg"
    go install "$pkg"
    echo "$pkg" >"$stamp"
  fi
}
install_go protoc-gen-go "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
install_go protoc-gen-go-grpc "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
install_go protoc-gen-connect-go "connectrpc.com/connect/cmd/protoc-gen-connect-go@$CONNECT_VERSION"

# protoc, as a command, from grpcio-tools (bundles the well-known types).
cat >"$tools/bin/protoc" <<SH
#!/usr/bin/env bash
exec "$tools/venv/bin/python" -m grpc_tools.protoc -I"\$("$tools/venv/bin/python" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')" "\$@"
SH
chmod +x "$tools/bin/protoc"

# buf/validate/validate.proto ships in the protovalidate sdist on PyPI.
third="$root/example/api/third_party"
if [ ! -f "$third/buf/validate/validate.proto" ]; then
  log "fetching buf/validate/validate.proto from protovalidate $PROTOVALIDATE_PY_VERSION (PyPI sdist)"
  tmp="$(mktemp -d)"
  "$tools/venv/bin/python" "$root/scripts/fetch_sdist.py" protovalidate "$PROTOVALIDATE_PY_VERSION" "$tmp"
  mkdir -p "$third/buf/validate"
  tar -xzf "$tmp"/protovalidate-*.tar.gz -C "$tmp"
  cp "$(find "$tmp" -path '*proto/buf/validate/validate.proto' | head -n1)" "$third/buf/validate/validate.proto"
  rm -rf "$tmp"
fi

# The options proto, written out by the plugin as a user vendors it.
mkdir -p "$third/altalune/codegen/v1"
"$tools/venv/bin/protoc-gen-altalune" --print-options-proto >"$third/altalune/codegen/v1/options.proto.tmp"
mv "$third/altalune/codegen/v1/options.proto.tmp" "$third/altalune/codegen/v1/options.proto"

# PostgreSQL server binaries (Debian).
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  log "installing PostgreSQL from Debian"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
log "tools ready in $tools"
