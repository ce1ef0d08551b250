#!/usr/bin/env bash
# Test setup (run by scripts/test.sh): makes sure Debian's prometheus and promtool are
# installed for the alert-rule and real-Prometheus tests. Each test starts and stops its own
# Prometheus on a temporary port, so there is nothing to undo: the last line is `true`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/prometheus/install.sh >&2
echo true
