"""`make demo` says where to go and which key to sign in with, together, on every start."""

from __future__ import annotations

from api.cli import DEMO_PROJECT, _announce_demo
from api.cli_common import console
from api.container import Container
from assistant.auth import keys
from assistant.auth.service import ADMIN_KEY_FILE
from assistant.db import transaction


def announced(container: Container) -> str:
    with console.capture() as out:
        _announce_demo(container, "127.0.0.1", 8123)
    return " ".join(out.get().split())  # rich wraps long lines


def test_the_demo_prints_its_url_with_a_key_that_signs_in(container: Container) -> None:
    first = announced(container)
    assert f"http://127.0.0.1:8123/#/p/{DEMO_PROJECT}" in first
    key = (container.settings.data_dir / ADMIN_KEY_FILE).read_text(encoding="utf-8").strip()
    assert key in first
    with transaction(container.sessions) as session:
        assert keys.authenticate(session, key) is not None  # the printed key is a working admin key
    assert key in announced(container)  # and the next start shows the same key again


def test_without_the_key_file_the_demo_says_how_to_get_a_key(container: Container) -> None:
    announced(container)
    (container.settings.data_dir / ADMIN_KEY_FILE).unlink()
    assert "assistant keys create" in announced(container)
