#!/bin/bash
# ab.sh A B rounds args...
A=$1; B=$2; R=$3; shift 3
for round in $(seq $R); do
 for c in $A $B; do
  cd /tmp/bis/$c
  timeout -s KILL 200 dotnet src/ActorPubSub.Bench/bin/Release/net10.0/ActorPubSub.Bench.dll "$@" --json --no-progress 2>/dev/null | python3 -c "
import sys,json
v=[int(json.loads(l)['end_to_end_per_second']) for l in sys.stdin if l.startswith('{')]
print('$round $c', '$(cut -d' ' -f1 /proc/loadavg)', v)"
 done
done
