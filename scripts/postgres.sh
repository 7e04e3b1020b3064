#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL for the tests: `postgres.sh start DIR` prints its SQLAlchemy URL.
# Installs Debian's postgresql package when it is missing (needs root, as on CI machines).
set -euo pipefail
action=$1
dir=$2
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

if [ "$action" = stop ]; then
  bin=$(pgbin)
  [ -n "$bin" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true
  exit 0
fi

if [ -z "$(pgbin)" ]; then
  command -v apt-get >/dev/null || { echo "no apt-get to install postgresql" >&2; exit 1; }
  echo "installing postgresql (Debian package)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
fi
bin=$(pgbin)
id postgres >/dev/null 2>&1 || { echo "no postgres user" >&2; exit 1; }
mkdir -p "$dir"
chmod 755 "$(dirname "$dir")" "$dir"
chown postgres "$dir"
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -h 127.0.0.1 -c fsync=off" start >/dev/null
runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" assistant_test
echo "postgresql+psycopg://postgres@127.0.0.1:$port/assistant_test"
