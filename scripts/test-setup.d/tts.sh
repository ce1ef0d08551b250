#!/usr/bin/env bash
# Test setup for the speech tests: installs espeak-ng, ffmpeg and Piper with its voice
# (idempotent, quick when already installed). Nothing keeps running, so the undo is `true`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/tts/install.sh >&2
echo true
