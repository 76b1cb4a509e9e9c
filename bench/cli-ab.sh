#!/usr/bin/env bash
# Paired rounds of `migration migrate` for several builds of the CLI, in rotated order each
# round (this machine drifts 10-20% within minutes): wall, user+sys CPU, peak RSS.
#   bench/cli-ab.sh DIR...   each DIR a checkout built with `dotnet build src/Migration.Cli -c Release`
# PG (a connection string to a database holding the bench tables, e.g. migbench_1000000) and
# ROUNDS (default 5) come from the environment.
set -euo pipefail
: "${PG:?set PG to the connection string of the bench database}"
rounds=${ROUNDS:-5}
builds=("$@")
run() {
  local out; out=$(mktemp -u /tmp/cli-ab-XXXXXX.sqlite)
  /usr/bin/time -f "%e %U %S %M" dotnet "$1/src/Migration.Cli/bin/Release/net10.0/migration.dll" migrate --quiet --pg "$PG" \
    --table auth_user,list_cutter_savedfile,contacts_person \
    --map auth_user=users,list_cutter_savedfile=saved_files,contacts_person=persons \
    --batch-size 5000 --path "$out" 2>&1 >/dev/null | tail -1
  rm -f "$out" "$out-journal" "$out-wal" "$out-shm"
}
n=${#builds[@]}
for r in $(seq 1 "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    b=${builds[$(( (i + r) % n ))]}
    read -r e u s m <<<"$(run "$b")"
    echo "round=$r build=$b wall=$e cpu=$(echo "$u + $s" | bc) rss_kb=$m load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
