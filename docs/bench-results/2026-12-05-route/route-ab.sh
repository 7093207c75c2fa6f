#!/bin/bash
# One build, the setting both ways: --publish-route region (PublishStraightToTopic = false) against topic (the default).
# ROUNDS rounds (default 2), the order flipped every round so neither side always runs first. RUNS as in ab.sh.
# Output: one JSON line per run prefixed with "base" (region) or "new" (topic) and the round, for summarize.py.
# Run from the repository root after: dotnet build -c Release src/ActorPubSub.Bench src/ActorPubSub.Node
OUT=${OUT:-/tmp/route-setting-ab.jsonl}
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
for round in $(seq 1 "${ROUNDS:-2}"); do
  if [ $((round % 2)) = 1 ]; then order="region topic"; else order="topic region"; fi
  for route in $order; do
    if [ $route = region ]; then tag=base; else tag=new; fi
    while read -r run; do
      [ -z "$run" ] && continue
      np=""; [[ $run == *node-process* ]] && np="-np"
      /usr/bin/time -f "cpu $tag $round ${run%% *}$np %U %S" -a -o "$OUT" \
        timeout 600 $B $run --publish-route $route --json --no-progress 2>/dev/null \
        | sed "s/^/$tag $round /" >> "$OUT"
    done <<< "${RUNS}"
  done
done
echo "done" >> "$OUT"
