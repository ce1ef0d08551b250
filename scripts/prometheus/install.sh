#!/usr/bin/env bash
# Installs Prometheus and promtool from Debian's `prometheus` package (the real thing the
# alert and dashboard tests run against). Idempotent: does nothing when both are on PATH.
# Grafana is not packaged in Debian; dashboards are checked by running their queries instead.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "prometheus: already installed ($(prometheus --version 2>&1 | head -n 1))"
  exit 0
fi

# shellcheck source=scripts/lib/apt-install.sh
. "$(dirname "$0")/../lib/apt-install.sh"
# The package recommends node-exporter and friends, which are not needed; its service is not
# started (the tests run their own Prometheus on a temporary port).
apt_install prometheus prometheus

echo "prometheus: installed ($(prometheus --version 2>&1 | head -n 1))"
