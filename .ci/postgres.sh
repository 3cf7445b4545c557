#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite, installing Debian's
# package first when the machine lacks it. Prints the URL the tests read. Real servers started by
# the tests (a surge through several processes, workers) hold pools of their own beside the
# suite's, hence room for more connections than the default 100.
set -euo pipefail
PORT="${DLGRADE_PG_PORT:-54329}"
ROOT="${DLGRADE_PG_DIR:-/tmp/dlgrade-postgres}"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
id postgres >/dev/null 2>&1 || useradd --system --home "$ROOT" postgres

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! as_postgres "$BIN/pg_ctl" -D "$ROOT/data" status >/dev/null 2>&1; then
    rm -rf "$ROOT" && mkdir -p "$ROOT"
    [ "$(id -u)" = 0 ] && chown postgres "$ROOT"
    as_postgres "$BIN/initdb" -D "$ROOT/data" -U postgres -A trust >/dev/null
    as_postgres "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $ROOT -c fsync=off -c max_connections=400" start >/dev/null
    as_postgres "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres dlgrade_test
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/dlgrade_test"
