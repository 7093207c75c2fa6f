#!/bin/bash
# $1 build dir, $2 out csv
d=$1
ACTORPUBSUB_BENCH_NODE=$d/node/net10.0/ActorPubSub.Node.dll dotnet $d/bench/net10.0/ActorPubSub.Bench.dll w1 --node-process --runs 1 --count 400000 --warmup 20000 --json --no-progress > $2.json 2>/dev/null &
B=$!
for i in $(seq 1 40); do P=$(pgrep -f "^dotnet $d/node/net10.0/ActorPubSub.Node.dll" | head -1); [ -n "$P" ] && break; sleep 0.5; done
~/.dotnet/tools/dotnet-counters collect -p $P --counters System.Runtime --format csv -o $2 --refresh-interval 1 > /dev/null 2>&1 &
C=$!
wait $B
kill $C 2>/dev/null
