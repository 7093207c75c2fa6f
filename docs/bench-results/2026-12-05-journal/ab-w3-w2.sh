#!/bin/bash
# alternating base/new: W3 in-process (--runs 1, each the median of 3 rounds) x3, then W2 node-process --runs 6 x2
for round in 1 2 3; do
  for b in base new; do
    if [ $b = base ]; then d=/tmp/base; else d=/work/main; fi
    echo "== $b w3 round $round $(date +%T)"
    (cd $d && dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll w3 --runs 1 --json --no-progress 2>&1 | grep -E '^\{' | sed "s/^/$b /")
  done
done
for round in 1 2; do
  for b in base new; do
    if [ $b = base ]; then d=/tmp/base; else d=/work/main; fi
    echo "== $b w2 round $round $(date +%T)"
    (cd $d && dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll w2 --node-process --runs 6 --json --no-progress 2>&1 | grep -E '^\{' | sed "s/^/$b /")
  done
done
