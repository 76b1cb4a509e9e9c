#!/usr/bin/env bash
# Paired rounds of the pwsh pipeline (Export-PgTable | ConvertTo-D1Row | Import-D1Batch, journal
# on, -BatchSize 5000, no progress drawn) for several builds of the module, in rotated order each
# round (this machine drifts 10-20% within minutes): wall, user+sys CPU, peak RSS, and the
# garbage collector's figures at the end of the pipeline (collections gen0/gen1/gen2, MB
# allocated), which do not depend on the machine's load.
#   bench/pwsh-ab.sh DIR...   each DIR a module folder (a copy of out/Migration, so rebuilding
#                             a worktree cannot touch a running round)
# PG (the bench database's connection string, e.g. Host=/tmp/migbench-pg/run;Port=55432;
# Username=postgres;Database=migbench_1000000) and ROUNDS (default 3) come from the environment.
set -euo pipefail
: "${PG:?set PG to the connection string of the bench database}"
rounds=${ROUNDS:-3}
pwsh=${PWSH:-$(command -v pwsh || echo "$HOME/.dotnet/tools/pwsh")}
builds=("$@")
run() {
  local out; out=$(mktemp -u /tmp/pwsh-ab-XXXXXX.sqlite)
  MIGBENCH_MODULE="$1/Migration.psd1" MIGBENCH_PG="$PG" MIGBENCH_OUT="$out" /usr/bin/time -f "TIME %e %U %S %M" "$pwsh" -NoLogo -NoProfile -NonInteractive -Command '
    $ProgressPreference = "SilentlyContinue"; Import-Module $env:MIGBENCH_MODULE
    Export-PgTable -ConnectionString $env:MIGBENCH_PG -Table auth_user, list_cutter_savedfile, contacts_person |
      ConvertTo-D1Row -TableMap @{ auth_user = "users"; list_cutter_savedfile = "saved_files"; contacts_person = "persons" } |
      Import-D1Batch -Path $env:MIGBENCH_OUT -BatchSize 5000 | Out-Null
    if ($Error.Count) { [Console]::Error.WriteLine("ERRORS " + $Error[0]) }
    [Console]::Error.WriteLine("GC " + [GC]::CollectionCount(0) + "/" + [GC]::CollectionCount(1) + "/" + [GC]::CollectionCount(2) + " alloc_mb=" + [int]([GC]::GetTotalAllocatedBytes() / 1MB))' 2>&1 >/dev/null
  echo "ROWS $(sqlite3 "$out" "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM saved_files) + (SELECT count(*) FROM persons)")"
  rm -f "$out" "$out-journal" "$out-wal" "$out-shm"
}
n=${#builds[@]}
for r in $(seq 1 "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    b=${builds[$(( (i + r) % n ))]}
    res=$(run "$b")
    read -r _ e u s m <<<"$(grep '^TIME' <<<"$res")"
    gc=$(grep '^GC' <<<"$res" || true); rows=$(grep '^ROWS' <<<"$res" || true); err=$(grep '^ERRORS' <<<"$res" || true)
    echo "round=$r build=$b wall=$e cpu=$(echo "$u + $s" | bc) rss_kb=$m gc=${gc#GC } rows=${rows#ROWS } load=$(cut -d' ' -f1 /proc/loadavg) $err"
  done
done
