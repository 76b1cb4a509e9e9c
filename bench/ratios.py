#!/usr/bin/env python3
"""Ratios of the candidates against B1 from run-baselines.sh results.tsv files, one per round.

Each round ran B1 and every candidate once, seconds apart; a round's throughput ratio is the
candidate's rows/s over B1's (> 1: faster than B1). The report gives, per scale and candidate,
the median round's ratio and the range over rounds, so a drift of the shared machine's speed
between rounds does not decide the result. With both the CLI (migration-candidate) and pwsh
(pwsh-candidate) in the rounds, a third table compares the two within each round (pwsh
throughput / CLI throughput). Memory: candidate / B1 peak RSS (median over rounds); the
candidate's peak at the largest scale over the smallest shows whether memory stays flat.
"""
import csv
import os
import re
import statistics
import sys

B1 = "b1-copy-csv-import"
CLI = "migration-candidate"
PWSH = "pwsh-candidate"

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

candidates = sorted({n for rs in rounds.values() for r in rs for n in r if n != B1}, key=lambda n: (n != CLI, n))


def rate(r):
    return float(r["rows_per_s"])


def ok(*rows):
    return all(r["status"].startswith("OK") for r in rows)


print("| scale | candidate | rows | rounds | B1 rows/s (median) | candidate rows/s (median) | throughput vs B1: median round (range) "
      "| peak MB B1 / candidate | memory vs B1 | CPU s user+sys (median) | wrong values B1 / candidate | status |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
peaks = {}  # candidate -> [(scale, peak)]
for s in sorted(rounds, key=int):
    for name in candidates:
        pairs = [(r[B1], r[name]) for r in rounds[s] if B1 in r and name in r]
        if not pairs:
            continue
        ratios = sorted(rate(c) / rate(b) for b, c in pairs)
        b1_mem = statistics.median(float(b["peak_rss_sum_mb"]) for b, _ in pairs)
        c_mem = statistics.median(float(c["peak_rss_sum_mb"]) for _, c in pairs)
        cpu = statistics.median(float(c["user_s"]) + float(c["sys_s"]) for _, c in pairs)
        peaks.setdefault(name, []).append((s, c_mem))
        status = "OK" if all(ok(b, c) for b, c in pairs) else "FAIL"
        print(f"| {s} | {name} | {pairs[0][1]['rows']} | {len(pairs)} | {statistics.median(rate(b) for b, _ in pairs):,.0f} | "
              f"{statistics.median(rate(c) for _, c in pairs):,.0f} | {statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}) | "
              f"{b1_mem:.0f} / {c_mem:.0f} | {c_mem / b1_mem:.2f}x | {cpu:.1f} | "
              f"{wrong.get((s, B1), '?')} / {wrong.get((s, name), '?')} | {status} |")

both = [(s, [(r[CLI], r[PWSH]) for r in rounds[s] if CLI in r and PWSH in r]) for s in sorted(rounds, key=int)]
if any(p for _, p in both):
    print("\n| scale | rounds | pwsh throughput / CLI throughput: median round (range) | wall s CLI / pwsh (medians) |")
    print("|---:|---:|---:|---:|")
    for s, pairs in both:
        if not pairs:
            continue
        ratios = sorted(rate(p) / rate(c) for c, p in pairs)
        print(f"| {s} | {len(pairs)} | {statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}) | "
              f"{statistics.median(float(c['wall_s']) for c, _ in pairs):.2f} / {statistics.median(float(p['wall_s']) for _, p in pairs):.2f} |")

for name, series in peaks.items():
    if len(series) > 1:
        print(f"\n{name} peak RSS, scale {series[-1][0]} / scale {series[0][0]}: {series[-1][1] / series[0][1]:.2f}x "
              "(about 1.0 = memory stays flat as the table grows)")
