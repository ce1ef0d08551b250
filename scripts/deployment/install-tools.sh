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

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deployment tools: apt-get not found; install ${missing[*]} by hand" >&2
  exit 1
fi

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

# policy-rc.d answering 101 tells invoke-rc.d not to start services during this install.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  own_policy=1
fi
cleanup() { [ "$own_policy" = 1 ] && "${sudo_cmd[@]}" rm -f "$policy"; true; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
# --no-install-recommends: docker-compose recommends docker.io (the engine), not needed to parse.
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

echo "deployment tools: installed ${missing[*]}"
