#!/usr/bin/env bash
# The whole test suite: fast tests with fakes, then integration tests against the real embedded models,
# a real Chroma server (`chroma run` from the chromadb package) and, when available, a real PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
tmp=$(mktemp -d)
cleanup() {
  [ -n "${CHROMA_PID:-}" ] && kill "$CHROMA_PID" 2>/dev/null || true
  [ -n "${PG_STARTED:-}" ] && bash scripts/postgres.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$($VENV/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
$VENV/chroma run --path "$tmp/chroma" --host 127.0.0.1 --port "$port" >"$tmp/chroma.log" 2>&1 &
CHROMA_PID=$!
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null 2>&1 && break
  sleep 0.5
done
export ASSISTANT_TEST_CHROMA_URL="http://127.0.0.1:$port"

if [ -f scripts/postgres.sh ] && url=$(bash scripts/postgres.sh start "$tmp/pg" 2>"$tmp/pg.log"); then
  PG_STARTED=1
  export ASSISTANT_TEST_DATABASE_URL="$url"
else
  echo "note: PostgreSQL not available; register tests run on SQLite only" >&2
fi

# The web app's end-to-end tests (tests/e2e) drive Debian's Chromium; CJK fonts for the Chinese screens.
if [ ! -x /usr/bin/chromium ]; then
  command -v apt-get >/dev/null || { echo "no apt-get to install chromium for tests/e2e" >&2; exit 1; }
  echo "==> installing Debian's chromium for the end-to-end tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) >&2
fi

$VENV/ruff check .
$VENV/ruff format --check .
$VENV/mypy
$VENV/pytest -q -p no:cacheprovider "$@"
