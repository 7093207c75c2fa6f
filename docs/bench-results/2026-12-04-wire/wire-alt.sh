#!/bin/bash
# alternate base and new builds; args: label-of-new dir-of-new workloads...
NEW=$1; shift
OUT=/tmp/wire-alt-$(basename $NEW).jsonl
for round in 1 2; do
  for w in "$@"; do
    for v in base $NEW; do
      d=/tmp/wire-base; [ $v != base ] && d=$v
      echo "# round=$round build=$v workload=$w load=$(cut -d' ' -f1 /proc/loadavg) at=$(date -u +%T)" >> $OUT
      ACTORPUBSUB_BENCH_NODE=$d/node/net10.0/ActorPubSub.Node.dll dotnet $d/bench/net10.0/ActorPubSub.Bench.dll $w --node-process --runs 3 --json --no-progress 2>/dev/null | grep '^{' | sed "s|^{|{\"build\":\"$(basename $v)\",\"round\":$round,|" >> $OUT
    done
  done
done
echo done >> $OUT
