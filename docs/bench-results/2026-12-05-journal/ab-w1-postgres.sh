#!/bin/bash
C="Host=127.0.0.1;Port=$PORT;Database=bench;Username=postgres"
for round in 1 2; do
  for b in base new; do
    if [ $b = base ]; then d=/tmp/base; else d=/work/main; fi
    echo "== $b round $round $(date +%T)"
    (cd $d && dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll w1 --node-process --postgres "$C" --runs 6 --json --no-progress 2>&1 | grep -E '^\{' | sed "s/^/$b /")
  done
done
