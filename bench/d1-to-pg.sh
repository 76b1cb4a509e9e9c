#!/usr/bin/env bash
# D1 -> PostgreSQL: the three cmdlets (Export-D1Table | ConvertTo-PgRow | Import-PgTable) next to
# the anchor, pgloader (Debian's package), on one D1 file of ROWS rows shaped like scenario 2
# (users with non-UUID text ids mapped to uuid, accounts with a camelCase foreign key, 0/1
# booleans, ISO and SQLite timestamps, JSON text). Both load into the same existing Postgres
# schema (pgloader "data only" with no CAST clause: it sends SQLite's values as text and Postgres'
# input functions parse them: '0'/'1' into boolean, the timestamps into timestamptz, JSON into
# jsonb; a non-UUID id would fail uuid's input, so pgloader's tables keep text ids and it maps
# nothing, while the cmdlets map every id to a UUID and rewrite the foreign keys).
# Reports wall seconds, CPU seconds and peak RSS of each, and the load average before each run;
# the machine is shared, so they run in rounds, seconds apart, in alternating order (ROUNDS,
# default 1). Each round also runs the cmdlets with Import-PgTable -DeferForeignKeys (DEFER=0: not).
#   ROWS=1110000 ROUNDS=3 bash bench/d1-to-pg.sh     (default 100000; a throwaway cluster in /tmp)
# Each round also runs the CLI (migrate --direction D1ToPostgres --defer-foreign-keys).
# Not part of CI: it is a measurement, run by hand. The row counts are printed so a gap shows.
# pgloader 3.6.7 (Debian) and "CAST column users.isadmin to boolean using int-to-bool": that
# function does not exist in 3.6.7 (tinyint-to-boolean wants a string, SQLite hands it an
# integer), so users failed every batch, and at 1.11M rows pgloader then hung after loading the
# accounts; without the CAST it loads every row.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ROWS=${ROWS:-100000}
work=$(mktemp -d /tmp/d1-to-pg-bench.XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=$((20000 + RANDOM % 20000))
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
as_pg "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
trap 'as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null; rm -rf "$work"' EXIT
psql() { command psql -X -q -h 127.0.0.1 -p "$port" -U postgres "$@"; }

users=$((ROWS / 10)); accounts=$((ROWS - users))
sqlite3 "$work/app.sqlite" <<SQL
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, isAdmin INTEGER NOT NULL, created_at TEXT NOT NULL, profile TEXT);
CREATE TABLE accounts (id INTEGER PRIMARY KEY, userId TEXT NOT NULL REFERENCES users(id), provider TEXT NOT NULL, lastLogin TEXT, settings TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $users)
INSERT INTO users SELECT printf('u_%08d', i), 'user' || i || '@example.com', i % 2, printf('2024-01-01 %02d:%02d:%02d', i % 24, i % 60, i % 60), '{"n":' || i || '}' FROM c;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $accounts)
INSERT INTO accounts SELECT i, printf('u_%08d', 1 + i % $users), 'github', printf('2024-02-01T%02d:00:00Z', i % 24), '{"a":[1,2]}' FROM c;
SQL
# $1 database, $2 id type, $3 $4 $5: the names of isAdmin, userId, lastLogin (pgloader matches
# columns by their lower-cased D1 names; the cmdlets map them to snake_case).
schema() {
  psql -c "DROP DATABASE IF EXISTS $1" -d postgres 2>/dev/null
  psql -c "CREATE DATABASE $1" -d postgres
  psql -d "$1" -c "CREATE TABLE users (id $2 PRIMARY KEY, email text NOT NULL, $3 boolean NOT NULL, created_at timestamptz NOT NULL, profile jsonb);
                   CREATE TABLE accounts (id bigint PRIMARY KEY, $4 $2 NOT NULL REFERENCES users(id), provider text NOT NULL, $5 timestamptz, settings jsonb);"
}
# Wall seconds, CPU seconds (user + system of the process and its children: under load the more
# robust figure) and peak RSS.
measure() { /usr/bin/time -o "$work/time.txt" -f "%e s, cpu %U+%S s, %M KB peak" "$@" >"$work/out.log" 2>&1 || { tail -5 "$work/out.log" >&2; }; cat "$work/time.txt"; }

command -v pgloader >/dev/null || { echo "pgloader is not installed (apt-get install pgloader)" >&2; exit 1; }
cat >"$work/load.lisp" <<LISP
LOAD DATABASE FROM sqlite://$work/app.sqlite INTO postgresql://postgres@127.0.0.1:$port/anchor
 WITH data only, reset no sequences
 ALTER SCHEMA 'main' RENAME TO 'public';
LISP
export PATH="$PATH:$HOME/.dotnet/tools"
cat >"$work/run.ps1" <<PS
Import-Module '$root/Migration.psd1'
\$pg = 'Host=127.0.0.1;Port=$port;Username=postgres;Database=candidate'
\$defer = [bool]\$env:DEFER_FK
Export-D1Table -Path '$work/app.sqlite' -All | ConvertTo-PgRow -ConnectionString \$pg -ColumnNaming SnakeCase | Import-PgTable -ConnectionString \$pg -IdMap Generate -DeferForeignKeys:\$defer | Out-Null
PS
count() { psql -At -d "$1" -c 'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM accounts)'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
run_anchor() {
  schema anchor text isadmin userid lastlogin
  echo "  pgloader:  load $(load)  $(measure pgloader "$work/load.lisp")  rows: $(count anchor)"
}
# pwsh runs as users run it, with the runtime's default (concurrent) GC: DOTNET_gcConcurrent=0, which
# helps the PG -> D1 direction, made this one 1.1x slower (more gen1 collections and ~4x the page
# faults, measured at 1.11M rows, session 8).
run_cmdlets() {
  schema candidate uuid is_admin user_id last_login
  echo "  cmdlets:   load $(load)  $(measure pwsh -NoProfile -File "$work/run.ps1")  rows: $(count candidate)"
}
# The same with Import-PgTable -DeferForeignKeys (foreign keys validated once at the end, as
# pgloader re-creates them after its load); DEFER=0 leaves it out.
run_deferred() {
  schema candidate uuid is_admin user_id last_login
  echo "  cmdlets -DeferForeignKeys: load $(load)  $(DEFER_FK=1 measure pwsh -NoProfile -File "$work/run.ps1")  rows: $(count candidate)"
}
# The CLI: the same engine, session and options without PowerShell's per-row binding
# (migrate --direction D1ToPostgres), with --defer-foreign-keys as pgloader's pairing.
cli="$root/src/Migration.Cli/bin/Release/net10.0/migration.dll"
run_cli() {
  schema candidate uuid is_admin user_id last_login
  echo "  CLI --defer-foreign-keys: load $(load)  $(measure dotnet "$cli" migrate --direction D1ToPostgres --quiet --path "$work/app.sqlite" \
    --pg "Host=127.0.0.1;Port=$port;Username=postgres;Database=candidate" --all --column-naming SnakeCase --id-map Generate --defer-foreign-keys)  rows: $(count candidate)"
}
[ -f "$cli" ] || { echo "build first: dotnet build Migration.sln -c Release" >&2; exit 1; }
for round in $(seq 1 "${ROUNDS:-1}"); do
  echo "round $round (ROWS=$ROWS)"
  if [ $((round % 2)) = 1 ]; then run_anchor; run_cli; run_cmdlets; [ "${DEFER:-1}" = 0 ] || run_deferred
  else [ "${DEFER:-1}" = 0 ] || run_deferred; run_cmdlets; run_cli; run_anchor; fi
done
