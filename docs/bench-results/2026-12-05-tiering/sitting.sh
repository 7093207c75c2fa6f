#!/usr/bin/env bash
# The sitting of 2026-12-05, 09:30-09:42 UTC (build f3bc65f, the node shipping tiered compilation's call-counting
# delay at 0): exactly the commands of 2026-12-05-journal/sitting.sh, written to another folder. Run from the
# repository root after the builds that script names; the peers' harness is built into /tmp/remote-peers on its first
# call (redis-server and nats-server installed from apt before). PG as there.
OUT="${OUT:-/tmp/tiering-sitting}" exec bash "$(dirname "${BASH_SOURCE[0]}")/../2026-12-05-journal/sitting.sh"
