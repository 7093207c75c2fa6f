#!/bin/bash
# gc-verbose of node and bench at once, 10 s, build dir $1, tag $2
b=$1; tag=$2
ACTORPUBSUB_BENCH_NODE=$b/node/ActorPubSub.Node.dll dotnet $b/bench/ActorPubSub.Bench.dll w1 --node-process --runs 1 --count 1200000 --warmup 20000 --no-progress > run2-$tag.out 2>&1 &
BP=$!
for i in $(seq 1 60); do NP=$(pgrep -f ActorPubSub.Node.dll | head -1); [ -n "$NP" ] && break; sleep 1; done
sleep 12
CP=$(pgrep -f "ActorPubSub.Bench.dll w1" | head -1)
~/.dotnet/tools/dotnet-trace collect -p $NP --profile gc-verbose --duration 00:00:10 -o $tag-node-gc.nettrace > /dev/null 2>&1 &
~/.dotnet/tools/dotnet-trace collect -p $CP --profile gc-verbose --duration 00:00:10 -o $tag-bench-gc.nettrace > /dev/null 2>&1
wait $BP
