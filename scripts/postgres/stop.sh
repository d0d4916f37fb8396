#!/bin/sh
# Stops a PostgreSQL started by scripts/postgres/start.sh <workdir>; removes the folder with --clean.
set -eu
WORK=${1:?usage: stop.sh <workdir> [--clean]}
if [ -z "${PG_BIN:-}" ]; then
  if command -v pg_ctl >/dev/null 2>&1; then
    PG_BIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
  else
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
fi
if [ -f "$WORK/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$(stat -c %U "$WORK/data")" -- "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true
  else
    "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
fi
if [ "${2:-}" = "--clean" ]; then
  rm -rf "$WORK"
fi
