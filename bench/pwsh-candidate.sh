#!/usr/bin/env bash
# Benchmark candidate for ../shared/bench/run-baselines.sh: the module's main interface, the
# three cmdlets in one pwsh pipeline, as a user types it:
#   Export-PgTable | ConvertTo-D1Row -TableMap ... | Import-D1Batch -Path ... -BatchSize 5000
# Contract: PGHOST PGPORT PGUSER PGDATABASE SCALE OUT_DB BENCH_DIR in the environment;
# writes OUT_DB with users, saved_files, persons in target-schema.sql's layout.
# The timing includes starting pwsh and importing the module (as the CLI candidate's includes
# starting its runtime). pwsh runs with its own runtime settings; PWSH (default: pwsh on PATH,
# else ~/.dotnet/tools/pwsh) picks the executable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module="$here/../out/Migration/Migration.psd1"
[ -f "$module" ] || { echo "build first: dotnet build src/Migration.PowerShell -c Release" >&2; exit 1; }
pwsh=${PWSH:-$(command -v pwsh || echo "$HOME/.dotnet/tools/pwsh")}
rm -f "$OUT_DB" "$OUT_DB-journal" "$OUT_DB-wal" "$OUT_DB-shm"
# The connection string names only the server and database; nothing secret is passed (trust
# auth on the bench cluster; a password would come from -Credential or PGPASSWORD).
export MIGBENCH_MODULE="$module"
exec "$pwsh" -NoLogo -NoProfile -NonInteractive -Command '
    # As the CLI candidate runs --quiet: no progress bar drawn (the cmdlets still report it).
    $ProgressPreference = "SilentlyContinue"
    Import-Module $env:MIGBENCH_MODULE
    $pg = "Host=$env:PGHOST;Port=$env:PGPORT;Username=$env:PGUSER;Database=$env:PGDATABASE"
    Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile, contacts_person |
        ConvertTo-D1Row -TableMap @{ auth_user = "users"; list_cutter_savedfile = "saved_files"; contacts_person = "persons" } |
        Import-D1Batch -Path $env:OUT_DB -BatchSize $(if ($env:BATCH_SIZE) { [int]$env:BATCH_SIZE } else { 5000 }) |
        Out-Null
    # A refused row or a failed table is an error record: the run then fails (run-baselines
    # also counts the rows in OUT_DB).
    if ($Error.Count -gt 0) { $Error | Select-Object -First 5 | ForEach-Object { [Console]::Error.WriteLine($_) }; exit 1 }
'
