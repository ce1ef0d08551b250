#!/usr/bin/env bash
# Jarvis API deployment helper.
#
#   ./deploy.sh --docker --domain your-domain.com --email admin@your-domain.com
#   ./deploy.sh --check-only [--docker] [--domain D]
#   ./deploy.sh --domain D --email E            (manual/systemd install: secrets + next steps)
#
# What it does, in order:
#   1. checks the requirements (openssl; docker + compose with --docker; certbot with --domain);
#   2. writes the env file (default deployment/.env, mode 600) from deployment/.env.example,
#      generating every missing secret: a 64-byte JWT secret, the production and mobile API
#      keys and the admin key. The keys are printed once, when generated. With --docker, also
#      deployment/grafana.env (mode 600): Grafana's admin password, which only Grafana receives.
#      A GRAFANA_ADMIN_PASSWORD left in the env file by an older version is moved there;
#   3. refuses weak or missing settings (short or placeholder secrets, duplicate keys, …);
#   4. obtains a Let's Encrypt certificate with certbot when there is none (or explains how);
#   5. with --docker: builds and starts the stack (docker-compose.yml) and waits for /health.
# Running it again changes nothing that exists: present values are kept, keys are not shown again.
#
# Options:
#   --docker          deploy with Docker Compose
#   --domain D        public host name (nginx server_name, certificate, JARVIS_TRUSTED_HOSTS)
#   --email E         e-mail for Let's Encrypt expiry notices
#   --env-file PATH   env file to create or complete (default: deployment/.env)
#   --check-only      check requirements and the env file; change nothing
#   --dry-run         print the certbot, docker and health-check commands instead of running them
#                     (the env file is still written)
#   -h, --help        this text
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXAMPLE="$ROOT/deployment/.env.example"
ENV_FILE="$ROOT/deployment/.env"
# Fixed, not beside --env-file: docker-compose.yml names this path for the grafana service.
GRAFANA_ENV="$ROOT/deployment/grafana.env"
LETSENCRYPT_DIR="${JARVIS_LETSENCRYPT_DIR:-/etc/letsencrypt}"
DOCKER=0 CHECK_ONLY=0 DRY_RUN=0 DOMAIN="" EMAIL=""
ERRORS=0

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; ERRORS=$((ERRORS + 1)); }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --docker) DOCKER=1 ;;
    --domain) DOMAIN="${2:?--domain needs a value}"; shift ;;
    --email) EMAIL="${2:?--email needs a value}"; shift ;;
    --env-file) ENV_FILE="${2:?--env-file needs a path}"; shift ;;
    --check-only) CHECK_ONLY=1 ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
  shift
done

# Runs an external step, or only shows it with --dry-run.
step() {
  if [ "$DRY_RUN" = 1 ]; then say "[dry-run] $*"; else "$@"; fi
}

# ---- env file helpers: NAME=value lines, no quoting, edited atomically with mode 600 ----------
# Each takes the file last, $ENV_FILE when omitted.
get_var() {
  local file="${2:-$ENV_FILE}" line
  [ -f "$file" ] || return 0
  line="$(grep -E "^$1=" "$file" | tail -n 1 || true)"
  line="${line#*=}"
  line="${line%\"}"; line="${line#\"}"
  printf '%s' "$line"
}

# The value exactly as written, quotes and all: for moving a line to another file Compose reads alike.
get_raw() {
  local file="${2:-$ENV_FILE}" line
  [ -f "$file" ] || return 0
  line="$(grep -E "^$1=" "$file" | tail -n 1 || true)"
  printf '%s' "${line#*=}"
}

set_var() {
  local name="$1" value="$2" file="${3:-$ENV_FILE}" tmp
  [ -f "$file" ] || : >"$file"
  tmp="$(mktemp "$file.XXXXXX")"
  # ENVIRON, not awk -v, which would read backslashes in the value as escapes.
  n="$name" v="$value" awk '
    BEGIN { n = ENVIRON["n"]; v = ENVIRON["v"] }
    index($0, n "=") == 1 { if (!done) print n "=" v; done = 1; next }
    { print }
    END { if (!done) print n "=" v }' "$file" >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$file"
}

# Deletes every NAME= line, and the line just above one when it is COMMENT exactly.
del_var() {
  local name="$1" comment="$2" file="${3:-$ENV_FILE}" tmp
  tmp="$(mktemp "$file.XXXXXX")"
  n="$name" c="$comment" awk '
    BEGIN { n = ENVIRON["n"]; c = ENVIRON["c"] }
    index($0, n "=") == 1 { if (held && prev != c) print prev; held = 0; next }
    { if (held) print prev; prev = $0; held = 1 }
    END { if (held) print prev }' "$file" >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$file"
}

# 64 URL-safe characters: no quoting needed in env files, headers or shells.
new_key() { openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n'; }
# The seed's recipe: 64 random bytes, base64 (88 characters).
new_jwt_secret() { openssl rand -base64 64 | tr -d '\n'; }

# ---- 1. requirements ----------------------------------------------------------------------------
COMPOSE=()
check_requirements() {
  command -v openssl >/dev/null 2>&1 || fail "openssl is required to generate secrets (apt-get install openssl)"
  [ -f "$EXAMPLE" ] || fail "missing $EXAMPLE (run from a checkout of the repository)"
  if [ -n "$DOMAIN" ] && ! [[ "$DOMAIN" =~ ^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$ ]]; then
    fail "--domain '$DOMAIN' is not a host name like your-domain.com"
  fi
  if [ -n "$EMAIL" ] && ! [[ "$EMAIL" =~ ^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$ ]]; then
    fail "--email '$EMAIL' is not an e-mail address"
  fi
  if [ "$DOCKER" = 1 ]; then
    if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
    elif command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose)
    elif [ "$DRY_RUN" = 1 ]; then COMPOSE=(docker compose); warn "Docker Compose not found (dry run: continuing)"
    else fail "Docker with the compose plugin is required for --docker (https://docs.docker.com/engine/install/)"
    fi
    if [ "$DRY_RUN" = 0 ] && [ "${#COMPOSE[@]}" -gt 0 ] && ! docker info >/dev/null 2>&1; then
      fail "the Docker engine is not reachable (is it running, and may this user use it?)"
    fi
    [ -n "$DOMAIN" ] || [ -n "$(get_var JARVIS_DOMAIN)" ] || fail "--docker needs --domain (nginx and the certificate are for that name)"
  fi
  if [ -n "$DOMAIN" ] && ! command -v certbot >/dev/null 2>&1 && ! has_certificate; then
    if [ "$DRY_RUN" = 1 ] || [ "$CHECK_ONLY" = 1 ]; then warn "certbot not found: install it with: sudo apt-get install certbot"
    else fail "certbot is required to obtain a certificate for $DOMAIN: sudo apt-get install certbot"
    fi
  fi
}

has_certificate() { [ -n "$DOMAIN" ] && [ -f "$LETSENCRYPT_DIR/live/$DOMAIN/fullchain.pem" ]; }

# ---- 3. refuse weak or missing settings ----------------------------------------------------------
weak() { [ "${#1}" -lt "$2" ] || [[ "$1" =~ ^(your-|change|example|secret|password|test|xxx) ]]; }

check_settings() {
  local jwt admin k1 k2 node_env mode
  [ -f "$ENV_FILE" ] || { fail "$ENV_FILE does not exist yet: run ./deploy.sh without --check-only to create it"; return; }
  mode="$(stat -c '%a' "$ENV_FILE")"
  [ "$mode" = 600 ] || [ "$mode" = 400 ] || fail "$ENV_FILE is readable by others (mode $mode): chmod 600 $ENV_FILE"
  jwt="$(get_var JARVIS_JWT_SECRET)"; admin="$(get_var JARVIS_ADMIN_KEY)"
  k1="$(get_var JARVIS_API_KEY_1)"; k2="$(get_var JARVIS_API_KEY_2)"; node_env="$(get_var NODE_ENV)"
  weak "$jwt" 64 && fail "JARVIS_JWT_SECRET is missing, shorter than 64 characters or a placeholder"
  weak "$admin" 32 && fail "JARVIS_ADMIN_KEY is missing, shorter than 32 characters or a placeholder"
  weak "$k1" 32 && fail "JARVIS_API_KEY_1 is missing, shorter than 32 characters or a placeholder"
  if [ -n "$k2" ] && weak "$k2" 32; then fail "JARVIS_API_KEY_2 is shorter than 32 characters or a placeholder"; fi
  if [ -n "$admin" ] && { [ "$admin" = "$k1" ] || [ "$admin" = "$k2" ]; }; then fail "the admin key must differ from the API keys"; fi
  if [ -n "$k1" ] && [ "$k1" = "$k2" ]; then fail "JARVIS_API_KEY_1 and JARVIS_API_KEY_2 are the same key"; fi
  [ "$node_env" = production ] || fail "NODE_ENV must be production in $ENV_FILE (it is '${node_env:-unset}')"
  if [ -n "$(get_var GRAFANA_ADMIN_PASSWORD)" ]; then
    fail "GRAFANA_ADMIN_PASSWORD is still in $ENV_FILE, which the API receives: run ./deploy.sh without --check-only to move it to $GRAFANA_ENV"
  elif [ "$DOCKER" = 1 ]; then
    check_grafana_env
  fi
  if [ "$DOCKER" = 1 ]; then
    [ -n "$(get_var JARVIS_DOMAIN)" ] || fail "JARVIS_DOMAIN is not set in $ENV_FILE"
  fi
  return 0
}

check_grafana_env() {
  local mode
  [ -f "$GRAFANA_ENV" ] || { fail "$GRAFANA_ENV (Grafana's admin password) does not exist yet: run ./deploy.sh --docker to create it"; return 0; }
  mode="$(stat -c '%a' "$GRAFANA_ENV")"
  [ "$mode" = 600 ] || [ "$mode" = 400 ] || fail "$GRAFANA_ENV is readable by others (mode $mode): chmod 600 $GRAFANA_ENV"
  weak "$(get_var GF_SECURITY_ADMIN_PASSWORD "$GRAFANA_ENV")" 20 && fail "GF_SECURITY_ADMIN_PASSWORD (Grafana's admin password) in $GRAFANA_ENV is missing or weak"
  return 0
}

# ---- 2. the env file -----------------------------------------------------------------------------
write_env() {
  umask 077
  if [ ! -f "$ENV_FILE" ]; then
    mkdir -p "$(dirname "$ENV_FILE")"
    cp "$EXAMPLE" "$ENV_FILE"
    chmod 600 "$ENV_FILE"
    say "Created $ENV_FILE (mode 600) from deployment/.env.example"
  fi
  move_grafana_password

  local current
  if [ -n "$DOMAIN" ]; then
    current="$(get_var JARVIS_DOMAIN)"
    if [ -n "$current" ] && [ "$current" != "$DOMAIN" ]; then
      die "$ENV_FILE already has JARVIS_DOMAIN=$current; edit it by hand to move to $DOMAIN"
    fi
    [ -n "$current" ] || set_var JARVIS_DOMAIN "$DOMAIN"
    [ -n "$(get_var JARVIS_TRUSTED_HOSTS)" ] || set_var JARVIS_TRUSTED_HOSTS "$DOMAIN"
    [ -n "$(get_var JARVIS_ALLOWED_ORIGINS)" ] || set_var JARVIS_ALLOWED_ORIGINS "https://$DOMAIN"
  fi
  if [ -n "$EMAIL" ] && [ -z "$(get_var JARVIS_ACME_EMAIL)" ]; then set_var JARVIS_ACME_EMAIL "$EMAIL"; fi

  local shown=()
  if [ -z "$(get_var JARVIS_JWT_SECRET)" ]; then set_var JARVIS_JWT_SECRET "$(new_jwt_secret)"; say "Generated JARVIS_JWT_SECRET"; fi
  local spec var label value
  for spec in "JARVIS_API_KEY_1:Production API Key" "JARVIS_API_KEY_2:Mobile API Key" "JARVIS_ADMIN_KEY:Admin Key"; do
    var="${spec%%:*}"; label="${spec#*:}"
    if [ -z "$(get_var "$var")" ]; then
      value="$(new_key)"
      set_var "$var" "$value"
      shown+=("$label: $value")
    fi
  done
  if [ "$DOCKER" = 1 ] && [ -z "$(get_var GF_SECURITY_ADMIN_PASSWORD "$GRAFANA_ENV")" ]; then
    set_var GF_SECURITY_ADMIN_PASSWORD "$(new_key)" "$GRAFANA_ENV"
    say "Generated Grafana's admin password (in $GRAFANA_ENV, mode 600)"
  fi

  if [ "${#shown[@]}" -gt 0 ]; then
    say ""
    say "Your API keys (shown only this once; they are stored in $ENV_FILE):"
    printf '%s\n' "${shown[@]}"
    say ""
  else
    say "Keys already exist in $ENV_FILE: kept, not shown again."
  fi
}

# Older versions kept Grafana's password in the env file, which the API and the projector receive.
# It moves, unchanged (Grafana keeps the password it first started with), before the line goes.
move_grafana_password() {
  grep -qE '^GRAFANA_ADMIN_PASSWORD=' "$ENV_FILE" || return 0
  local old current
  # Verbatim: Compose reads both files with the same parser, so Grafana keeps getting what it got,
  # also from a quoted value with a '#', escapes or a trailing comment.
  old="$(get_raw GRAFANA_ADMIN_PASSWORD)"
  current="$(get_raw GF_SECURITY_ADMIN_PASSWORD "$GRAFANA_ENV")"
  if [ -n "$old" ] && [ -n "$current" ] && [ "$old" != "$current" ]; then
    die "GRAFANA_ADMIN_PASSWORD in $ENV_FILE differs from GF_SECURITY_ADMIN_PASSWORD in $GRAFANA_ENV: keep the one Grafana uses in $GRAFANA_ENV, delete the line from $ENV_FILE, and run this again"
  fi
  if [ -n "$old" ] && [ -z "$current" ]; then set_var GF_SECURITY_ADMIN_PASSWORD "$old" "$GRAFANA_ENV"; fi
  del_var GRAFANA_ADMIN_PASSWORD "# Grafana's admin password (deploy.sh generates one). Default: unset."
  if [ -n "$old" ]; then
    say "Moved GRAFANA_ADMIN_PASSWORD from $ENV_FILE to $GRAFANA_ENV (same password, now GF_SECURITY_ADMIN_PASSWORD); the API no longer receives it"
  else
    say "Removed the empty GRAFANA_ADMIN_PASSWORD line from $ENV_FILE (Grafana's password belongs in $GRAFANA_ENV)"
  fi
}

# ---- 4. certificate --------------------------------------------------------------------------------
obtain_certificate() {
  [ -n "$DOMAIN" ] || return 0
  # Readable by nginx (another user in its container): not the 077 umask of the secrets.
  install -d -m 755 "$ROOT/deployment/certbot" "$ROOT/deployment/certbot/www"
  if has_certificate; then say "Certificate for $DOMAIN: present in $LETSENCRYPT_DIR/live/$DOMAIN"; return 0; fi
  local email="${EMAIL:-$(get_var JARVIS_ACME_EMAIL)}"
  if [ -z "$email" ]; then
    fail "no certificate for $DOMAIN and no --email for Let's Encrypt"
    return 0
  fi
  if ! command -v certbot >/dev/null 2>&1 && [ "$DRY_RUN" = 0 ]; then
    say "To obtain the certificate: sudo apt-get install certbot, then run this script again,"
    say "or: sudo certbot certonly --standalone -d $DOMAIN -m $email --agree-tos --non-interactive"
    fail "no certificate for $DOMAIN"
    return 0
  fi
  # Standalone: certbot answers the HTTP-01 challenge itself on port 80, before nginx runs.
  # Renewals then go through nginx's /.well-known/acme-challenge/ (see docs/deployment.md).
  say "Obtaining a certificate for $DOMAIN (port 80 must reach this host and be free)"
  step certbot certonly --standalone --non-interactive --agree-tos -m "$email" -d "$DOMAIN" \
    --config-dir "$LETSENCRYPT_DIR"
}

# ---- 5. the stack ------------------------------------------------------------------------------------
start_stack() {
  say "Starting the stack (docker-compose.yml)"
  step "${COMPOSE[@]}" -f "$ROOT/docker-compose.yml" --env-file "$ENV_FILE" up -d --build
  local domain="${DOMAIN:-$(get_var JARVIS_DOMAIN)}"
  if [ "$DRY_RUN" = 1 ]; then say "[dry-run] curl -fsS https://$domain/health"; return 0; fi
  local _
  for _ in $(seq 1 60); do
    if curl -fsS --max-time 5 "https://$domain/health" >/dev/null 2>&1; then say "https://$domain/health answers: deployed."; return 0; fi
    sleep 5
  done
  fail "https://$domain/health did not answer within 5 minutes: ${COMPOSE[*]} logs jarvis-api nginx"
}

# ---- main ----------------------------------------------------------------------------------------------
check_requirements
if [ "$CHECK_ONLY" = 1 ]; then
  [ -f "$ENV_FILE" ] && check_settings
  [ -f "$ENV_FILE" ] || say "$ENV_FILE: not created yet (./deploy.sh will create it)"
  if [ "$ERRORS" -gt 0 ]; then say "Check failed: $ERRORS problem(s)."; exit 1; fi
  say "Check passed: requirements met${DOMAIN:+ for $DOMAIN}."
  exit 0
fi
[ "$ERRORS" -eq 0 ] || die "requirements not met ($ERRORS problem(s)); nothing was changed"

write_env
check_settings
[ "$ERRORS" -eq 0 ] || die "refusing to deploy with weak or missing settings in $ENV_FILE"

if [ "$DOCKER" = 1 ]; then
  obtain_certificate
  [ "$ERRORS" -eq 0 ] || die "no certificate; nothing was started"
  start_stack
  [ "$ERRORS" -eq 0 ] || exit 1
else
  [ -z "$DOMAIN" ] || obtain_certificate
  say ""
  say "Next steps for a manual install (docs/deployment.md, 'Manual setup'):"
  say "  sudo install -d -m 700 /etc/jarvis && sudo install -m 600 $ENV_FILE /etc/jarvis/jarvis.env"
  say "  sudo cp deployment/systemd/jarvis-*.service /etc/systemd/system/ && sudo systemctl daemon-reload"
  say "  sudo systemctl enable --now jarvis-api        # and jarvis-projector when KAFKA_BROKERS is set"
  say "  JARVIS_DOMAIN=${DOMAIN:-your-domain.com} sudo -E scripts/nginx/render.sh /etc/nginx/conf.d && sudo nginx -t && sudo systemctl reload nginx"
fi
