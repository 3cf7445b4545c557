#!/usr/bin/env bash
# Start a throwaway Redis server on loopback for the test suite, installing Debian's package
# first when the machine lacks it. Prints the URL the tests read.
set -euo pipefail
PORT="${DLGRADE_REDIS_PORT:-63799}"
ROOT="${DLGRADE_REDIS_DIR:-/tmp/dlgrade-redis}"

if ! command -v redis-server >/dev/null 2>&1; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi
if ! redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
    mkdir -p "$ROOT"
    redis-server --bind 127.0.0.1 --port "$PORT" --dir "$ROOT" --save '' --appendonly no \
        --daemonize yes --logfile "$ROOT/log" --pidfile "$ROOT/pid" >/dev/null
    for _ in $(seq 1 50); do
        redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
fi
echo "redis://127.0.0.1:$PORT/0"
