from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.container import Container
from api.main import create_app
from assistant.auth import service as auth_service
from assistant.auth.roles import Role
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"
DEMO_DIR = REPO / "demo" / "project"
# Read before the autouse fixture clears ASSISTANT_* variables: where the set-up put the joined model.
MODEL_CACHE_DIR = Path(
    os.environ.get("ASSISTANT_CACHE_DIR") or Path.home() / ".cache" / "requirements-assistant"
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ASSISTANT_* variables must not change what the tests see."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_") and key not in {
            "ASSISTANT_TEST_CHROMA_URL",
            "ASSISTANT_TEST_DATABASE_URL",
        }:
            monkeypatch.delenv(key, raising=False)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "cache_dir": tmp_path / "cache",
        "embeddings_provider": "fake",
        "llm_provider": "fake",
        # The scripted model answers what a test queued; a background risk scan must not take those replies.
        "risk_auto_scan": False,
        # Each scripted reply answers the register question; the screen's yes/no questions before it have their
        # own tests (tests/risks/test_scan_screen.py), which turn it back on.
        "risk_scan_screen": False,
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def chat_model() -> ScriptedChatModel:
    return ScriptedChatModel()


@pytest.fixture
def container(settings: Settings, chat_model: ScriptedChatModel) -> Iterator[Container]:
    c = Container(settings, embeddings=HashingEmbeddings(), chat_model=chat_model)
    yield c
    c.close()


TEST_OWNER = "tester"  # the owner of the admin key every `client` request carries


def admin_headers(container: Container, owner: str = TEST_OWNER) -> dict[str, str]:
    created = auth_service.create_key(container.sessions, name=f"{owner} key", owner=owner, role=Role.admin)
    return {"Authorization": f"Bearer {created.key}"}


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """The API as an admin key sees it (authentication is on, as by default)."""
    with TestClient(create_app(container=container), headers=admin_headers(container)) as c:
        yield c


def wait_for_job(client: TestClient, job_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/jobs/{job_id}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {body}")
