#!/usr/bin/env bash
# Stops exactly the broker that start.sh recorded in .run/<instance>.pid (TERM, then KILL
# after 30 s) and removes the PID file. `--wipe` also deletes its data directory.
# Honours KAFKA_INSTANCE like start.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
NAME=${KAFKA_INSTANCE:-kafka}
PIDFILE=.run/$NAME.pid
wipe=0
[ "${1:-}" = "--wipe" ] && wipe=1

pid=$(cat "$PIDFILE" 2>/dev/null || true)
# Only signal the PID if it is still our broker (a stale file may name a reused PID).
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka'; then
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "kafka: pid $pid did not stop within 30s, killing" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "kafka: stopped pid $pid"
else
  echo "kafka: not running"
fi
rm -f "$PIDFILE"
if [ "$wipe" = 1 ]; then
  rm -rf ".run/$NAME-data" ".run/$NAME.lock" ".run/$NAME.properties" ".run/$NAME-log4j.properties" ".run/$NAME-log4j2.properties" ".run/$NAME.log"
  echo "kafka: wiped .run/$NAME-data"
fi
