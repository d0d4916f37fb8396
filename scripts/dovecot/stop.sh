#!/bin/sh
# Stops a Dovecot started by scripts/dovecot/start.sh <workdir>; removes the folder with --clean.
set -eu
WORK=${1:?usage: stop.sh <workdir> [--clean]}
DOVECOT=${DOVECOT:-/usr/sbin/dovecot}
if [ -f "$WORK/dovecot.conf" ]; then
  "$DOVECOT" -c "$WORK/dovecot.conf" stop 2>/dev/null || true
fi
if [ "${2:-}" = "--clean" ]; then
  rm -rf "$WORK"
fi
