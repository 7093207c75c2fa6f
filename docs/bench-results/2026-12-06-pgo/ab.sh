#!/bin/bash
# The node's tiered PGO both ways, one build: the node as shipped at the time (the runtime's default, TieredPGO on)
# against the same node with `--node-env DOTNET_TieredPGO=0`. Alternating, the order flipped every round. Why: the first
# measured W1 run after the peers' warm-up (100,000 messages) spent twice the node CPU of the later runs, and a node with
# TieredPGO=0 did not. Run from the repository root after `dotnet build -c Release src/ActorPubSub.Bench`; OUT names the
# results file (JSON lines, one header line per invocation).
# Medians: python3 docs/bench-results/2026-12-06-pgo/summarize.py $OUT
set -u
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
OUT=${OUT:-/tmp/pgo-ab.jsonl}
ROUNDS=${ROUNDS:-2}
WORKLOADS=${WORKLOADS:-"w1 w2 latency w3"}
run() { # $1 = label, $2 = workload, rest = extra arguments
  local label=$1 w=$2 round=$r; shift 2
  local runs=6; [ "$w" = latency ] && runs=3; [ "$w" = w3 ] && runs=4
  echo "# $label $w --runs $runs $* (utc $(date -u +%FT%TZ), load1 $(cut -d' ' -f1 /proc/loadavg))" >> "$OUT"
  $B "$w" --node-process --runs $runs --json --no-progress "$@" | sed "s/^{/{\"variant\":\"$label\",\"round\":$round,/" >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    if [ $((r % 2)) = 1 ]; then
      run pgo0 "$w" --node-env DOTNET_TieredPGO=0; run default "$w"
    else
      run default "$w"; run pgo0 "$w" --node-env DOTNET_TieredPGO=0
    fi
  done
done
