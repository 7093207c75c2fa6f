#!/bin/bash
for round in 1 2 3; do for c in 9bef38f 13c9bc0 e930d23 72c3005 main; do
  cd /tmp/bis/$c
  timeout -s KILL 200 dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll w1 --runs 1 --count 1000000 --json --no-progress 2>/dev/null | python3 -c "
import sys,json
v=[int(json.loads(l)['end_to_end_per_second']) for l in sys.stdin if l.startswith('{')]
print('$round $c', '$(cut -d' ' -f1 /proc/loadavg)', v)"
done; done
