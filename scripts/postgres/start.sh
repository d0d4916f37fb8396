#!/bin/sh
# Starts a private PostgreSQL server for tests and benchmarks: loopback only, trust authentication
# for the role "tidings", data under a temporary folder. Prints the server's URL on stdout
# (postgres://tidings@127.0.0.1:<port>/postgres); create databases on it as needed.
#
# Usage: scripts/postgres/start.sh [workdir]
#   workdir        folder to use (created if missing); default: a new mktemp -d folder
#   PG_PORT=<n>    port to use (default: a free one)
#   PG_FSYNC=on    keep fsync on (default off: a test server need not survive a power cut)
#   PG_BIN=<dir>   where initdb/pg_ctl/postgres are (default: found on PATH or in
#                  /usr/lib/postgresql/<newest>/bin)
# Stop with scripts/postgres/stop.sh <workdir> [--clean].
#
# initdb, pg_ctl and postgres refuse to run as root: as root they run as an unprivileged account
# (PG_USER, default nobody) that owns the folder.
set -eu

if [ -z "${PG_BIN:-}" ]; then
  if command -v initdb >/dev/null 2>&1; then
    PG_BIN=$(dirname "$(readlink -f "$(command -v initdb)")")
  else
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL not found (apt-get install -y postgresql)" >&2
  exit 3
fi

WORK=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tidings-postgres.XXXXXX")}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

if [ "$(id -u)" = 0 ]; then
  RUN_AS="runuser -u ${PG_USER:-nobody} --"
  chown "${PG_USER:-nobody}:" "$WORK"
  # The account must be able to reach the folder through its parents (mktemp makes it 0700).
  chmod 0755 "$WORK"
else
  RUN_AS=""
fi

if [ ! -f "$WORK/data/PG_VERSION" ]; then
  $RUN_AS "$PG_BIN/initdb" -D "$WORK/data" -U tidings --auth=trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$WORK/initdb.log" 2>&1 || {
    echo "initdb failed; see $WORK/initdb.log:" >&2
    tail -n 20 "$WORK/initdb.log" >&2
    exit 1
  }
fi

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

attempt=0
while :; do
  attempt=$((attempt + 1))
  PORT=${PG_PORT:-$(free_port)}
  # Socket in the work folder (not /var/run/postgresql), TCP on loopback only. max_connections
  # covers a test run's many servers, each with a small pool.
  if $RUN_AS "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/postgres.log" -w -t 30 \
    -o "-k $WORK -p $PORT -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=400 -c shared_buffers=128MB" \
    start >/dev/null 2>&1; then
    echo "$PORT" >"$WORK/port"
    echo "postgres://tidings@127.0.0.1:$PORT/postgres"
    exit 0
  fi
  if [ -n "${PG_PORT:-}" ] || [ $attempt -ge 5 ]; then
    echo "postgres failed to start; see $WORK/postgres.log:" >&2
    tail -n 20 "$WORK/postgres.log" >&2 || true
    exit 1
  fi
done
