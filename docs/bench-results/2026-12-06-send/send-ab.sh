#!/bin/bash
# One build, actorpubsub.remote.direct-send both ways on both ends (--direct-send off against on, the default).
# ROUNDS rounds (default 2), the order flipped every round so neither side always runs first. RUNS: one benchmark
# invocation per line (without --direct-send). Output: one JSON line per run prefixed with "base" (off) or "new" (on)
# and the round, and the CPU seconds of each invocation, for ../2026-12-05-route/summarize.py.
# Run from the repository root after: dotnet build -c Release src/ActorPubSub.Bench src/ActorPubSub.Node
OUT=${OUT:-/tmp/send-ab.jsonl}
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
for round in $(seq 1 "${ROUNDS:-2}"); do
  if [ $((round % 2)) = 1 ]; then order="off on"; else order="on off"; fi
  for mode in $order; do
    if [ $mode = off ]; then tag=base; else tag=new; fi
    while read -r run; do
      [ -z "$run" ] && continue
      np=""; [[ $run == *node-process* ]] && np="-np"
      /usr/bin/time -f "cpu $tag $round ${run%% *}$np %U %S" -a -o "$OUT" \
        timeout 600 $B $run --direct-send $mode --json --no-progress 2>/dev/null \
        | sed "s/^/$tag $round /" >> "$OUT"
    done <<< "${RUNS}"
  done
done
echo "done" >> "$OUT"
