#!/bin/bash
# The A/B behind "The tiering delay" in docs/benchmarks.md, as run (2026-12-05, 08:51-08:58 UTC, build c8f8e49, idle
# machine), twice: the node as built then (the runtime's 100 ms call-counting delay) against a copy of the same build
# whose ActorPubSub.Node.runtimeconfig.json has "System.Runtime.TieredCompilation.CallCountingDelayMs": 0, alternating.
# Each invocation: a fresh node, the peers' warm-up, then 6 runs (1-3: the first minute; 4-6: warmed).
# The node now ships the 0; to repeat the A/B on a later build, run the "def" side with
# `--node-env DOTNET_TC_CallCountingDelayMs=64` (the runtime reads DOTNET_ numbers as hexadecimal: 0x64 = 100 ms).
set -e
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
rm -rf /tmp/node-tc0 && cp -r src/ActorPubSub.Node/bin/Release/net10.0 /tmp/node-tc0
python3 - <<'PY'
import json
p='/tmp/node-tc0/ActorPubSub.Node.runtimeconfig.json'
d=json.load(open(p))
d['runtimeOptions'].setdefault('configProperties',{})['System.Runtime.TieredCompilation.CallCountingDelayMs']=0
json.dump(d,open(p,'w'),indent=2)
PY
for round in 1 2; do
  for cfg in def tc0; do
    if [ $cfg = tc0 ]; then export ACTORPUBSUB_BENCH_NODE=/tmp/node-tc0/ActorPubSub.Node.dll; else unset ACTORPUBSUB_BENCH_NODE; fi
    timeout 300 $B w1 --node-process --runs 6 --json --no-progress 2>/dev/null | sed "s/^/$cfg $round /" >> /tmp/ab/tc.jsonl
  done
done
