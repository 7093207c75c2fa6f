#!/bin/bash
# usage: wire-alt2.sh OUT ROUNDS WORKLOAD BUILD_DIR...   (records e2e lines + cpu seconds of bench+node)
OUT=$1; ROUNDS=$2; W=$3; shift 3
for round in $(seq 1 $ROUNDS); do
  for d in "$@"; do
    b=$(basename $d)
    echo "# round=$round build=$b workload=$W load=$(cut -d' ' -f1 /proc/loadavg) at=$(date -u +%T)" >> $OUT
    /usr/bin/time -f "#cpu build=$b round=$round user=%U sys=%S" -a -o $OUT env ACTORPUBSUB_BENCH_NODE=$d/node/net10.0/ActorPubSub.Node.dll dotnet $d/bench/net10.0/ActorPubSub.Bench.dll $W $MODE --runs 3 --json --no-progress 2>/dev/null | grep '^{' | sed "s|^{|{\"build\":\"$b\",\"round\":$round,|" >> $OUT
  done
done
echo done >> $OUT
