#!/usr/bin/env python3
"""Per file, round and build (CPU: user + system seconds of each invocation, both processes; "-np" tags a
--node-process invocation in route-ab.sh's output): median e2e msg/s (and p50/p99 for latency) of each workload and topology, and the ratio new/base."""
import json, statistics, sys
from collections import defaultdict
runs, cpu = defaultdict(list), defaultdict(float)
for path in sys.argv[1:]:
    for line in open(path):
        parts = line.split(' ', 2)
        if parts[0] == 'cpu':
            f = line.split(); cpu[(path, f[1], f[2], f[3])] += float(f[4]) + float(f[5]); continue
        if len(parts) < 3 or not parts[2].startswith('{'): continue
        d = json.loads(parts[2])
        runs[(path, d['workload'], d['topology'], parts[1], parts[0])].append(d)
keys = sorted({(src, w, t, r) for (src, w, t, r, b) in runs})
for src, w, t, r in keys:
    out = []
    for b in ('base', 'new'):
        rs = runs.get((src, w, t, r, b), [])
        if not rs: continue
        if w == 'latency':
            out.append((b, statistics.median(x['p50_micros'] for x in rs), statistics.median(x['p99_micros'] for x in rs)))
        else:
            out.append((b, statistics.median(x['end_to_end_per_second'] for x in rs), None))
    text = ' | '.join(f"{b} {v:,.0f}" + (f" / {p:,.0f}" if p else '') + f" (cpu {cpu.get((src, b, r, w + ('-np' if t == 'node-process' else '')), cpu.get((src, b, r, w), 0)):.1f} s)" for b, v, p in out)
    ratio = f"  new/base {out[1][1] / out[0][1]:.2f}" if len(out) == 2 else ''
    print(f"{src.split('/')[-1][:14]} {w:8} {t:13} round {r}: {text}{ratio}")
