#!/usr/bin/env python3
"""w1-interleaved.sh's folder: the peers' W1 medians per turn, ours (runs 1-3 and 4-6) per invocation, and each of our
invocations against the peers' runs right before and right after it."""
import json, statistics as st, sys, os
d = sys.argv[1] if len(sys.argv) > 1 else '.'
def rows(name):
    p = os.path.join(d, name)
    return [json.loads(l) for l in open(p) if l.startswith('{')] if os.path.exists(p) else []
peers = {}
for n in (1, 2, 3):
    for broker in ('redis', 'nats'):
        xs = [r['e2e_msgs_s'] for r in rows(f'peers-{n}.jsonl') if r['broker'] == broker and r['workload'] == 'w1']
        if xs: peers[(n, broker)] = st.median(xs)
    print(f"peers {n}: Redis Streams {peers.get((n, 'redis'), 0):,.0f}, NATS JetStream {peers.get((n, 'nats'), 0):,.0f}")
for n in (1, 2):
    e = [r['end_to_end_per_second'] for r in rows(f'node-process-{n}.jsonl')]
    if not e: continue
    first, warm = st.median(e[:3]), st.median(e[3:])
    ratios = ' · '.join(f"{b} {first / peers[(m, b)]:.2f}x (peers {m})" for m in (n, n + 1) for b in ('redis', 'nats') if (m, b) in peers)
    print(f"ours {n}: runs 1-3 {first:,.0f}, 4-6 {warm:,.0f}; runs 1-3 against: {ratios}")
