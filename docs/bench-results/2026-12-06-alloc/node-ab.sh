#!/bin/bash
# W1 and W3 with the node in another process on two builds in one sitting, alternating and the order flipped every
# round: "before" is the benchmark and node built from the commit before this stop's client changes (OLD, as for
# inproc-ab.sh), "after" this repository's build. W3: the old build records one run as the median of 3 rounds
# (--runs 1), the new one a round per run (--runs 3), so both variants' figure is a median of 3 rounds of 1,000,000.
# Medians: BASE=before python3 docs/bench-results/2026-12-06-pgo/summarize.py $OUT (W3's "runs 1-3" is that median)
set -u
NEW="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
OLD="dotnet ${OLD:-/tmp/oldbuild}/src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
OUT=${OUT:-/tmp/node-ab.jsonl}
ROUNDS=${ROUNDS:-2}
WORKLOADS=${WORKLOADS:-"w1 w3"}
run() { # $1 = label, $2 = command, $3 = workload
  local label=$1 b=$2 w=$3 round=$r runs=6
  [ "$w" = w3 ] && { [ "$label" = before ] && runs=1 || runs=3; }
  echo "# $label $b $w --node-process --runs $runs (utc $(date -u +%FT%TZ), load1 $(cut -d' ' -f1 /proc/loadavg))" >> "$OUT"
  $b "$w" --node-process --runs $runs --json --no-progress | sed "s/^{/{\"variant\":\"$label\",\"round\":$round,/" >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    if [ $((r % 2)) = 1 ]; then run after "$NEW" "$w"; run before "$OLD" "$w"
    else run before "$OLD" "$w"; run after "$NEW" "$w"; fi
  done
done
