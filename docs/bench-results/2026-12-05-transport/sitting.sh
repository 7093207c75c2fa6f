#!/usr/bin/env bash
# The sitting of 2026-12-05, 13:14 UTC (build bf42570, ActorPubSub's own remote transport the default): exactly the
# commands of 2026-12-05-journal/sitting.sh, written to another folder. Run from the repository root after the builds
# that script names; the peers' harness is built into /tmp/remote-peers on its first call (redis-server and nats-server
# installed from apt before). PG as there.
OUT="${OUT:-/tmp/transport-sitting}" exec bash "$(dirname "${BASH_SOURCE[0]}")/../2026-12-05-journal/sitting.sh"
