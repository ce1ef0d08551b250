# shellcheck shell=bash
# Sourced by the install scripts: `apt_install LABEL PACKAGE…` installs Debian packages the way
# every project script needs it — as root or through sudo, waiting for the dpkg lock (several
# scripts may install at once), without recommended extras, and without starting the packages'
# own services (a policy-rc.d that answers 101 while the install runs).

apt_install() {
  local label=$1
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$label: apt-get not found; install $* by hand" >&2
    return 1
  fi
  local sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod 755 "$policy"
    own_policy=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq || rc=$?
  if [ "$rc" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
  fi
  [ "$own_policy" = 1 ] && "${sudo_cmd[@]}" rm -f "$policy"
  return "$rc"
}
