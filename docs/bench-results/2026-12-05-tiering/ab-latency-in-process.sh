#!/bin/bash
# In-process latency, alternating two builds (after the sitting, 09:43-09:50 UTC): BASE is the other build's Release
# output of src/ActorPubSub.Bench (a git worktree of 2d01562, then of d934ddc), "new" this build. Run from the repository root.
BASE=${BASE:?the other build's src/ActorPubSub.Bench/bin/Release/net10.0}
for round in 1 2; do
  for cfg in base new; do
    if [ $cfg = base ]; then D=$BASE; else D=src/ActorPubSub.Bench/bin/Release/net10.0; fi
    timeout 300 dotnet $D/ActorPubSub.Bench.dll latency --runs 3 --json --no-progress 2>/dev/null | sed "s/^/$cfg $round /" >> latency-in-process.jsonl
  done
done
