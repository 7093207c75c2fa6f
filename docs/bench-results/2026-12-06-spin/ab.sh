#!/bin/bash
# The thread pool's spin limit both ways, one build: the node as shipped (the runtime's default spin, 70) against the same
# node with `--node-env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=$SPIN` (default 0: idle workers sleep at once; the
# variable is read as hexadecimal, so SPIN=5 is 5 and SPIN=a is 10). Alternating, the order
# flipped every round. The files here were recorded with the 0 written into the node's runtimeconfig
# (System.Threading.ThreadPool.UnfairSemaphoreSpinLimit) and 70 restored with the variable (=46, hexadecimal); the runtime
# resolves both ways to the same limit, and the project ships neither (docs/deployment.md), so this script sets the variable.
# Run from the repository root after `dotnet build -c Release src/ActorPubSub.Bench`; OUT names the results file (JSON
# lines, one header line per invocation). Medians: python3 docs/bench-results/2026-12-06-spin/summarize.py $OUT
set -u
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
OUT=${OUT:-/tmp/spin-ab.jsonl}
ROUNDS=${ROUNDS:-2}
WORKLOADS=${WORKLOADS:-"w1 w2 latency"}
SPIN=${SPIN:-0}
run() { # $1 = label, $2 = workload, rest = extra arguments
  local label=$1 w=$2 round=$r; shift 2
  local runs=6; [ "$w" = latency ] && runs=3
  echo "# $label $w --runs $runs $* (utc $(date -u +%FT%TZ), load1 $(cut -d' ' -f1 /proc/loadavg))" >> "$OUT"
  $B "$w" --node-process --runs $runs --json --no-progress "$@" | sed "s/^{/{\"variant\":\"$label\",\"round\":$round,/" >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    if [ $((r % 2)) = 1 ]; then
      run "spin$SPIN" "$w" --node-env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=$SPIN; run spin70 "$w"
    else
      run spin70 "$w"; run "spin$SPIN" "$w" --node-env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=$SPIN
    fi
  done
done
