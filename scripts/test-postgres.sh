#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the test suite (installing Debian's package if it is
# missing) and prints the line to eval: export GRIDLINK_TEST_POSTGRES_URL=...
# Nothing is printed on stdout but that line; progress goes to stderr.
set -euo pipefail

port="${GRIDLINK_TEST_POSTGRES_PORT:-55432}"
home="${GRIDLINK_TEST_POSTGRES_DIR:-${TMPDIR:-/tmp}/gridlink-test-postgres}"
url="postgresql+asyncpg://gridlink@127.0.0.1:${port}/postgres"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

bin="$(find_bin)"
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)." >&2
    exit 1
  fi
  echo "Installing PostgreSQL from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  bin="$(find_bin)"
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if as_owner "$bin/pg_ctl" -D "$home/data" status >/dev/null 2>&1; then
  echo "export GRIDLINK_TEST_POSTGRES_URL='$url'"
  exit 0
fi

rm -rf "$home"
mkdir -p "$home"
[ "$(id -u)" -eq 0 ] && chown postgres: "$home"
as_owner "$bin/initdb" -D "$home/data" -U gridlink --auth=trust -E UTF8 --locale=C.UTF-8 >&2
# Durability is not wanted for throwaway test data: fsync off makes the suite much faster.
as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w start -o \
  "-p $port -k $home -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
echo "export GRIDLINK_TEST_POSTGRES_URL='$url'"
