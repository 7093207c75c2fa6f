#!/usr/bin/env python3
"""Per file, round and workload of ab.sh's output: each variant's median of runs 1-3 (the first minute) and 4-6 (warmed)
e2e msg/s, or p50/p99 µs for latency, the node's and the client's CPU seconds summed over the runs, and the other variant / spin70."""
import json, statistics, sys
from collections import defaultdict
runs = defaultdict(list)
for path in sys.argv[1:]:
    for line in open(path):
        if line.startswith('{'):
            d = json.loads(line)
            runs[(path.split('/')[-1], d['round'], d['workload'], d['variant'])].append(d)
for f, rnd, w in sorted({(f, r, w) for (f, r, w, v) in runs}):
    cells = {}
    for v in sorted({v for (f2, r2, w2, v) in runs if (f2, r2, w2) == (f, rnd, w)}, key=lambda v: v == 'spin70'):
        rs = runs.get((f, rnd, w, v), [])
        if not rs: continue
        cpu = f"cpu node {sum(x['cpu_server_s'] for x in rs):.1f} client {sum(x['cpu_client_s'] for x in rs):.1f} s"
        if w == 'latency':
            cells[v] = (statistics.median(x['p50_micros'] for x in rs),
                        f"p50/p99 {statistics.median(x['p50_micros'] for x in rs):,.0f}/{statistics.median(x['p99_micros'] for x in rs):,.0f} µs, {cpu}")
        else:
            first = statistics.median(x['end_to_end_per_second'] for x in rs[:3])
            warm = statistics.median(x['end_to_end_per_second'] for x in rs[3:]) if len(rs) > 3 else float('nan')
            cells[v] = (first, f"runs 1-3 {first:,.0f}, 4-6 {warm:,.0f}, {cpu}")
    other = next((v for v in cells if v != 'spin70'), None)
    ratio = f"  {other}/spin70 {cells[other][0] / cells['spin70'][0]:.2f}" if other and 'spin70' in cells else ''
    print(f"{f} round {rnd} {w:8} " + ' | '.join(f"{v}: {t}" for v, (_, t) in cells.items()) + ratio)
