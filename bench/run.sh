#!/usr/bin/env bash
# Runs the Migration pipeline next to the hand-rolled baselines of ../shared/bench in
# the same run, and reports throughput and peak memory as ratios against B1
# (psql COPY | sqlite3 .import), plus the spot check's value mismatches. Two candidates:
#   migration-candidate  the CLI host (`migration migrate`)
#   pwsh-candidate       the cmdlets in pwsh: Export-PgTable | ConvertTo-D1Row | Import-D1Batch
#   bash bench/run.sh                 SCALES="100000 1000000" ROUNDS=3 by default
#   CANDIDATES="migration-candidate"  runs one of them only
# The machine is shared and its speed drifts by 10-20% within minutes, so B1 and the
# candidates are measured in ROUNDS rounds (B1 then each candidate, once each, per round; the
# candidates' order alternates between rounds) and each round's ratios compare runs a few
# seconds apart; the report gives the median round and the range. The spot check (every
# value compared with Postgres) runs in round 1. `uptime` before and after each round goes
# into load.txt: the other users of the machine are part of the result.
# Needs: ../shared/bench (or SHARED_BENCH=path), PostgreSQL 15, sqlite3, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=$(cd "${SHARED_BENCH:-$root/../shared/bench}" && pwd)
SCALES=${SCALES:-"100000 1000000"}
ROUNDS=${ROUNDS:-3}
export REPEAT=1
command -v /usr/bin/time >/dev/null || { echo "apt-get install -y time (for peak RSS)"; exit 1; }

CANDIDATES=${CANDIDATES:-"migration-candidate pwsh-candidate"}
dotnet build src/Migration.Cli -c Release -nologo -v quiet >/dev/null
# The cmdlet project assembles the module in out/Migration (a Release build for the measurement).
[[ " $CANDIDATES " != *" pwsh-candidate "* ]] || dotnet build src/Migration.PowerShell -c Release -nologo -v quiet >/dev/null
"$shared/pg-up.sh"
out="$root/bench/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
for scale in $SCALES; do
  psql -X -Atc "SELECT 1" -h "${PGHOST:-/tmp/migbench-pg/run}" -p "${PGPORT:-55432}" -U postgres -d "migbench_$scale" >/dev/null 2>&1 \
    || "$shared/make-dataset.sh" "$scale"
  for round in $(seq "$ROUNDS"); do
    spot=0; [ "$round" = 1 ] && spot=1
    order=$CANDIDATES
    [ $((round % 2)) = 0 ] && order=$(echo "$CANDIDATES" | tr ' ' '\n' | tac | tr '\n' ' ')
    paths=""; for c in $order; do paths="$paths $root/bench/$c.sh"; done
    echo "scale $scale round $round before: $(uptime)" >>"$out/load.txt"
    RESULTS_DIR="$out/scale$scale/round$round" KEEP_DBS=0 SPOT_CHECK=$spot \
    ONLY="b1-copy-csv-import $order" \
    CANDIDATES="${paths# }" \
      "$shared/run-baselines.sh" "$scale" | tee -a "$out/scale$scale.txt"
    echo "scale $scale round $round after:  $(uptime)" >>"$out/load.txt"
  done
done
python3 "$root/bench/ratios.py" "$out"/scale*/round*/results.tsv | tee "$out/ratios.md"
