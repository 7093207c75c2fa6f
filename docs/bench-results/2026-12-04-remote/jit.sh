#!/usr/bin/env bash
cd /work/wt/remote
B="dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll"
run() { # tag args...
  local tag=$1; shift
  echo "# [$tag] $B $* --json --no-progress (utc $(date -u +%FT%TZ), load1 $(cut -d' ' -f1 /proc/loadavg))" >> /tmp/remote-jit/jit.cmds
  $B "$@" --json --no-progress | sed "s/^{/{\"variant\":\"$tag\",/" >> /tmp/remote-jit/jit.jsonl 2>>/tmp/remote-jit/jit.err
}
for i in 1 2; do
  run default w1 --node-process --runs 3
  run tc0 w1 --node-process --runs 3 --node-env DOTNET_TieredCompilation=0
  run default latency --node-process --runs 3
  run tc0 latency --node-process --runs 3 --node-env DOTNET_TieredCompilation=0
done
echo done >> /tmp/remote-jit/jit.cmds
