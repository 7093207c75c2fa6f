#!/bin/bash
# $1 = node|bench ; traces the chosen process: gc-verbose 10 s then cpu-sampling 10 s
who=$1
B=/work/wt/perf/src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll
dotnet $B w1 --node-process --runs 1 --count 1200000 --warmup 20000 --no-progress > run-$who.out 2>&1 &
BP=$!
for i in $(seq 1 60); do NP=$(pgrep -f ActorPubSub.Node.dll | head -1); [ -n "$NP" ] && break; sleep 1; done
sleep 12
if [ $who = node ]; then P=$NP; else P=$BP; P=$(pgrep -f "ActorPubSub.Bench.dll w1" | head -1); fi
echo "tracing $who pid $P at $(date +%T)"
~/.dotnet/tools/dotnet-trace collect -p $P --profile gc-verbose --duration 00:00:10 -o $who-gc.nettrace > /dev/null 2>&1
~/.dotnet/tools/dotnet-trace collect -p $P --profile dotnet-sampled-thread-time --duration 00:00:10 -o $who-cpu.nettrace > /dev/null 2>&1
echo "done $(date +%T)"
wait $BP
