#!/usr/bin/env bash
# Installs Debian's docker-compose (Compose v1, Python) so CI can validate docker-compose.yml
# with a real Compose parser (`docker-compose config`), which needs no Docker engine.
# Idempotent: does nothing when docker-compose is already on PATH.
set -euo pipefail

if command -v docker-compose >/dev/null 2>&1; then
  echo "docker-compose: already installed ($(docker-compose version --short 2>/dev/null || echo '?'))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "docker-compose: apt-get not found; install Debian's docker-compose package by hand" >&2
  exit 1
fi

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
# --no-install-recommends: the package recommends docker.io (the engine), which is not needed to parse.
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker-compose >/dev/null

echo "docker-compose: installed ($(docker-compose version --short 2>/dev/null || echo '?'))"
