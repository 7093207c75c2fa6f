#!/usr/bin/env python3
"""Medians of a sitting's raw lines: python3 summarize.py DIR (the sitting's OUT folder, or this folder's copies)."""
import json, statistics as st, sys, glob, os
d = sys.argv[1] if len(sys.argv) > 1 else '.'
def lines(pattern):
    for f in sorted(glob.glob(os.path.join(d, pattern))):
        for l in open(f):
            l = l.strip()
            if l.startswith('{'):
                yield os.path.basename(f), json.loads(l)
med = lambda xs: round(st.median(xs)) if xs else None
for f, tag in (('peers-before*.jsonl', 'before'), ('peers-after*.jsonl', 'after')):
    rows = {}
    for _, r in lines(f):
        key = (r['broker'], r['workload'] + (('-' + r['variant']) if r.get('variant') else ''))
        v = r.get('e2e_msgs_s') if r['workload'] != 'lat' else (r.get('p50_us'), r.get('p99_us'))
        if r['workload'] == 'w3': v = (r.get('received'), r.get('pub_msgs_s'), r.get('e2e_msgs_s'))
        rows.setdefault(key, []).append(v)
    for k, v in sorted(rows.items()):
        if isinstance(v[0], tuple): print(tag, k, v)
        else: print(tag, k, 'median', med([x for x in v if x]), v)
groups = {}
for f, r in lines('*process*.jsonl'):
    key = (f, r['workload'], r.get('store'), r.get('topology'))
    groups.setdefault(key, []).append(r)
for key, rs in sorted(groups.items()):
    n = len(rs)
    def pick(r):
        if r['workload'] == 'latency': return (r.get('p50_micros'), r.get('p99_micros'))
        if r['workload'] == 'w3': return (r['messages'] - r.get('dropped', 0), round(r.get('publish_per_second', 0)), round(r.get('end_to_end_per_second', 0)))
        return round(r.get('end_to_end_per_second') or r.get('per_subscription_per_second') or 0)
    vals = [pick(r) for r in rs]
    if isinstance(vals[0], tuple):
        if key[1] == 'latency':
            first = vals[:3] if n >= 6 else vals
            warm = vals[3:6] if n >= 6 else []
            m = lambda vs, i: med([v[i] for v in vs]) if vs else None
            print(key, 'p50/p99 first', m(first, 0), m(first, 1), 'warmed', m(warm, 0), m(warm, 1), vals)
        else:
            print(key, vals)
    else:
        first = [v for i, v in enumerate(vals) if i % 6 < 3] if n >= 6 else vals
        warm = [v for i, v in enumerate(vals) if i % 6 >= 3] if n >= 6 else []
        print(key, 'first-minute median', med(first), 'warmed median', med(warm), vals)
