#!/usr/bin/env bash
# Host firewall for a Jarvis server, with UFW (the seed's rules, plus SSH rate limiting):
# deny everything incoming except SSH, HTTP (for the redirect and ACME) and HTTPS.
# The API (8000), its metrics (9464), Kafka, Prometheus, Grafana and Jaeger stay private.
#
#   sudo deployment/firewall/ufw.sh                 apply the rules and enable UFW
#   sudo deployment/firewall/ufw.sh --block IP      emergency: refuse an address or CIDR first
#   deployment/firewall/ufw.sh --dry-run [...]      print the commands instead of running them
#   --ssh-port N                                    SSH on another port (default: 22)
#
# Idempotent: UFW skips rules it already has. Run it from the console or keep your SSH session
# open until you have checked a second login: a wrong SSH port locks you out.
# Note: Docker publishes ports through its own iptables chains, ahead of UFW's; that is why
# docker-compose.yml publishes only nginx on 80/443 and binds every UI to 127.0.0.1.
set -euo pipefail

DRY_RUN=0 SSH_PORT=22 BLOCK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --ssh-port) SSH_PORT="${2:?--ssh-port needs a number}"; shift ;;
    --block) BLOCK="${2:?--block needs an address or CIDR}"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "ufw.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if ! [[ "$SSH_PORT" =~ ^[0-9]{1,5}$ ]] || [ "$SSH_PORT" -lt 1 ] || [ "$SSH_PORT" -gt 65535 ]; then
  echo "ufw.sh: --ssh-port must be 1..65535" >&2
  exit 2
fi

run() {
  if [ "$DRY_RUN" = 1 ]; then echo "ufw $*"; else ufw "$@"; fi
}

if [ "$DRY_RUN" = 0 ]; then
  command -v ufw >/dev/null 2>&1 || { echo "ufw.sh: ufw is not installed: sudo apt-get install ufw" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || { echo "ufw.sh: run as root (sudo)" >&2; exit 1; }
fi

if [ -n "$BLOCK" ]; then
  ipv4='^([0-9]{1,3}\.){3}[0-9]{1,3}(/([0-9]|[12][0-9]|3[0-2]))?$'
  ipv6='^[0-9A-Fa-f:]+(/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))?$'
  if ! [[ "$BLOCK" =~ $ipv4 || ( "$BLOCK" == *:* && "$BLOCK" =~ $ipv6 ) ]]; then
    echo "ufw.sh: --block needs an IPv4/IPv6 address or CIDR, got '$BLOCK'" >&2
    exit 2
  fi
  # Rule 1: ahead of the allow rules. The API's own block list (POST /admin/ip-blocks) is
  # the finer tool; this one stops the traffic before nginx.
  run insert 1 deny from "$BLOCK"
  exit 0
fi

run default deny incoming
run default allow outgoing
# limit: refuse an address that opens 6 or more connections within 30 seconds (brute force).
run limit "$SSH_PORT/tcp" comment "ssh"
run allow 80/tcp comment "http: redirect to https, ACME challenge"
run allow 443/tcp comment "https: nginx in front of the Jarvis API"
run --force enable
run status verbose
