#!/usr/bin/env bash
# W1 alone, interleaved: the peers' W1 (Redis Streams, NATS JetStream), ours, the peers, ours, the peers; so each of
# our two invocations has a peers' run right before and right after it. Ours as in sitting.sh (--node-process, an idle
# machine before each run, 6 runs: 1-3 the first minute). Run from the repository root after
#   dotnet build -c Release src/ActorPubSub.Bench && dotnet build -c Release src/ActorPubSub.Node
# Each peers' results file is copied to $OUT/peers-<n>.jsonl.
# Medians: python3 docs/bench-results/2026-12-06-quiet/w1-interleaved-summary.py $OUT (this folder's copy: w1-interleaved/)
set -uo pipefail
OUT="${OUT:-/tmp/w1-interleaved}"; mkdir -p "$OUT"
source "$(dirname "$0")/../2026-12-06-send/sitting-lib.sh"
peers_copy() { peers w1 "$1"; cp "/tmp/remote-peers/results/$(ls -t /tmp/remote-peers/results/ | head -1)" "$OUT/peers-$1.jsonl"; }
peers_copy 1
ours node-process-1 w1 --node-process --runs 6
peers_copy 2
ours node-process-2 w1 --node-process --runs 6
peers_copy 3
log "sitting done"
