#!/usr/bin/env bash
# Cost of Test-MigrationIntegrity's checksum pass, as a ratio against reading the data once
# on each side, measured in the same run:
#   read-once = psql COPY of the three source tables to /dev/null
#             + sqlite3 SELECT * of the three target tables to /dev/null
#   verify    = migration verify --check RowCount,Checksum (both sides, one snapshot)
# Usage: bash bench/verify.sh [SCALE]   (after bench/run.sh made migbench_SCALE; default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=$(cd "${SHARED_BENCH:-$root/../shared/bench}" && pwd)
SCALE=${1:-1000000}
export PGHOST=${PGHOST:-/tmp/migbench-pg/run} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-postgres} PGDATABASE=migbench_$SCALE
cli="dotnet $root/src/Migration.Cli/bin/Release/net10.0/migration.dll"
map=auth_user=users,list_cutter_savedfile=saved_files,contacts_person=persons
db=$(mktemp -d)/verify.sqlite
dotnet build src/Migration.Cli -c Release -nologo -v quiet >/dev/null
"$shared/pg-up.sh" >/dev/null
$cli migrate --quiet --table auth_user,list_cutter_savedfile,contacts_person --map $map --path "$db" --batch-size 5000

secs() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }  # ms
read_once() {
  for t in auth_user list_cutter_savedfile contacts_person; do psql -X -qc "COPY $t TO STDOUT (FORMAT binary)" >/dev/null; done
  for t in users saved_files persons; do sqlite3 "$db" "SELECT * FROM $t" >/dev/null; done
}
best() { local b=""; for _ in 1 2 3; do local s; s=$(secs "$@"); if [ -z "$b" ] || [ "$s" -lt "$b" ]; then b=$s; fi; done; echo "$b"; }
r=$(best read_once)
v=$(best $cli verify --quiet --path "$db" --map $map --check RowCount,Checksum)
printf '| scale | read once (PG COPY + SQLite SELECT) s | verify RowCount+Checksum s | verify / read once |\n|---:|---:|---:|---:|\n'
python3 -c "import sys; r, v = int(sys.argv[2]), int(sys.argv[3]); print(f'| {sys.argv[1]} | {r/1000:.2f} | {v/1000:.2f} | {v/r:.2f}x |')" "$SCALE" "$r" "$v"
rm -rf "$(dirname "$db")"
