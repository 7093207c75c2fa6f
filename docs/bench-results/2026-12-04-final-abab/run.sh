#!/usr/bin/env bash
# ABAB: base (/tmp/base-rel, main before the perf and transient merges) vs new (this build), one sitting.
set -uo pipefail
cd /work/main
OUT=/tmp/abab
NEW="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
BASE="dotnet /tmp/base-rel/bench/ActorPubSub.Bench.dll"
run() { # label file args
  local label=$1 f=$2; shift 2
  local cmd; if [ "$label" = base ]; then cmd="$BASE"; export ACTORPUBSUB_BENCH_NODE=/tmp/base-rel/node/ActorPubSub.Node.dll; else cmd="$NEW"; unset ACTORPUBSUB_BENCH_NODE; fi
  echo "[$(date -u +%H:%M:%S)] $label $* (load1 $(cut -d' ' -f1 /proc/loadavg))" >> $OUT/log
  $cmd "$@" --json --no-progress 2>>$OUT/$f.err | sed "s/^{/{\"build\":\"$label\",/" >> $OUT/$f.jsonl
}
for round in 1 2; do
  run base w1-in-process w1 --runs 3
  run new  w1-in-process w1 --runs 3
  run base w1-node-process w1 --node-process --runs 3
  run new  w1-node-process w1 --node-process --runs 3
done
run base w3-node-process w3 --node-process --runs 1
run new  w3-node-process w3 --node-process --runs 1
run base latency-node-process latency --node-process --runs 3
run new  latency-node-process latency --node-process --runs 3
echo "[$(date -u +%H:%M:%S)] done" >> $OUT/log
