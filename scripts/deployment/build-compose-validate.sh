#!/usr/bin/env bash
# Builds .tools/compose-validate: Docker Compose v2's own loader (compose-spec/compose-go, from
# the Go module proxy, pinned in scripts/deployment/compose-validate/go.sum) behind a small
# command that prints the resolved project as JSON. Idempotent: rebuilds only when the sources
# changed. Prints the binary's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/../.."

src=scripts/deployment/compose-validate
bin=.tools/compose-validate
if [ -x "$bin" ] && [ -z "$(find "$src" -newer "$bin" -type f)" ]; then
  echo "compose-validate: up to date" >&2
else
  command -v go >/dev/null 2>&1 || { echo "compose-validate: Go is required (https://go.dev/dl/)" >&2; exit 1; }
  mkdir -p .tools/go
  (cd "$src" && GOMODCACHE="$PWD/../../../.tools/go/mod" GOCACHE="$PWD/../../../.tools/go/cache" GOFLAGS=-mod=readonly \
    go build -trimpath -o "../../../$bin" .)
  echo "compose-validate: built with $(go version | cut -d' ' -f3)" >&2
fi
echo "$PWD/$bin"
