#!/bin/bash
# The A/B behind "Publishes straight to the topic actor" in docs/benchmarks.md: the build before (a worktree at
# BASE, default /tmp/base-src: `git worktree add /tmp/base-src b3c0da5`) against this one, alternating, ROUNDS times
# (default 2). RUNS holds one benchmark invocation per line, e.g.
#   RUNS=$'latency --runs 3 --node-process\nw1 --runs 3 --node-process'
# Output: one JSON line per run, prefixed with the build and the round; CPU seconds per invocation as "cpu" lines.
# Build both first: dotnet build -c Release src/ActorPubSub.Bench src/ActorPubSub.Node (in each tree).
OUT=${OUT:-/tmp/route-ab.jsonl}
BASE=${BASE:-/tmp/base-src}
NEW=${NEW:-$(pwd)}
for round in $(seq 1 "${ROUNDS:-2}"); do
  for build in base new; do
    if [ $build = base ]; then D=$BASE; else D=$NEW; fi
    while read -r run; do
      [ -z "$run" ] && continue
      /usr/bin/time -f "cpu $build $round ${run%% *} %U %S" -a -o "$OUT" \
        timeout 600 dotnet $D/src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll $run --json --no-progress 2>/dev/null \
        | sed "s/^/$build $round /" >> "$OUT"
    done <<< "${RUNS}"
  done
done
echo "done" >> "$OUT"
