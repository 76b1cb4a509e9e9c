#!/usr/bin/env bash
# Benchmark candidate for ../shared/bench/run-baselines.sh: the Migration engine's
# Export-PgTable | ConvertTo-D1Row | Import-D1Batch pipeline, run by the CLI host.
# Contract: PGHOST PGPORT PGUSER PGDATABASE SCALE OUT_DB BENCH_DIR in the environment;
# writes OUT_DB with users, saved_files, persons in target-schema.sql's layout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli="$here/../src/Migration.Cli/bin/Release/net10.0/migration.dll"
[ -f "$cli" ] || { echo "build first: dotnet build src/Migration.Cli -c Release" >&2; exit 1; }
rm -f "$OUT_DB" "$OUT_DB-journal" "$OUT_DB-wal" "$OUT_DB-shm"
# The engine creates the target schema itself from the Postgres catalog (tables, keys,
# foreign keys, indexes after the data), in target-schema.sql's layout, and loads parents
# first. The run is journaled (resume, undo), as every real run is.
exec dotnet "$cli" migrate --quiet \
  --table auth_user,list_cutter_savedfile,contacts_person \
  --map auth_user=users,list_cutter_savedfile=saved_files,contacts_person=persons \
  --batch-size "${BATCH_SIZE:-5000}" \
  --path "$OUT_DB"
