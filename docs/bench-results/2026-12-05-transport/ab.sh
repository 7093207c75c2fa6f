#!/bin/bash
# The A/B behind "ActorPubSub's own remote transport" in docs/benchmarks.md: one build, the node in its own process,
# both ends on Akka's DotNetty transport (--remote-transport dotnetty) against both on ours (the default), alternating,
# ROUNDS times (default 2). Each invocation: a fresh node, the peers' warm-up, then the runs (w1: 1-3 the first minute,
# 4-6 warmed). Output: one JSON line per run, prefixed with the transport and the round; CPU seconds of each invocation
# (the benchmark process and its node) as "cpu" lines.
# Run from the repository's root after `dotnet build -c Release src/ActorPubSub.Bench src/ActorPubSub.Node`.
set -e
OUT=${OUT:-/tmp/transport-ab.jsonl}
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
for round in $(seq 1 "${ROUNDS:-2}"); do
  for transport in dotnetty sockets; do
    for run in "w1 --runs 6" "w2 --runs 3" "latency --runs 3" "w3 --runs 2"; do
      /usr/bin/time -f "cpu $transport $round ${run%% *} %U %S" -a -o "$OUT" \
        timeout 600 $B $run --node-process --remote-transport $transport --json --no-progress 2>/dev/null \
        | sed "s/^/$transport $round /" >> "$OUT"
    done
  done
done
