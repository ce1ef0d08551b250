#!/usr/bin/env bash
# Installs the tools the deployment tests run for real (idempotent; nothing is started):
#   nginx          test/deployment/nginx.e2e.test.ts (scripts/nginx/install.sh)
#   compose-validate (Compose v2's loader), docker-compose (v1), amtool, promtool
#                  test/deployment/compose.int.test.ts (scripts/deployment/build-compose-validate.sh,
#                  scripts/deployment/install-tools.sh, scripts/prometheus/install.sh)
#   hadolint       test/deployment/dockerfile.int.test.ts (scripts/hadolint/install.sh)
#   bubblewrap, ufw, logrotate, ShellCheck
#                  test/deployment/{image-runtime,host-hardening,shell-scripts}.int.test.ts (install-tools.sh)
# The tests start and stop their own nginx, so there is nothing to undo: the last line is `true`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/nginx/install.sh >&2
bash scripts/deployment/install-tools.sh >&2
bash scripts/prometheus/install.sh >&2
bash scripts/hadolint/install.sh >/dev/null
bash scripts/deployment/build-compose-validate.sh >/dev/null
echo true
