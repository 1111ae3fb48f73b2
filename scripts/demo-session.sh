#!/usr/bin/env bash
# Runs inside scripts/with-postgres.sh: starts the reference server, creates a
# project and an employee over Connect, lists them, and stops the server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http="127.0.0.1:$(port)"
grpc_addr="127.0.0.1:$(port)"
log="$(mktemp)"
last="$(mktemp)" # the last response
ALTALUNE_HTTP_ADDR="$http" ALTALUNE_GRPC_ADDR="$grpc_addr" "$root/.tools/demo/altalune" serve >"$log" 2>&1 &
server=$!
stop() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  echo "  server stopped; its log:"
  sed 's/^/    /' "$log"
  rm -f "$log" "$last"
}
trap stop EXIT

for _ in $(seq 1 100); do
  curl -sf "http://$http/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
echo "  server up: Connect on http://$http/api/, gRPC on $grpc_addr"

call() { # service/method json
  echo
  echo "\$ curl -s -X POST http://$http/api/altalune.v1.$1 -H 'Content-Type: application/json' -d '$2'"
  curl -sS -X POST "http://$http/api/altalune.v1.$1" -H 'Content-Type: application/json' -d "$2" | tee "$last" | python3 -m json.tool
}
created_project_id() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["project"]["id"])' "$last"; }

call ProjectService/CreateProject '{"name": "Acme"}'
project="$(created_project_id)"
call EmployeeService/CreateEmployee "{\"projectId\": \"$project\", \"name\": \"Ada Lovelace\", \"email\": \"ada@acme.test\", \"employeeNumber\": \"E-001\", \"role\": \"EMPLOYEE_ROLE_ENGINEER\", \"phone\": \"+44 20 0000\", \"hiredAt\": \"2024-03-01T09:00:00Z\", \"salary\": 5200.5}"
call EmployeeService/CreateEmployee "{\"projectId\": \"$project\", \"name\": \"Grace Hopper\", \"email\": \"grace@acme.test\", \"employeeNumber\": \"E-002\", \"role\": \"EMPLOYEE_ROLE_MANAGER\", \"status\": \"EMPLOYEE_STATUS_ON_LEAVE\"}"
echo
echo "# the same email again (any case) is refused with the domain's code and meta:"
call EmployeeService/CreateEmployee "{\"projectId\": \"$project\", \"name\": \"Ada again\", \"email\": \"ADA@acme.test\", \"employeeNumber\": \"E-003\", \"role\": \"EMPLOYEE_ROLE_ENGINEER\"}" || true
call EmployeeService/QueryEmployees "{\"projectId\": \"$project\", \"query\": {\"keyword\": \"acme\", \"sorting\": {\"field\": \"name\", \"order\": \"SORT_ORDER_ASC\"}, \"pagination\": {\"page\": 1, \"pageSize\": 10}}}"
echo
echo "# the rows live in the project's partition:"
psql -X -q -d postgres -c "SELECT tableoid::regclass AS partition, public_id, name, status FROM altalune_example_employees ORDER BY id"
