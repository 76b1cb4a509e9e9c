#!/usr/bin/env bash
# Issue 11 benchmark: the shared bench dataset (migbench_<SCALE>: users, saved_files, persons;
# 111,000 rows at SCALE=100000, 1.11M at 1000000) into the D1 API test server (a real local D1
# under wrangler dev, tests/d1-api-server) two ways, in paired rounds (order alternating; the
# machine is shared, so `uptime` is recorded with each round):
#   candidate: Export-PgTable | ConvertTo-D1Row | Import-D1Batch -Database (journal on, -Method Auto:
#              the new tables go through D1's import API in chunks)
#   anchor:    wrangler d1 execute <db> --remote --file dump.sql, the same rows as a SQL dump
#              (sqlite3 .dump of the same load into a local file, BEGIN/COMMIT removed), with
#              CLOUDFLARE_API_BASE_URL pointing at the same server.
# Then one run of the /query path (-Method Query) for its requests and bytes. Requests come from
# the server's own counters (/__admin/stats), bytes from the candidate's -Verbose totals and the
# dump's size. Row counts of both sides are checked after every round.
#   SCALE=100000 ROUNDS=3 bash bench/d1-remote.sh          (QUERY=0 skips the /query run)
# Needs the bench Postgres (../shared/bench/pg-up.sh; port 55432, socket /tmp/migbench-pg/run) and a build.
# Not part of CI: a measurement, run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
SCALE=${SCALE:-100000}
ROUNDS=${ROUNDS:-3}
QUERY=${QUERY:-1}
PGHOST=${PGHOST:-/tmp/migbench-pg/run}
PGPORT=${PGPORT:-55432}
PGUSER=${PGUSER:-postgres}
export PATH="$PATH:$HOME/.dotnet/tools"
module="$root/out/Migration/Migration.psd1"
[ -f "$module" ] || { echo "build first: dotnet build Migration.sln -c Release" >&2; exit 1; }
out="$root/bench/results/d1-remote-$(date -u +%Y%m%d-%H%M%S)-$SCALE"
mkdir -p "$out"
work=$(mktemp -d /tmp/d1-remote-bench.XXXXXX)

info=$(node tests/d1-api-server/server.mjs start --databases benchcand,benchanchor,benchquery | tail -1)
field() { node -e "const i=JSON.parse(process.argv[1]); console.log($2)" "$info"; }
state=$(field "$info" "i.state_dir")
trap 'node "$root/tests/d1-api-server/server.mjs" stop "$state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export CLOUDFLARE_API_BASE_URL=$(field "$info" "i.api_base_url")
export CLOUDFLARE_API_TOKEN=$(field "$info" "i.token")
export CLOUDFLARE_ACCOUNT_ID=$(field "$info" "i.account_id")
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true NO_COLOR=1
admin=$(field "$info" "i.admin_url")
uuid() { field "$info" "i.databases.find(d => d.name === '$1').uuid"; }

export MIGBENCH_MODULE="$module" MIGBENCH_PG="Host=$PGHOST;Port=$PGPORT;Username=$PGUSER;Database=migbench_$SCALE"
pipeline() { # $1: the Import-D1Batch target and options
  pwsh -NoLogo -NoProfile -NonInteractive -Command "
    \$ProgressPreference = 'SilentlyContinue'
    Import-Module \$env:MIGBENCH_MODULE
    Export-PgTable -ConnectionString \$env:MIGBENCH_PG -Table auth_user, list_cutter_savedfile, contacts_person |
      ConvertTo-D1Row -TableMap @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' } |
      Import-D1Batch $1 | Out-Null
    if (\$Error.Count -gt 0) { \$Error | Select-Object -First 5 | ForEach-Object { [Console]::Error.WriteLine(\$_) }; exit 1 }"
}
rows() { # total rows of the three tables in a remote database
  curl -sf -X POST "$CLOUDFLARE_API_BASE_URL/accounts/$CLOUDFLARE_ACCOUNT_ID/d1/database/$(uuid "$1")/raw" \
    -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" -H 'Content-Type: application/json' \
    -d '{"sql":"SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM saved_files) + (SELECT count(*) FROM persons)"}' |
    node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).result[0].results.rows[0][0]))"
}
requests() { curl -sf "$admin/stats" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);const r=j.result??j;let n=0;const walk=o=>{for(const[k,v] of Object.entries(o)){if(typeof v==='number'&&/^\d{3}$/.test(k))n+=v;else if(v&&typeof v==='object')walk(v);}};walk(r);console.log(n)})"; }
reset() { curl -sf -X POST "$admin/d1/$1/reset" >/dev/null; curl -sf -X DELETE "$admin/stats" >/dev/null; }
seconds() { local s; s=$(date +%s.%N); "$@" >&2; awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# The anchor's input: the same rows as a SQL dump (not timed).
pipeline "-Path '$work/dump.sqlite' -NoJournal -BatchSize 5000"
sqlite3 "$work/dump.sqlite" .dump | grep -v -e '^BEGIN TRANSACTION;$' -e '^COMMIT;$' > "$work/dump.sql"
dump_bytes=$(stat -c %s "$work/dump.sql")
dump_statements=$(grep -c '^INSERT' "$work/dump.sql")
expected=$(sqlite3 "$work/dump.sqlite" "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM saved_files) + (SELECT count(*) FROM persons)")
columns=$(for t in users saved_files persons; do printf '%s=%s ' "$t" "$(sqlite3 "$work/dump.sqlite" "SELECT count(*) FROM pragma_table_info('$t')")"; done)
echo "rows: $expected; dump: $dump_bytes bytes, $dump_statements INSERTs; columns per table: $columns" | tee "$out/setup.txt"

candidate() {
  reset benchcand
  local t; t=$(seconds pipeline "-Database benchcand -Verbose 4>'$out/cand-$1.verbose'")
  local n; n=$(requests); local got; got=$(rows benchcand)
  local totals; totals=$(grep -h '^Done:' "$out/cand-$1.verbose" | tail -1)
  printf 'candidate\t%s\t%s\t%s\t%s\t%s\n' "$1" "$t" "$n" "$got" "$totals"
}
anchor() {
  reset benchanchor
  local t; t=$(cd "$work" && seconds "$root/node_modules/.bin/wrangler" d1 execute benchanchor --remote --file "$work/dump.sql" -y 2>"$out/anchor-$1.log")
  local n; n=$(requests); local got; got=$(rows benchanchor)
  printf 'anchor\t%s\t%s\t%s\t%s\t%s\n' "$1" "$t" "$n" "$got" "$dump_bytes bytes"
}

printf 'who\tround\tseconds\trequests\trows\tdetail\n' > "$out/rounds.tsv"
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r: $(uptime)" | tee -a "$out/uptime.txt"
  if [ $((r % 2)) = 1 ]; then candidate "$r" | tee -a "$out/rounds.tsv"; anchor "$r" | tee -a "$out/rounds.tsv"
  else anchor "$r" | tee -a "$out/rounds.tsv"; candidate "$r" | tee -a "$out/rounds.tsv"; fi
done
if [ "$QUERY" = 1 ]; then
  reset benchquery
  t=$(seconds pipeline "-Database benchquery -Method Query -Verbose 4>'$out/query.verbose'")
  printf 'query-path\t1\t%s\t%s\t%s\t%s\n' "$t" "$(requests)" "$(rows benchquery)" "$(grep -h '^Done:' "$out/query.verbose" | tail -1)" | tee -a "$out/rounds.tsv"
fi
echo "expected rows: $expected" | tee -a "$out/rounds.tsv"
echo "results: $out"
