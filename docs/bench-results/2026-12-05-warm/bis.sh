#!/bin/bash
# in-process W1, alternating builds
for round in 1 2 3 4 5; do
 for c in 9bef38f 13c9bc0 e930d23 72c3005; do
  cd /tmp/bis/$c
  r=$(timeout -s KILL 90 dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll w1 --runs 1 --json --no-progress 2>/dev/null | tail -1)
  echo "$round $c $(date +%T) load=$(cut -d' ' -f1 /proc/loadavg) $r"
 done
done
