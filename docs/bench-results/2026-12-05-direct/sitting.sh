#!/usr/bin/env bash
# The sitting of 2026-12-05, 20:40 UTC (direct dispatch of received topic-protocol messages): exactly the commands of
# 2026-12-05-journal/sitting.sh, written to another folder. Run from the repository root after the builds that script
# names; the peers' harness is built into /tmp/remote-peers on its first call (redis-server and nats-server installed
# from apt before). PG as there.
OUT="${OUT:-/tmp/direct-sitting}" exec bash "$(dirname "${BASH_SOURCE[0]}")/../2026-12-05-journal/sitting.sh"
