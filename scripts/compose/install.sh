#!/usr/bin/env bash
# Installs the validators for the docker-compose stack's files, from Debian's packages:
#   docker-compose          Compose v1 (Python): `docker-compose config` parses and validates
#                           docker-compose.yml against its schema; it needs no Docker engine.
#   prometheus-alertmanager for `amtool check-config` on deployment/alertmanager/alertmanager.yml.
# (promtool comes from scripts/prometheus/install.sh.) Idempotent: installs only what is missing,
# and keeps the packaged Alertmanager service from starting.
set -euo pipefail

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "compose validators: already installed (docker-compose $(docker-compose version --short 2>/dev/null), $(amtool --version 2>&1 | head -n 1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "compose validators: apt-get not found; install ${missing[*]} by hand" >&2
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

echo "compose validators: installed ${missing[*]}"
