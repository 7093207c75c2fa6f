#!/bin/bash
# The first A/B of the transport (2026-12-05, 12:04-12:14 UTC), as run: the benchmark of cc1b096 (Akka's DotNetty transport,
# built from a worktree in /tmp/base-src) against the one of 8b4ce5f (ActorPubSub's own), alternating; usage: ab.sh workload rounds extra...
# usage: ab.sh workload rounds extra...
w=$1; rounds=$2; shift 2
for r in $(seq 1 $rounds); do
  for side in base new; do
    if [ $side = base ]; then dll=/tmp/base-src/src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll; else dll=/work/main/src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll; fi
    echo "== $side round $r $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    /usr/bin/time -f "cpu_user %U cpu_sys %S wall %e" dotnet $dll $w --node-process --json --no-progress "$@" 2>&1 | grep -E '^\{|cpu_user'
  done
done
