#!/usr/bin/env python3
"""Per file, round and workload of an A/B script's output (variant "default", or $BASE, against the other): each variant's median
of runs 1-3 (the first minute) and of runs 4 on (warmed) e2e msg/s, or p50/p99 µs for latency, the node's and the
client's CPU seconds summed over the runs, and other / default for runs 1-3 and for the warmed runs."""
import json, statistics, sys
from collections import defaultdict
import os
BASE = os.environ.get('BASE', 'default')
runs = defaultdict(list)
for path in sys.argv[1:]:
    for line in open(path):
        if line.startswith('{'):
            d = json.loads(line)
            runs[(path.split('/')[-1], d['round'], d['workload'], d['variant'])].append(d)
for f, rnd, w in sorted({(f, r, w) for (f, r, w, v) in runs}):
    cells = {}
    for v in sorted({v for (f2, r2, w2, v) in runs if (f2, r2, w2) == (f, rnd, w)}, key=lambda v: v == BASE):
        rs = runs.get((f, rnd, w, v), [])
        if not rs: continue
        cpu = f"cpu node {sum(x.get('cpu_server_s') or 0 for x in rs):.1f} client {sum(x.get('cpu_client_s') or 0 for x in rs):.1f} s"
        if w == 'latency':
            p50 = statistics.median(x['p50_micros'] for x in rs)
            cells[v] = (p50, float('nan'), f"p50/p99 {p50:,.0f}/{statistics.median(x['p99_micros'] for x in rs):,.0f} µs, {cpu}")
        else:
            first = statistics.median(x['end_to_end_per_second'] for x in rs[:3])
            warm = statistics.median(x['end_to_end_per_second'] for x in rs[3:]) if len(rs) > 3 else float('nan')
            cells[v] = (first, warm, f"runs 1-3 {first:,.0f}, 4+ {warm:,.0f}, {cpu}")
    other = next((v for v in cells if v != BASE), None)
    ratio = (f"  {other}/{BASE} {cells[other][0] / cells[BASE][0]:.2f} · warmed {cells[other][1] / cells[BASE][1]:.2f}"
             if other and BASE in cells else '')
    print(f"{f} round {rnd} {w:8} " + ' | '.join(f"{v}: {t}" for v, (_, _, t) in cells.items()) + ratio)
