#!/usr/bin/env bash
# Starts the D1 + KV API test server on a free loopback port (its own temp state), runs the
# node:test suites against it (the API over HTTP, fault injection, KV, and the real wrangler CLI),
# stops it, and exits non-zero on any failure. Prints `d1server: N passed, N failed` and, as its
# last line (the contract of .ci/run for tests/*/run-tests.sh), `N passed, N failed, N skipped`.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
state="$(mktemp -d "${TMPDIR:-/tmp}/d1-api-server.XXXXXX")"
log="$state/node-test.out"

stop() { node "$here/server.mjs" stop "$state" >/dev/null 2>&1 || true; }
trap stop EXIT

if ! node server.mjs start --state "$state" --databases d1test,d1test2,wrtest --kv kvtest,kvwr >"$state/start.json"; then
  echo "d1server: the test server did not start; wrangler log:" >&2
  tail -50 "$state/wrangler.log" >&2 || true
  echo "d1server: 0 passed, 1 failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
echo "d1server: server at $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).base_url)' "$state/start.json")"

D1SERVER_STATE="$state" node --test --test-concurrency=1 --test-reporter=tap test/*.test.mjs 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

pass=$(grep -aE '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
fail=$(grep -aE '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
cancelled=$(grep -aE '^# cancelled [0-9]+' "$log" | tail -1 | awk '{print $3}')
skipped=$(grep -aE '^# skipped [0-9]+' "$log" | tail -1 | awk '{print $3}')
pass=${pass:-0}
fail=$(( ${fail:-0} + ${cancelled:-0} ))
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
echo "d1server: $pass passed, $fail failed"
echo "$pass passed, $fail failed, ${skipped:-0} skipped"
exit "$rc"
