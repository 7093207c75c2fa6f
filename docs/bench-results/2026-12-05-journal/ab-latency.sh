#!/bin/bash
# alternating base/new: latency in-process --runs 3, then latency --node-process --runs 3
for mode in "" "--node-process"; do
for round in 1 2; do
  for b in base new; do
    if [ $b = base ]; then d=/tmp/base; else d=/work/main; fi
    echo "== $b latency $mode round $round $(date +%T)"
    (cd $d && dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll latency $mode --runs 3 --json --no-progress 2>&1 | grep -E '^\{' | sed "s/^/$b /")
  done
done
done
