#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Creates a temporary data directory, initialises a cluster there (trust
# authentication, superuser "postgres"), starts it on a free loopback port
# (listening on 127.0.0.1 only, unix socket inside the temporary directory),
# exports
#
#   ALTALUNE_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#   PGHOST=127.0.0.1 PGPORT=PORT PGUSER=postgres
#
# runs CMD, then always stops the server and removes the directory, also when
# CMD fails or the script is interrupted. Exits with CMD's exit code.
#
# The server binaries are taken from $PG_BINDIR, else the newest
# /usr/lib/postgresql/*/bin (Debian), else `pg_config --bindir`, else PATH.
# When run as root, the server runs as the "postgres" user
# ($PG_RUN_AS overrides the user).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

log() { printf 'with-postgres: %s\n' "$*" >&2; }

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    printf '%s\n' "$PG_BINDIR"
    return
  fi
  local d best=""
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      best="$d"
      [ "$d" = /usr/lib/postgresql/15/bin ] && break
    fi
  done
  if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir)"
    [ -x "$d/pg_ctl" ] && best="$d"
  fi
  if [ -z "$best" ] && command -v pg_ctl >/dev/null 2>&1; then
    best="$(dirname "$(command -v pg_ctl)")"
  fi
  printf '%s\n' "$best"
}

bindir="$(find_bindir)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
  log "PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BINDIR or run scripts/bootstrap.sh"
  exit 127
fi

# as_pg runs a command as the user that owns the cluster.
if [ "$(id -u)" -eq 0 ]; then
  run_as="${PG_RUN_AS:-postgres}"
  if ! id "$run_as" >/dev/null 2>&1; then
    log "running as root but user '$run_as' does not exist (initdb refuses to run as root)"
    exit 1
  fi
  if command -v runuser >/dev/null 2>&1; then
    as_pg() { (cd "$tmp" && runuser -u "$run_as" -- "$@"); }
  else
    as_pg() { (cd "$tmp" && su -s /bin/sh "$run_as" -c "$(printf '%q ' "$@")"); }
  fi
else
  run_as=""
  as_pg() { "$@"; }
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
  else
    echo $((20000 + RANDOM % 40000))
  fi
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/altalune-pg.XXXXXX")"
data="$tmp/data"
sock="$tmp/sock"
pglog="$tmp/postgres.log"
child=""
started=0

stop_server() {
  if [ "$started" -eq 1 ]; then
    started=0
    if ! as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1; then
      log "pg_ctl stop failed; killing the postmaster"
      local pid
      pid="$(head -n1 "$data/postmaster.pid" 2>/dev/null || true)"
      if [ -n "$pid" ]; then
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 1 100); do
      kill -0 "$child" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  stop_server
  rm -rf "$tmp"
  exit "$rc"
}

on_signal() {
  log "interrupted by SIG$1"
  case "$1" in
    INT) exit 130 ;;
    *) exit 143 ;;
  esac
}

trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

mkdir -p "$sock"
if [ -n "$run_as" ]; then
  chown -R "$run_as": "$tmp"
fi
chmod 700 "$tmp"

as_pg "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --no-locale --no-sync >"$tmp/initdb.log" 2>&1 || {
  log "initdb failed:"
  cat "$tmp/initdb.log" >&2
  exit 1
}

port=""
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  opts="-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
  started=1
  if as_pg "$bindir/pg_ctl" -D "$data" -l "$pglog" -w -t 60 -o "$opts" start >/dev/null 2>&1; then
    break
  fi
  started=0
  # A postmaster that failed to start may still be shutting down.
  as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  if grep -qiE 'could not bind|address already in use' "$pglog" 2>/dev/null && [ "$attempt" -lt 5 ]; then
    log "port $port is taken, retrying"
    continue
  fi
  log "PostgreSQL failed to start:"
  cat "$pglog" >&2 2>/dev/null || true
  exit 1
done

export PGHOST=127.0.0.1
export PGPORT="$port"
export PGUSER=postgres
export ALTALUNE_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
log "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port (data in $data)"

# The command runs in the background so that a signal to this script is
# handled at once (and forwarded) instead of after the command ends. Explicit
# stdin keeps interactive commands such as psql working.
set +e
if { true <&0; } 2>/dev/null; then
  "$@" <&0 &
else
  "$@" &
fi
child=$!
wait "$child"
rc=$?
child=""
exit "$rc"
