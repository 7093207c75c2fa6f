#!/usr/bin/env bash
# The helpers of this folder's sittings (sitting.sh, sitting-2.sh), sourced by them after they set OUT: log, the peers'
# harness (../shared/bench/peers/run.sh) and one invocation of ours, each appending to $OUT.
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
log() { echo "[$(date -u +%H:%M:%S)] $* (load1 $(cut -d' ' -f1 /proc/loadavg))" >> "$OUT/sitting.log"; }
peers() { # workloads tag
  log "peers $1 start"
  WORK=/tmp/remote-peers SKIP_INSTALL=1 RUNS=3 TAG="$2" ../shared/bench/peers/run.sh "$1" redis nats \
    >> "$OUT/peers-$2.out" 2>> "$OUT/peers-$2.err"
  log "peers $1 done"
}
ours() { # file args...
  local f=$1; shift
  log "ours $f $*"
  echo "# $B $* --json --no-progress   (utc $(date -u +%FT%TZ), load1 $(cut -d' ' -f1 /proc/loadavg))" >> "$OUT/$f.cmds"
  $B "$@" --json --no-progress >> "$OUT/$f.jsonl" 2>> "$OUT/$f.err"
  log "ours $f rc=$?"
}
