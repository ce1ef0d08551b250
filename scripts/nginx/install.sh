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

# shellcheck source=scripts/lib/apt-install.sh
. "$(dirname "$0")/../lib/apt-install.sh"
apt_install nginx nginx openssl gettext-base

echo "nginx: installed ($(nginx -v 2>&1))"
