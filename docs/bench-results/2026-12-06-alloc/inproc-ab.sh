#!/bin/bash
# In-process W1, W2 and W3 on two builds in one sitting, alternating and the order flipped every round: "before" is the
# benchmark built from the commit before this stop's client changes (OLD, e.g. a `git worktree add /tmp/oldbuild 1d9ed77`
# built with `dotnet build -c Release src/ActorPubSub.Bench`), "after" this repository's build. The issue's rule: the
# in-process figures do not regress (>= 0.95x of before).
# Medians: BASE=before python3 docs/bench-results/2026-12-06-pgo/summarize.py $OUT
set -u
NEW="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
OLD="dotnet ${OLD:-/tmp/oldbuild}/src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
OUT=${OUT:-/tmp/inproc-ab.jsonl}
ROUNDS=${ROUNDS:-3}
WORKLOADS=${WORKLOADS:-"w1 w2 w3"}
run() { # $1 = label, $2 = command, $3 = workload
  local label=$1 b=$2 w=$3 round=$r runs=3
  [ "$w" = w3 ] && runs=1
  echo "# $label $b $w --runs $runs (utc $(date -u +%FT%TZ), load1 $(cut -d' ' -f1 /proc/loadavg))" >> "$OUT"
  $b "$w" --runs $runs --json --no-progress | sed "s/^{/{\"variant\":\"$label\",\"round\":$round,/" >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    if [ $((r % 2)) = 1 ]; then run after "$NEW" "$w"; run before "$OLD" "$w"
    else run before "$OLD" "$w"; run after "$NEW" "$w"; fi
  done
done
