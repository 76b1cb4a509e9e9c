#!/usr/bin/env bash
# Runs the Migration pipeline next to the hand-rolled baselines of ../shared/bench in
# the same run, and reports throughput and peak memory as ratios against B1
# (psql COPY | sqlite3 .import), plus the spot check's value mismatches.
#   bash bench/run.sh                 SCALES="100000 1000000" ROUNDS=3 by default
# The machine is shared and its speed drifts by 10-20% within minutes, so B1 and the
# candidate are measured in ROUNDS rounds (B1 then the candidate, once each, per round) and
# each round's ratio compares two runs a few seconds apart; the report gives the median
# round and the range. The spot check (every value compared with Postgres) runs in round 1.
# Needs: ../shared/bench (or SHARED_BENCH=path), PostgreSQL 15, sqlite3, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=$(cd "${SHARED_BENCH:-$root/../shared/bench}" && pwd)
SCALES=${SCALES:-"100000 1000000"}
ROUNDS=${ROUNDS:-3}
export REPEAT=1
command -v /usr/bin/time >/dev/null || { echo "apt-get install -y time (for peak RSS)"; exit 1; }

dotnet build src/Migration.Cli -c Release -nologo -v quiet >/dev/null
"$shared/pg-up.sh"
out="$root/bench/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
for scale in $SCALES; do
  psql -X -Atc "SELECT 1" -h "${PGHOST:-/tmp/migbench-pg/run}" -p "${PGPORT:-55432}" -U postgres -d "migbench_$scale" >/dev/null 2>&1 \
    || "$shared/make-dataset.sh" "$scale"
  for round in $(seq "$ROUNDS"); do
    spot=0; [ "$round" = 1 ] && spot=1
    RESULTS_DIR="$out/scale$scale/round$round" KEEP_DBS=0 SPOT_CHECK=$spot \
    ONLY="b1-copy-csv-import migration-candidate" \
    CANDIDATES="$root/bench/migration-candidate.sh" \
      "$shared/run-baselines.sh" "$scale" | tee -a "$out/scale$scale.txt"
  done
done
python3 "$root/bench/ratios.py" "$out"/scale*/round*/results.tsv | tee "$out/ratios.md"
