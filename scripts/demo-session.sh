#!/usr/bin/env bash
# Runs inside scripts/with-postgres.sh: makes a local signing key, starts the
# reference server trusting it, shows an anonymous call refused and the same
# call accepted with a token, creates a project and employees over Connect,
# lists them, runs the schema check on the live tables and on a planted
# drift, and stops the server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http="127.0.0.1:$(port)"
grpc_addr="127.0.0.1:$(port)"
keys="$(mktemp -d)" # the local signing key and its JWKS; nothing is fetched from a network
log="$(mktemp)"
last="$(mktemp)" # the last response
tok() { "$root/.tools/demo/altalune-token" "$@"; }
echo "\$ altalune-token keygen -private jwt.pem -jwks jwks.json   # a local key the server trusts"
tok keygen -private "$keys/jwt.pem" -jwks "$keys/jwks.json"
ALTALUNE_HTTP_ADDR="$http" ALTALUNE_GRPC_ADDR="$grpc_addr" ALTALUNE_AUTH_JWKS_FILE="$keys/jwks.json" \
  "$root/.tools/demo/altalune" serve >"$log" 2>&1 &
server=$!
stop() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  echo "  server stopped; its log:"
  sed 's/^/    /' "$log"
  rm -rf "$log" "$last" "$keys"
}
trap stop EXIT

for _ in $(seq 1 100); do
  curl -sf "http://$http/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
echo "  server up: Connect on http://$http/api/, gRPC on $grpc_addr"

call() { # service/method json [token]
  local auth=()
  echo
  if [ -n "${3:-}" ]; then
    auth=(-H "Authorization: Bearer $3")
    echo "\$ curl -s -X POST http://$http/api/altalune.v1.$1 -H 'Authorization: Bearer \$${4:-TOKEN}' -H 'Content-Type: application/json' -d '$2'"
  else
    echo "\$ curl -s -X POST http://$http/api/altalune.v1.$1 -H 'Content-Type: application/json' -d '$2'"
  fi
  curl -sS -X POST "http://$http/api/altalune.v1.$1" "${auth[@]}" -H 'Content-Type: application/json' -d "$2" \
    | tee "$last" | python3 -m json.tool
}
created_project_id() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["project"]["id"])' "$last"; }
answer_code() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("code", "ok"))' "$last"; }
expect() { # code
  local got; got="$(answer_code)"
  if [ "$got" != "$1" ]; then echo "demo: expected $1, got $got" >&2; exit 1; fi
  echo "  -> $got, as expected"
}

echo
echo "# an anonymous caller is refused:"
call ProjectService/CreateProject '{"name": "Acme"}'
expect unauthenticated
echo
echo "\$ ADMIN=\$(altalune-token sign -private jwt.pem -sub admin -perms root)"
admin="$(tok sign -private "$keys/jwt.pem" -sub admin -perms root)"
call ProjectService/CreateProject '{"name": "Acme"}' "$admin" ADMIN
expect ok
project="$(created_project_id)"
echo
echo "\$ ADA=\$(altalune-token sign -private jwt.pem -sub ada -perms employee:read,employee:write -member $project=owner)"
ada="$(tok sign -private "$keys/jwt.pem" -sub ada -perms employee:read,employee:write -member "$project=owner")"
echo
echo "# the same call, anonymous and then with Ada's token (member of the project, employee:write):"
employee="{\"projectId\": \"$project\", \"name\": \"Ada Lovelace\", \"email\": \"ada@acme.test\", \"employeeNumber\": \"E-001\", \"role\": \"EMPLOYEE_ROLE_ENGINEER\", \"phone\": \"+44 20 0000\", \"hiredAt\": \"2024-03-01T09:00:00Z\", \"salary\": 5200.5}"
call EmployeeService/CreateEmployee "$employee"
expect unauthenticated
call EmployeeService/CreateEmployee "$employee" "$ada" ADA
expect ok
call EmployeeService/CreateEmployee "{\"projectId\": \"$project\", \"name\": \"Grace Hopper\", \"email\": \"grace@acme.test\", \"employeeNumber\": \"E-002\", \"role\": \"EMPLOYEE_ROLE_MANAGER\", \"status\": \"EMPLOYEE_STATUS_ON_LEAVE\"}" "$ada" ADA
expect ok
echo
echo "# Ada may not delete (employee:delete), and Bob, who has the permission, is no member of the project:"
grace="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["employee"]["id"])' "$last")"
call EmployeeService/DeleteEmployee "{\"projectId\": \"$project\", \"employeeId\": \"$grace\"}" "$ada" ADA
expect permission_denied
bob="$(tok sign -private "$keys/jwt.pem" -sub bob -perms employee:read,employee:delete)"
call EmployeeService/DeleteEmployee "{\"projectId\": \"$project\", \"employeeId\": \"$grace\"}" "$bob" BOB
expect permission_denied
echo
echo "# the same email again (any case) is refused with the domain's code and meta:"
call EmployeeService/CreateEmployee "{\"projectId\": \"$project\", \"name\": \"Ada again\", \"email\": \"ADA@acme.test\", \"employeeNumber\": \"E-003\", \"role\": \"EMPLOYEE_ROLE_ENGINEER\"}" "$ada" ADA
expect already_exists
echo
echo "# Query filters by the catalog's keys and enum names; it refuses what it does not offer:"
call EmployeeService/QueryEmployees "{\"projectId\": \"$project\", \"query\": {\"keyword\": \"acme\", \"filters\": {\"statuses\": {\"values\": [\"EMPLOYEE_STATUS_ACTIVE\"]}}, \"sorting\": {\"field\": \"name\", \"order\": \"SORT_ORDER_ASC\"}, \"pagination\": {\"page\": 1, \"pageSize\": 10}}}" "$ada" ADA
expect ok
call EmployeeService/QueryEmployees "{\"projectId\": \"$project\", \"query\": {\"filters\": {\"salary\": {\"values\": [\"1\"]}}}}" "$ada" ADA
expect invalid_argument
echo
echo "# currencies are public reference data: no token needed to read them"
call CurrencyService/QueryCurrencies '{}'
expect ok
echo
echo "# the rows live in the project's partition:"
psql -X -q -d postgres -c "SELECT tableoid::regclass AS partition, public_id, name, status FROM altalune_example_employees ORDER BY id"
echo
echo "# the schema check: every table is what its generated repository assumes"
echo "\$ altalune schema check"
"$root/.tools/demo/altalune" schema check | sed 's/^/  /'
echo
echo "# a drift hand-written migrations leave behind: the email index made case-sensitive"
psql -X -q -d postgres -c "DROP INDEX ux_altalune_example_employees_email" \
  -c "CREATE UNIQUE INDEX ux_altalune_example_employees_email ON altalune_example_employees (project_id, email)"
echo "\$ altalune schema check"
status=0
"$root/.tools/demo/altalune" schema check 2>&1 | sed 's/^/  /' || status=$?
echo "  exit status $status"
