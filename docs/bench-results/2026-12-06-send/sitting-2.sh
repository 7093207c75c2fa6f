#!/usr/bin/env bash
# The second sitting of 2026-12-06 on the direct send's build, shorter: latency first on an idle machine (in the first
# sitting it ran right after W2), then W1, W2, W3 and latency with --direct-send off. Otherwise as the first:
# The sitting of 2026-12-06, direct send (topic-protocol messages to remote actors written straight into the
# connection: actorpubsub.remote.direct-send, the default): the commands of 2026-12-06-sync/sitting.sh with the
# --deliver-before-sync off and --sqlite-sync normal lines replaced by W1, W2, W3 and latency with --direct-send off
# (every message through Akka.Remote's endpoint actors, as before), so the setting shows both ways in the same sitting.
# Run from the repository root after
#   dotnet build -c Release src/ActorPubSub.Bench && dotnet build -c Release src/ActorPubSub.Node
# PG (optional) is an Npgsql connection string to a throwaway PostgreSQL 15 (synchronous_commit=on, the default).
set -uo pipefail
OUT="${OUT:-/tmp/send-sitting-2}"; mkdir -p "$OUT"
source "$(dirname "$0")/sitting-lib.sh"
peers w1,w2,lat,w3 before
ours node-process latency --node-process --runs 6
ours node-process w1 --node-process --runs 6
ours node-process w2 --node-process --runs 6
ours node-process w3 --node-process --runs 2
ours node-process-send-off latency --node-process --direct-send off --runs 6
peers w1,lat after
log "sitting done"
