#!/usr/bin/env bash
# One sitting: peers (redis, nats) -> ours, node in another process (member, cluster-client, PostgreSQL) -> ours in-process -> peers again.
set -uo pipefail
cd /work/wt/remote
OUT=/tmp/remote-sitting
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
log() { echo "[$(date -u +%H:%M:%S)] $*" >> $OUT/sitting.log; }
peers() { # workloads tag
  log "peers $1 start"
  WORK=/tmp/remote-peers SKIP_INSTALL=1 RUNS=3 TAG="$2" EXTRA="--quiet-wait 0" /work/shared/bench/peers/run.sh "$1" redis nats >> $OUT/peers-$2.out 2>> $OUT/peers-$2.err
  log "peers $1 done"
}
ours() { # file args...
  local f=$1; shift
  log "ours $f $*"
  echo "# $B $* --json --no-progress   (utc $(date -u +%FT%TZ), load1 $(cut -d' ' -f1 /proc/loadavg))" >> $OUT/$f.cmds
  $B "$@" --json --no-progress >> $OUT/$f.jsonl 2>> $OUT/$f.err
  log "ours $f rc=$?"
}
peers w1,w2,lat,w3 before
ours node-process w1 --node-process --runs 3
ours node-process w2 --node-process --runs 3
ours node-process latency --node-process --runs 3
ours node-process w3 --node-process --runs 1
ours node-process-cc w1 --node-process --cluster-client --runs 3
ours node-process-cc latency --node-process --cluster-client --runs 3
if [ -n "${PG:-}" ]; then ours node-process-pg w1 --node-process --postgres "$PG" --runs 3; fi
ours in-process w1 --runs 3
ours in-process w2 --runs 3
ours in-process latency --runs 3
ours in-process w3 --runs 1
peers w1,lat after
log "sitting done"
