#!/bin/bash
# ab.sh OUT ROUNDS "workload args" BUILD_A BUILD_B : alternates A B A B ...; each build is a dir with bench/ and node/
out=$1; rounds=$2; args=$3; shift 3
for r in $(seq 1 $rounds); do
  for b in "$@"; do
    echo "[$(date +%T)] round $r $b: $args (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    ACTORPUBSUB_BENCH_NODE=$b/node/ActorPubSub.Node.dll /usr/bin/time -f "$(basename $b) $r $args cpu_user_s %U cpu_sys_s %S" -a -o /tmp/perf-prof/cpu.txt dotnet $b/bench/ActorPubSub.Bench.dll $args --json --no-progress 2>/tmp/perf-prof/ab.err \
      | grep '^{' | python3 -c "
import sys,json
for l in sys.stdin:
    d=json.loads(l); d['build']='$(basename $b)'; d['round']=$r; d['command']='ACTORPUBSUB_BENCH_NODE=$(basename $b)/node/ActorPubSub.Node.dll dotnet $(basename $b)/bench/ActorPubSub.Bench.dll $args --json --no-progress'; print(json.dumps(d))" >> $out
  done
done
