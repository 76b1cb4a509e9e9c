#!/usr/bin/env bash
# Runs the Migration pipeline next to the hand-rolled baselines of ../shared/bench in
# the same run, and reports throughput and peak memory as ratios against B1
# (psql COPY | sqlite3 .import), plus the spot check's value mismatches.
#   bash bench/run.sh                 SCALES="100000 1000000" REPEAT=3 by default
# Needs: ../shared/bench (or SHARED_BENCH=path), PostgreSQL 15, sqlite3, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=$(cd "${SHARED_BENCH:-$root/../shared/bench}" && pwd)
SCALES=${SCALES:-"100000 1000000"}
export REPEAT=${REPEAT:-3}
command -v /usr/bin/time >/dev/null || { echo "apt-get install -y time (for peak RSS)"; exit 1; }

dotnet build src/Migration.Cli -c Release -nologo -v quiet >/dev/null
"$shared/pg-up.sh"
out="$root/bench/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
for scale in $SCALES; do
  psql -X -Atc "SELECT 1" -h "${PGHOST:-/tmp/migbench-pg/run}" -p "${PGPORT:-55432}" -U postgres -d "migbench_$scale" >/dev/null 2>&1 \
    || "$shared/make-dataset.sh" "$scale"
  RESULTS_DIR="$out/scale$scale" KEEP_DBS=0 \
  ONLY="floor-load b1-copy-csv-import migration-candidate" \
  CANDIDATES="$root/bench/migration-candidate.sh" \
    "$shared/run-baselines.sh" "$scale" | tee "$out/scale$scale.txt"
done
python3 "$root/bench/ratios.py" "$out"/scale*/results.tsv | tee "$out/ratios.md"
