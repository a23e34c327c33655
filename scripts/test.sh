#!/usr/bin/env bash
# Install what the tests need and run them: the whole suite on SQLite, then again on
# PostgreSQL (a throw-away server started here), plus migrations and lint checks.
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

log() { printf '\n== %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

log "Python environment"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e ".[test]"

apt_install chromium postgresql fonts-noto-cjk libreoffice-writer-nogui libreoffice-calc-nogui
export KECHUANG_CHROMIUM=${KECHUANG_CHROMIUM:-/usr/bin/chromium}

DBS=${KECHUANG_TEST_DBS:-sqlite postgresql}   # which databases to run the suite on

if [ -z "${KECHUANG_SKIP_LINT:-}" ]; then
  log "lint and migrations"
  ruff check kechuang tests
  KECHUANG_VAR_DIR="$ROOT/var/ci" kechuang makemigrations --check --dry-run
  KECHUANG_VAR_DIR="$ROOT/var/ci" kechuang check
fi

if [[ " $DBS " == *" sqlite "* ]]; then
  log "tests on SQLite"
  unset KECHUANG_DATABASE_URL
  python -m pytest "$@"
fi

if [[ " $DBS " != *" postgresql "* ]]; then
  log "all checks passed"
  exit 0
fi

log "starting a throw-away PostgreSQL"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=$(mktemp -d /tmp/kechuang-pg.XXXXXX)
PGPORT=${KECHUANG_TEST_PGPORT:-55432}
chown postgres "$PGDATA" 2>/dev/null || true
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
run_pg "$PGBIN/initdb -D $PGDATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
run_pg "$PGBIN/pg_ctl -D $PGDATA -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' -l $PGDATA/server.log -w start >/dev/null"
trap 'run_pg "$PGBIN/pg_ctl -D $PGDATA -m fast stop" >/dev/null 2>&1 || true; rm -rf "$PGDATA"' EXIT
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE ROLE kechuang LOGIN CREATEDB PASSWORD 'kechuang'"
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE DATABASE kechuang OWNER kechuang"

log "tests on PostgreSQL"
export KECHUANG_DATABASE_URL="postgres://kechuang:kechuang@127.0.0.1:$PGPORT/kechuang"
python -m pytest "$@"

log "all checks passed"
