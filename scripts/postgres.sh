#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 for the contract tests and print the URL to use:
#   eval "$(bash scripts/postgres.sh)"
# Installs Debian's postgresql if missing (needs root), initialises a trust-auth cluster
# in $VCSERVICE_PG_DIR (default /tmp/vcservice-pg), starts it on 127.0.0.1 at
# $VCSERVICE_PG_PORT (default 54329, or the next free port) and creates vcservice_test.
# Idempotent: a cluster already running there is reused. Only the export goes to stdout.
set -euo pipefail

B=/usr/lib/postgresql/15/bin
DIR=${VCSERVICE_PG_DIR:-/tmp/vcservice-pg}
PORT=${VCSERVICE_PG_PORT:-54329}
DB=vcservice_test

log() { echo "postgres.sh: $*" >&2; }
as_postgres() { runuser -u postgres -- "$@"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cd /tmp # the postgres user cannot enter every working directory

if [[ ! -x $B/pg_ctl ]]; then
  log "installing PostgreSQL 15 from Debian"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2
fi

if as_postgres "$B/pg_ctl" status -D "$DIR" >/dev/null 2>&1; then
  PORT=$(sed -n 4p "$DIR/postmaster.pid")
  log "already running on port $PORT"
else
  if [[ ! -s $DIR/PG_VERSION ]]; then
    log "initialising $DIR"
    mkdir -p "$DIR"
    chown postgres:postgres "$DIR"
    chmod 700 "$DIR"
    as_postgres "$B/initdb" -D "$DIR" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >&2
  fi
  for _ in $(seq 20); do
    port_in_use "$PORT" || break
    log "port $PORT is taken, trying $((PORT + 1))"
    PORT=$((PORT + 1))
  done
  port_in_use "$PORT" && { log "no free port found"; exit 1; }
  log "starting on 127.0.0.1:$PORT (log: $DIR/server.log)"
  as_postgres "$B/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" start >&2
fi

exists=$(as_postgres "$B/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$DB'")
if [[ $exists != 1 ]]; then
  log "creating database $DB"
  as_postgres "$B/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2
fi

echo "export VCSERVICE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/$DB"
