#!/usr/bin/env bash
# Starts a throwaway Redis for the tests of several instances (installing Debian's package if
# it is missing) and prints the line to eval: export GRIDLINK_TEST_REDIS_URL=...
# Nothing is printed on stdout but that line; progress goes to stderr.
set -euo pipefail

port="${GRIDLINK_TEST_REDIS_PORT:-56379}"
home="${GRIDLINK_TEST_REDIS_DIR:-${TMPDIR:-/tmp}/gridlink-test-redis}"
url="redis://127.0.0.1:${port}/0"

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Redis is not installed and installing it needs root (apt-get install redis-server)." >&2
    exit 1
  fi
  echo "Installing Redis from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends redis-server >&2
fi

if redis-cli -p "$port" ping >/dev/null 2>&1; then
  echo "export GRIDLINK_TEST_REDIS_URL='$url'"
  exit 0
fi

mkdir -p "$home"
# Nothing the tests keep needs to outlive the server: no snapshots, no append-only file.
redis-server --port "$port" --bind 127.0.0.1 --dir "$home" --save '' --appendonly no \
  --daemonize yes --logfile "$home/server.log" --pidfile "$home/redis.pid" >&2
for _ in $(seq 1 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null
echo "export GRIDLINK_TEST_REDIS_URL='$url'"
