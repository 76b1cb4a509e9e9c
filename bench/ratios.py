#!/usr/bin/env python3
"""Ratios of the candidate against B1 from run-baselines.sh results.tsv files, one per round.

Each round ran B1 and the candidate once, seconds apart; a round's throughput ratio is the
candidate's rows/s over B1's (> 1: faster than B1). The report gives, per scale, the median
round's ratio and the range over rounds, so a drift of the shared machine's speed between
rounds does not decide the result. Memory: candidate / B1 peak RSS (median over rounds); the
candidate's peak at the largest scale over the smallest shows whether memory stays flat.
"""
import csv
import os
import re
import statistics
import sys

rounds = {}  # scale -> list of {name: row}
wrong = {}  # (scale, name) -> wrong values in the spot check
for path in sys.argv[1:]:
    with open(path) as f:
        got = list(csv.DictReader(f, delimiter="\t"))
    if not got:
        continue
    scale = got[0]["scale"]
    rounds.setdefault(scale, []).append({r["name"]: r for r in got})
    spot = os.path.join(os.path.dirname(path), "spot-check.txt")
    if os.path.exists(spot):
        for m in re.finditer(r"^== ([^:]+): .*?\((\d+) rows compared, (\d+) wrong values", open(spot).read(), re.M):
            wrong[(scale, m.group(1))] = int(m.group(3))

print("| scale | rows | rounds | B1 rows/s (median) | migration rows/s (median) | throughput vs B1: median round (range) | peak MB B1 / migration | memory vs B1 | wrong values B1 / migration | status |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
peaks = []
for s in sorted(rounds, key=int):
    pairs = [(r["b1-copy-csv-import"], r["migration-candidate"]) for r in rounds[s]
             if "b1-copy-csv-import" in r and "migration-candidate" in r]
    if not pairs:
        continue
    ratios = sorted(float(c["rows_per_s"]) / float(b["rows_per_s"]) for b, c in pairs)
    b1_rate = statistics.median(float(b["rows_per_s"]) for b, _ in pairs)
    c_rate = statistics.median(float(c["rows_per_s"]) for _, c in pairs)
    b1_mem = statistics.median(float(b["peak_rss_sum_mb"]) for b, _ in pairs)
    c_mem = statistics.median(float(c["peak_rss_sum_mb"]) for _, c in pairs)
    peaks.append(c_mem)
    status = "OK" if all(b["status"].startswith("OK") and c["status"].startswith("OK") for b, c in pairs) else "FAIL"
    print(f"| {s} | {pairs[0][1]['rows']} | {len(pairs)} | {b1_rate:,.0f} | {c_rate:,.0f} | "
          f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}) | {b1_mem:.0f} / {c_mem:.0f} | {c_mem / b1_mem:.2f}x | "
          f"{wrong.get((s, 'b1-copy-csv-import'), '?')} / {wrong.get((s, 'migration-candidate'), '?')} | {status} |")
if len(peaks) > 1:
    print(f"\nmigration peak RSS, largest scale / smallest scale: {peaks[-1] / peaks[0]:.2f}x "
          "(about 1.0 = memory stays flat as the table grows)")
