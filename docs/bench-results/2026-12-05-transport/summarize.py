#!/usr/bin/env python3
"""Medians of ab.sh's output (default transport-ab.jsonl beside this script): per workload and transport, with the
ratio of ours (sockets) to Akka's (dotnetty), and the CPU seconds per invocation."""
import json, statistics, sys, collections, os

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "transport-ab.jsonl")
runs = collections.defaultdict(list)      # (workload, transport) -> [per invocation: [results]]
cpu = collections.defaultdict(list)
seen = set()
for line in open(path):
    parts = line.split(" ", 2)
    if line.startswith("cpu "):
        _, transport, rnd, workload, user, system = line.split()
        cpu[(workload, transport)].append(float(user) + float(system))
        continue
    if len(parts) < 3 or not parts[2].startswith("{"):
        continue
    transport, rnd, body = parts
    result = json.loads(body)
    key = (result["workload"], transport)
    if (key, rnd) not in seen:
        seen.add((key, rnd))
        runs[key].append([])
    runs[key][-1].append(result)

def med(values):
    return statistics.median(values) if values else float("nan")

for workload in ["w1", "w2", "latency", "w3"]:
    row = {}
    for transport in ["dotnetty", "sockets"]:
        invocations = runs.get((workload, transport), [])
        if workload == "latency":
            flat = [r for inv in invocations for r in inv]
            row[transport] = (med([r["p50_micros"] for r in flat]), med([r["p99_micros"] for r in flat]))
        elif workload == "w1":
            first = [r["end_to_end_per_second"] for inv in invocations for r in inv[:3]]
            warm = [r["end_to_end_per_second"] for inv in invocations for r in inv[3:]]
            row[transport] = (med(first), med(warm))
        else:
            row[transport] = (med([r["end_to_end_per_second"] for inv in invocations for r in inv]),)
        lost = sum(r.get("dropped", 0) for inv in invocations for r in inv)
        print(f"{workload:8} {transport:9} " + " ".join(f"{v:>10,.0f}" for v in row[transport])
              + f"   cpu s/invocation {med(cpu.get((workload, transport), [])):.1f}   dropped {lost}   n={sum(len(i) for i in invocations)}")
    ratio = [s / d for s, d in zip(row["sockets"], row["dotnetty"])]
    print(f"{workload:8} {'ratio':9} " + " ".join(f"{r:>10.2f}" for r in ratio))

# Round by round (each round runs both transports back to back, so a slow spell of the machine hits both):
# the ratio of the medians within each round.
print("\nper round, sockets / dotnetty (medians within the round; w1 all 6 runs, latency p50):")
for workload in ["w1", "w2", "latency", "w3"]:
    ratios = []
    for i, (s_inv, d_inv) in enumerate(zip(runs.get((workload, "sockets"), []), runs.get((workload, "dotnetty"), []))):
        field = "p50_micros" if workload == "latency" else "end_to_end_per_second"
        ratios.append(med([r[field] for r in s_inv]) / med([r[field] for r in d_inv]))
    print(f"{workload:8} " + " ".join(f"{r:.2f}" for r in ratios))
