import json,sys,statistics as st
from collections import defaultdict
for f in sys.argv[1:]:
    rows=[json.loads(l) for l in open(f)]
    by=defaultdict(list)
    for d in rows:
        if d['workload']=='latency': by[d['build']].append((d['p50_micros'], d['p99_micros']))
        else: by[d['build']].append(d['end_to_end_per_second'])
    print(f)
    for b,v in by.items():
        if rows[0]['workload']=='latency':
            print(f"  {b}: n={len(v)} p50 med {st.median(x[0] for x in v):,.0f} p99 med {st.median(x[1] for x in v):,.0f}  p50s {[round(x[0]) for x in v]}")
        else:
            print(f"  {b}: n={len(v)} median {st.median(v):,.0f} min {min(v):,.0f} max {max(v):,.0f}  {[round(x) for x in v]}")
