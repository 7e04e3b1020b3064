# Two commands do everything on a fresh machine: `make demo` (main job) and `make test`.
.PHONY: setup demo test test-fast lint bench

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/assistant demo

test: setup
	bash scripts/test.sh

test-fast:
	.venv/bin/pytest -q -m "not integration and not e2e"

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
