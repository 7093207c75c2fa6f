#!/bin/bash
# The W2 profile in docs/benchmarks.md: COUNT=800000 prof.sh w2; then the TraceEvent summariser of
# docs/bench-results/2026-12-04-profile/analyzer (with "ConsoleLoggerProcessor" among its waits): an.dll <trace> cpu 30
# $1 = workload ; traces node and bench concurrently: sampled thread time 10 s, 12 s after the node is up
W=$1
B=src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll   # run from the repository root
dotnet $B $W --node-process --runs 1 --count ${COUNT:-1000000} --warmup 20000 --no-progress --json > run-$W.out 2>&1 &
BP=$!
for i in $(seq 1 60); do NP=$(pgrep -f ActorPubSub.Node.dll | head -1); [ -n "$NP" ] && break; sleep 1; done
sleep 12
P=$(pgrep -f "ActorPubSub.Bench.dll $W" | head -1)
echo "tracing node $NP bench $P at $(date +%T)"
~/.dotnet/tools/dotnet-trace collect -p $NP --profile dotnet-sampled-thread-time --duration 00:00:10 -o node-$W-cpu.nettrace > /dev/null 2>&1 &
~/.dotnet/tools/dotnet-trace collect -p $P --profile dotnet-sampled-thread-time --duration 00:00:10 -o bench-$W-cpu.nettrace > /dev/null 2>&1
wait %2 2>/dev/null; sleep 2
echo "done $(date +%T)"
wait $BP
