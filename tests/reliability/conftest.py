"""The figures of docs/reliability.md: each test records what it measured (before asserting, so a failing run
still says how far off it was). ``bench/reliability.py`` sets RELIABILITY_FIGURES to a file and prints them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

FIGURES_ENV = "RELIABILITY_FIGURES"

Record = Callable[[str, int], None]


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Record:
    """``figures(name, value)`` appends one JSON line to the file RELIABILITY_FIGURES names (if any)."""

    def record(name: str, value: int) -> None:
        path = os.environ.get(FIGURES_ENV)
        if path:
            line = {"figure": name, "value": value, "test": request.node.nodeid}
            with Path(path).open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")

    return record
