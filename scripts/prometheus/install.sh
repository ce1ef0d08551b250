#!/usr/bin/env bash
# Installs Prometheus and promtool from Debian's `prometheus` package (the real thing the
# alert and dashboard tests run against). Idempotent: does nothing when both are on PATH.
# Grafana is not packaged in Debian; dashboards are checked by running their queries instead.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "prometheus: already installed ($(prometheus --version 2>&1 | head -n 1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "prometheus: apt-get not found; install Debian's 'prometheus' package (prometheus + promtool) by hand" >&2
  exit 1
fi

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

export DEBIAN_FRONTEND=noninteractive
# Other project scripts may be installing packages at the same time: wait for the dpkg lock.
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
# --no-install-recommends: the package recommends node-exporter and friends we do not need.
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends prometheus >/dev/null

# The package installs a systemd unit; a container usually has no systemd, and the tests start
# their own Prometheus on a temporary port, so a packaged service is neither needed nor started.
echo "prometheus: installed ($(prometheus --version 2>&1 | head -n 1))"
