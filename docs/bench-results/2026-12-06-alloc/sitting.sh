#!/usr/bin/env bash
# The sitting of 2026-12-06 (late morning), after the client's allocations per message were cut (transient publishes
# straight to the topic actor, pooled frames, the consumer's synchronous path): the method of 2026-12-06-quiet/sitting.sh
# (the quiet wait before each recorded run, the client on the .NET default GC), with W3 recorded one round per run as
# the peers' harness records it, so --runs 6 as for W1; the peers' W3 again after ours.
# Run from the repository root after
#   dotnet build -c Release src/ActorPubSub.Bench && dotnet build -c Release src/ActorPubSub.Node
# PG (optional) is an Npgsql connection string to a throwaway PostgreSQL 15 (synchronous_commit=on, the default).
# Medians: python3 docs/bench-results/2026-12-05-journal/summarize.py $OUT
set -uo pipefail
OUT="${OUT:-/tmp/alloc-sitting}"; mkdir -p "$OUT"
source "$(dirname "$0")/../2026-12-06-send/sitting-lib.sh"
peers w1,w2,lat,w3 before
ours node-process latency --node-process --runs 6
ours node-process w1 --node-process --runs 6
ours node-process w2 --node-process --runs 6
ours node-process w3 --node-process --runs 6
if [ -n "${PG:-}" ]; then ours node-process-pg w1 --node-process --postgres "$PG" --runs 6; fi
ours node-process-cc w1 --node-process --cluster-client --runs 6
ours in-process w1 --runs 3
ours in-process w2 --runs 3
ours in-process latency --runs 3
ours in-process w3 --runs 1
peers w1,lat,w3 after
log "sitting done"
