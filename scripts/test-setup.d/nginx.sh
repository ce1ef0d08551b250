#!/usr/bin/env bash
# Installs the tools the deployment tests run for real (idempotent, nothing is started):
# Debian's nginx for test/deployment/nginx.e2e.test.ts, and Debian's docker-compose (a real
# Compose parser; no engine needed) for test/deployment/compose.int.test.ts.
# The tests start and stop their own nginx, so there is nothing to undo: the last line is `true`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/nginx/install.sh >&2
bash scripts/compose/install.sh >&2
echo true
