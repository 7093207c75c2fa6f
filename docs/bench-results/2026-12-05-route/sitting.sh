#!/usr/bin/env bash
# The sitting of 2026-12-05, 17:40 UTC (publishes straight to the topic actor): exactly the commands of
# 2026-12-05-journal/sitting.sh, written to another folder. Run from the repository root after the builds that script
# names; the peers' harness is built into /tmp/remote-peers on its first call (redis-server and nats-server installed
# from apt before). PG as there.
OUT="${OUT:-/tmp/route-sitting}" exec bash "$(dirname "${BASH_SOURCE[0]}")/../2026-12-05-journal/sitting.sh"
