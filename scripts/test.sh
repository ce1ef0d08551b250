#!/usr/bin/env bash
# The one test command (`npm test`): type check, lint, then every test under test/.
# Starts the services the tests need (a real Kafka broker unless KAFKA_BROKERS is set)
# and stops exactly what it started. `--unit` runs only *.unit.test.ts without services.
set -euo pipefail
cd "$(dirname "$0")/.."

unit_only=0
[ "${1:-}" = "--unit" ] && unit_only=1

npm run --silent typecheck
npm run --silent lint

cleanup() {
  local rc=$?
  for stop in "${STOPS[@]:-}"; do [ -n "$stop" ] && bash -c "$stop" || true; done
  exit $rc
}
STOPS=()
trap cleanup EXIT

if [ "$unit_only" = 1 ]; then
  mapfile -t files < <(find test -name '*.unit.test.ts' | sort)
else
  if [ -z "${KAFKA_BROKERS:-}" ]; then
    bash scripts/kafka/start.sh
    STOPS+=("bash scripts/kafka/stop.sh")
    export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}
  fi
  for setup in scripts/test-setup.d/*.sh; do
    [ -e "$setup" ] || continue
    # each setup script prints the command that undoes it on its last line
    undo=$(bash "$setup" | tail -n 1)
    STOPS+=("$undo")
  done
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi

export NODE_ENV=test
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=300000 "${files[@]}"
