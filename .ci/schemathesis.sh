#!/usr/bin/env bash
# Schemathesis against a live `ggzy serve` with the demo city, with a token of each main role.
#   .ci/schemathesis.sh                      a fresh SQLite database
#   .ci/schemathesis.sh postgresql://...     a fresh database created on that server (dropped afterwards)
# Passes when no request got a server error and every response matched the schema (/api/openapi.json).
# SCHEMATHESIS_EXAMPLES bounds the examples per operation (default 6) so a run takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SERVER_URL="${1:-}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-6}"
PORT="${SCHEMATHESIS_PORT:-$((20000 + $$ % 20000))}"
BASE="http://127.0.0.1:$PORT"
work=$(mktemp -d)
server=""
dbname=""
export GGZY_VAR_DIR="$work/var" GGZY_COOKIE_SECURE=false GGZY_TICK_SECONDS=0
# a test rig: cheap password hashing and key wrapping, so the demo city loads in a minute (inputs are under test)
export GGZY_ARGON2_MEMORY_KIB=1024 GGZY_ARGON2_TIME_COST=1 GGZY_KEYSTORE_SCRYPT_N=1024

pg() {  # pg create|drop NAME: a database of our own on SERVER_URL's server
  "$BIN/python" - "$SERVER_URL" "$1" "$2" <<'PY'
import sys
from sqlalchemy import create_engine, text
from ggzy.core.db import normalise_url
url, action, name = sys.argv[1:]
engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
with engine.connect() as c:
    c.execute(text(f'CREATE DATABASE "{name}"' if action == "create" else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
engine.dispose()
PY
}

cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [[ -n "$dbname" ]]; then pg drop "$dbname" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [[ "$SERVER_URL" == postgres* ]]; then
  dbname="ggzy_schemathesis_$$"
  pg create "$dbname"
  GGZY_DATABASE_URL=$("$BIN/python" -c "import sys; from sqlalchemy.engine import make_url; print(make_url(sys.argv[1]).set(database=sys.argv[2]).render_as_string(hide_password=False))" "$SERVER_URL" "$dbname")
  export GGZY_DATABASE_URL
  echo "== schemathesis on PostgreSQL ($dbname)"
else
  echo "== schemathesis on SQLite"
fi

"$BIN/ggzy" db upgrade >/dev/null
"$BIN/ggzy" demo >/dev/null
"$BIN/ggzy" serve --host 127.0.0.1 --port "$PORT" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  "$BIN/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$BASE/healthz" 2>/dev/null && break
  sleep 0.3
done

token() {  # token USER: sign in through /api/v1/auth/tokens with the demo password (and TOTP code)
  local user=$1 password code
  password=$(awk -v u="$user" '$1 == u { print $3 }' "$GGZY_VAR_DIR/demo-logins.txt")
  code=$("$BIN/ggzy" demo-code "$user" 2>/dev/null || true)
  "$BIN/python" - "$BASE" "$user" "$password" "$code" <<'PY'
import json, sys, urllib.request
base, user, password, code = sys.argv[1:]
body = {"username": user, "password": password, "name": "schemathesis"}
if code:
    body["totp_code"] = code
req = urllib.request.Request(base + "/api/v1/auth/tokens", json.dumps(body).encode(), {"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req, timeout=30))["token"])
PY
}

# every token first: the fuzzing of /api/v1/auth/tokens pauses sign-in from 127.0.0.1, as it should
declare -A bearers
for user in bidder01 tenderer1 operator supervisor; do bearers[$user]=$(token "$user"); done
status=0
for user in bidder01 tenderer1 operator supervisor; do
  echo "-- as $user"
  bearer=${bearers[$user]}
  "$BIN/schemathesis" run "$BASE/api/openapi.json" \
    --header "Authorization: Bearer $bearer" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --seed 20261202 --workers 1 --no-shrink \
    --suppress-health-check all --warnings off --request-timeout 60 || status=1
done
if grep -q "unhandled error" "$work/serve.log"; then
  echo "the server logged unhandled errors:"; grep -A3 "unhandled error" "$work/serve.log" | head -60
  status=1
fi
exit $status
