#!/usr/bin/env bash
# The demo: start a throwaway PostgreSQL with the List Cutter sample database
# (scenario 1), migrate it into a real local D1 (wrangler's state file) with the cmdlets in
# pwsh (demo/migrate.ps1: Export-PgTable -All | ConvertTo-D1Row | Import-D1Batch, then
# Test-MigrationIntegrity), and check the copy again from outside: psql, sqlite3 and wrangler.
# Installs what it lacks first (scripts/install-prereqs.sh: PostgreSQL 15, sqlite3, wrangler,
# pwsh). Where pwsh cannot be installed it runs the same engine calls through the CLI
# (src/Migration.Cli) instead, and says so. Leaves the D1 project in demo/work/.
#   bash demo/run.sh            (SCALE=5000 persons by default; SCALE=100000 for more)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
SCALE=${SCALE:-5000}
work="$root/demo/work"
pgdir=${DEMO_PG_DIR:-/tmp/migration-demo-pg}
export WRANGLER_SEND_METRICS=false

step() { printf '\n== %s\n' "$*"; }

step "prerequisites"
# pwsh is optional here: without it the demo falls back to the CLI.
bash scripts/install-prereqs.sh --no-pwsh
export PATH="$PATH:$HOME/.dotnet/tools"
bash scripts/install-prereqs.sh --pwsh-only || echo "pwsh could not be installed: the demo runs the CLI instead."
if command -v pwsh >/dev/null && [ "${DEMO_HOST:-pwsh}" = pwsh ]; then host=pwsh; else host=cli; fi
if [ $host = pwsh ]; then
  dotnet build src/Migration.PowerShell -c Release -nologo -v quiet >/dev/null   # assembles out/Migration
else
  dotnet build src/Migration.Cli -c Release -nologo -v quiet >/dev/null
fi
migration() { dotnet "$root/src/Migration.Cli/bin/Release/net10.0/migration.dll" "$@"; }
wrangler() { (cd "$work" && "$root/node_modules/.bin/wrangler" "$@"); }

step "throwaway PostgreSQL with the List Cutter database (SCALE=$SCALE)"
pg=$(scripts/pg-throwaway.sh start "$pgdir")
trap 'scripts/pg-throwaway.sh stop "$pgdir"' EXIT
port=$(cat "$pgdir/port")
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
psql -X -q -d postgres -c "CREATE DATABASE listcutter"
psql -X -q -d listcutter -v scale="$SCALE" -f demo/listcutter.sql >/dev/null
pg="${pg/Database=postgres/Database=listcutter}"

step "a local D1 database (wrangler d1 --local)"
rm -rf "$work"; mkdir -p "$work"
cat >"$work/wrangler.toml" <<TOML
name = "listcutter-demo"
compatibility_date = "2025-01-01"
[[d1_databases]]
binding = "DB"
database_name = "listcutter"
database_id = "00000000-0000-4000-8000-000000000001"
TOML
wrangler d1 execute DB --local --command "SELECT 1" >/dev/null
d1file=$(ls "$work"/.wrangler/state/v3/d1/miniflare-D1DatabaseObject/*.sqlite | grep -v /metadata.sqlite)
echo "D1 state file: $d1file"

if [ $host = pwsh ]; then
  # The cmdlets, in pwsh: migrate, print the summary, run Test-MigrationIntegrity (non-zero exit
  # when a check failed).
  pwsh -NoProfile -NonInteractive -File demo/migrate.ps1 -ConnectionString "$pg" -Path "$d1file" || fail_pwsh=1
else
  step "migrate (CLI: pwsh is not available): migration migrate --all"
  # The same engine calls the cmdlets make: the whole database, parents first, with the schema.
  migration migrate --pg "$pg" --all \
    --map auth_user=users,list_cutter_savedfile=saved_files,contacts_person=persons \
    --path "$d1file" --verbose
fi

step "verify from outside: psql, sqlite3, wrangler"
fail=${fail_pwsh:-0}
check() { # name expected actual
  if [ "$2" = "$3" ]; then printf '  ok    %-55s %s\n' "$1" "$3"
  else printf '  FAIL  %-55s expected %s, got %s\n' "$1" "$2" "$3"; fail=1; fi
}
d1() { wrangler d1 execute DB --local --json --command "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]["results"][0]; print(list(r.values())[0])'; }
declare -A src=([users]=auth_user [saved_files]=list_cutter_savedfile [persons]=contacts_person)
for t in users saved_files persons; do
  check "rows in $t (read through wrangler)" "$(psql -X -Atc "SELECT count(*) FROM ${src[$t]}" -d listcutter)" "$(d1 "SELECT count(*) FROM $t")"
  # NULL and '' are different values: count both per column on each side.
  for c in $(sqlite3 "$d1file" "SELECT name FROM pragma_table_info('$t')"); do
    s=$(psql -X -Atc "SELECT count(*) FILTER (WHERE \"$c\" IS NULL) || '/' || count(*) FILTER (WHERE \"$c\"::text = '') FROM ${src[$t]}" -d listcutter)
    d=$(sqlite3 "$d1file" "SELECT count(*) FILTER (WHERE \"$c\" IS NULL) || '/' || count(*) FILTER (WHERE \"$c\" = '') FROM \"$t\"")
    [ "$s" = "$d" ] || check "NULL/'' counts of $t.$c" "$s" "$d"
  done
done
check "no orphaned saved_files.user_id" 0 "$(sqlite3 "$d1file" "SELECT count(*) FROM saved_files f LEFT JOIN users u ON u.id = f.user_id WHERE u.id IS NULL")"
check "no orphaned persons.created_by_id" 0 "$(sqlite3 "$d1file" "SELECT count(*) FROM persons p LEFT JOIN users u ON u.id = p.created_by_id WHERE p.created_by_id IS NOT NULL AND u.id IS NULL")"
check "JSON columns pass json_valid" 0 "$(sqlite3 "$d1file" "SELECT (SELECT count(*) FROM saved_files WHERE NOT json_valid(system_tags) OR NOT json_valid(coalesce(user_tags,'[]')) OR NOT json_valid(coalesce(metadata,'null'))) + (SELECT count(*) FROM persons WHERE NOT json_valid(system_tags) OR NOT json_valid(coalesce(user_tags,'[]')) OR NOT json_valid(coalesce(model_scores,'null')))")"
check "boolean columns hold only 0/1" 0 "$(sqlite3 "$d1file" "SELECT (SELECT count(*) FROM users WHERE is_superuser NOT IN (0,1) OR is_staff NOT IN (0,1) OR is_active NOT IN (0,1)) + (SELECT count(*) FROM persons WHERE deceased NOT IN (0,1) OR active NOT IN (0,1))")"
check "PRAGMA integrity_check" ok "$(sqlite3 "$d1file" "PRAGMA integrity_check")"
check "a CRLF value arrived with its CR" 1 "$(sqlite3 "$d1file" "SELECT count(*) > 0 FROM persons WHERE notes LIKE '%' || char(13) || char(10) || '%'")"

if [ $host = cli ]; then
  step "verify (CLI): counts, content checksums, samples, FKs, JSON, domains, keys"
  migration verify --pg "$pg" --path "$d1file" \
    --map auth_user=users,list_cutter_savedfile=saved_files,contacts_person=persons || fail=1
fi
check "PRAGMA foreign_key_check (through wrangler)" "" "$(wrangler d1 execute DB --local --json --command 'PRAGMA foreign_key_check' | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["results"] or "")')"
check "saved_files.user_id is a foreign key to users" users "$(sqlite3 "$d1file" "SELECT \"table\" FROM pragma_foreign_key_list('saved_files')")"
check "persons.created_by_id index recreated" 1 "$(sqlite3 "$d1file" "SELECT count(*) FROM pragma_index_list('persons') WHERE name = 'contacts_person_created_by_id_idx'")"

step "result"
if [ $fail = 0 ]; then echo "Demo migration ($host) verified. D1 project: $work (try: cd demo/work && npx wrangler d1 execute DB --local --command 'SELECT * FROM users LIMIT 5')"
else echo "Verification FAILED"; exit 1; fi
