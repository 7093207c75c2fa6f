#!/usr/bin/env bash
# The sitting of 2026-12-06 (morning) with the benchmark measuring the way the peers' harness does: before each
# recorded --node-process run it waits until the machine, the node included, is idle (--quiet-wait, default 60 s at
# most, 0.15 cores), and records quiet_wait_s and the CPU of node, client and the rest. Latency first on the idle
# machine, then W1, W2, W3, PostgreSQL W1, the ClusterClient W1 and the in-process rows; the peers before and after.
# Run from the repository root after
#   dotnet build -c Release src/ActorPubSub.Bench && dotnet build -c Release src/ActorPubSub.Node
# PG (optional) is an Npgsql connection string to a throwaway PostgreSQL 15 (synchronous_commit=on, the default).
# Medians: python3 docs/bench-results/2026-12-05-journal/summarize.py $OUT
set -uo pipefail
OUT="${OUT:-/tmp/quiet-sitting}"; mkdir -p "$OUT"
source "$(dirname "$0")/../2026-12-06-send/sitting-lib.sh"
peers w1,w2,lat,w3 before
ours node-process latency --node-process --runs 6
ours node-process w1 --node-process --runs 6
ours node-process w2 --node-process --runs 6
ours node-process w3 --node-process --runs 2
if [ -n "${PG:-}" ]; then ours node-process-pg w1 --node-process --postgres "$PG" --runs 6; fi
ours node-process-cc w1 --node-process --cluster-client --runs 6
ours in-process w1 --runs 3
ours in-process w2 --runs 3
ours in-process latency --runs 3
ours in-process w3 --runs 1
peers w1,lat after
log "sitting done"
