#!/usr/bin/env bash
# Installs, from Debian's packages, the real tools that check the deployment files in CI:
#   docker-compose          Compose v1 (Python): `docker-compose config` parses and validates
#                           docker-compose.yml against its schema; it needs no Docker engine.
#   prometheus-alertmanager `amtool check-config` for deployment/alertmanager/alertmanager.yml.
#   logrotate               runs deployment/logrotate/jarvis on a temporary directory.
#   ShellCheck              lints deploy.sh and the deployment scripts.
#   ufw                     `ufw --dry-run` parses each rule of deployment/firewall/ufw.sh (nothing is applied).
#   bubblewrap              runs the image's final stage on a read-only root as its user, without Docker.
#   curl, jq                run the operator guide's examples (test/deployment/docs.e2e.test.ts).
# (promtool: scripts/prometheus/install.sh; hadolint: scripts/hadolint/install.sh.)
# Idempotent: installs only what is missing; packaged services are kept from starting.
set -euo pipefail

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v logrotate >/dev/null 2>&1 || [ -x /usr/sbin/logrotate ] || missing+=(logrotate)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v ufw >/dev/null 2>&1 || [ -x /usr/sbin/ufw ] || missing+=(ufw)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "deployment tools: already installed"
  exit 0
fi

# shellcheck source=scripts/lib/apt-install.sh
. "$(dirname "$0")/../lib/apt-install.sh"
# Without recommends: docker-compose recommends docker.io (the engine), not needed to parse.
apt_install "deployment tools" "${missing[@]}"

echo "deployment tools: installed ${missing[*]}"
