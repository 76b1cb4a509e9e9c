#!/usr/bin/env python3
"""Ratios of the candidate against B1 from run-baselines.sh results.tsv files.

Throughput ratio > 1 means faster than B1; memory ratio is candidate / B1 peak RSS.
Across scales, the candidate's peak RSS at the largest scale over the smallest shows
whether memory stays flat as the table grows.
"""
import csv
import os
import re
import sys

rows = []
wrong = {}  # (scale, name) -> wrong values in the spot check
for path in sys.argv[1:]:
    with open(path) as f:
        got = list(csv.DictReader(f, delimiter="\t"))
    rows += got
    spot = os.path.join(os.path.dirname(path), "spot-check.txt")
    if got and os.path.exists(spot):
        for m in re.finditer(r"^== ([^:]+): .*?\((\d+) rows compared, (\d+) wrong values", open(spot).read(), re.M):
            wrong[(got[0]["scale"], m.group(1))] = int(m.group(3))

by = {(r["scale"], r["name"]): r for r in rows}
scales = sorted({r["scale"] for r in rows}, key=int)
print("| scale | rows | B1 rows/s | migration rows/s | throughput vs B1 | B1 peak MB | migration peak MB | memory vs B1 | wrong values B1 / migration | status |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
peaks = []
for s in scales:
    b1, c = by.get((s, "b1-copy-csv-import")), by.get((s, "migration-candidate"))
    if not b1 or not c:
        continue
    tr = float(c["rows_per_s"]) / float(b1["rows_per_s"])
    mem = float(c["peak_rss_sum_mb"]) / float(b1["peak_rss_sum_mb"])
    peaks.append(float(c["peak_rss_sum_mb"]))
    print(f"| {s} | {c['rows']} | {float(b1['rows_per_s']):,.0f} | {float(c['rows_per_s']):,.0f} | "
          f"{tr:.2f}x | {float(b1['peak_rss_sum_mb']):.0f} | {float(c['peak_rss_sum_mb']):.0f} | {mem:.2f}x | "
          f"{wrong.get((s, 'b1-copy-csv-import'), '?')} / {wrong.get((s, 'migration-candidate'), '?')} | {c['status']} |")
if len(peaks) > 1:
    print(f"\nmigration peak RSS, largest scale / smallest scale: {peaks[-1] / peaks[0]:.2f}x "
          "(about 1.0 = memory stays flat as the table grows)")
