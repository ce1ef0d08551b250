#!/usr/bin/env bash
# Installs Debian's nginx (and openssl, envsubst) for the nginx end-to-end test and for a manual
# deployment. Idempotent: does nothing when nginx, openssl and envsubst are already on PATH.
# The package's own service is kept from starting: the tests run their own nginx on loopback
# ports under a temporary prefix, and a stray root nginx on port 80 is not wanted here.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 && command -v envsubst >/dev/null 2>&1; then
  echo "nginx: already installed ($(nginx -v 2>&1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "nginx: apt-get not found; install nginx, openssl and gettext-base (envsubst) by hand" >&2
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
# Other project scripts may be installing packages at the same time: wait for the dpkg lock.
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nginx openssl gettext-base >/dev/null

echo "nginx: installed ($(nginx -v 2>&1))"
