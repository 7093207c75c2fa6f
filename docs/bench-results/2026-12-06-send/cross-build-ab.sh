#!/bin/bash
# The build before direct send (a worktree at BASE, default /tmp/base-src: `git worktree add /tmp/base-src 3f1496f`)
# against this one, the order flipped every round, ROUNDS times (default 2): for the in-process rows, which the setting
# cannot show both ways (in one process nothing is remote). RUNS holds one benchmark invocation per line, e.g.
#   RUNS=$'w1 --runs 3\nw2 --runs 3\nlatency --runs 3'
# Output: one JSON line per run, prefixed with the build ("base" or "new") and the round; CPU seconds per invocation as
# "cpu" lines, for ../2026-12-05-route/summarize.py. Build both first: dotnet build -c Release src/ActorPubSub.Bench (in each tree).
OUT=${OUT:-/tmp/cross-build-ab.jsonl}
BASE=${BASE:-/tmp/base-src}
NEW=${NEW:-$(pwd)}
for round in $(seq 1 "${ROUNDS:-2}"); do
  if [ $((round % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for build in $order; do
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
