"""Fixtures of the register's tests: every database test runs on SQLite, and on PostgreSQL as well when
ASSISTANT_TEST_DATABASE_URL points at one (each test then gets its own schema, dropped afterwards)."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from api import cli_common
from api.container import Container
from api.main import create_app
from api.routes import risks as risk_routes
from assistant.db import make_engine, make_session_factory, migrate, transaction
from assistant.documents.models import Chunk, DocumentStatus
from assistant.documents.repository import create_document
from assistant.index.chunks import add_chunks, delete_chunks
from assistant.projects.repository import create_project
from assistant.providers.embeddings import HashingEmbeddings, NamedEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.risks.settings import RiskSettings
from assistant.settings import Settings
from assistant.text import tokenize
from tests.conftest import make_settings

PG_URL = os.environ.get("ASSISTANT_TEST_DATABASE_URL")
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)] if PG_URL else ["sqlite"]
HOOK_URL = "https://hooks.example/risk"


def _with_search_path(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'risks.db'}"
        return
    assert PG_URL is not None
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    migrate(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def project_id(sessions: sessionmaker[Session]) -> str:
    with transaction(sessions) as session:
        return create_project(session, name="华东精密 ERP+MES").id


@pytest.fixture
def rs() -> RiskSettings:
    # Thresholds for HashingEmbeddings (bag of tokens): the same statement reworded scores ~0.7-0.9 there.
    return RiskSettings(
        match_threshold=0.5,
        match_threshold_cross_category=0.85,
        scan_batch_size=3,
        scan_max_findings_per_call=3,
        scan_embed_weight=0.0,  # the hashing embedder says nothing about risk language: rules alone
        # The screen's yes/no questions have their own tests (test_scan_screen.py); here each scripted reply is
        # the register question's answer.
        scan_screen=False,
    )


@pytest.fixture
def scan_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def chat() -> ScriptedChatModel:
    return ScriptedChatModel()


@pytest.fixture
def embeddings() -> HashingEmbeddings:
    return HashingEmbeddings()


def add_document(
    sessions: sessionmaker[Session],
    project_id: str,
    file_name: str,
    texts: Sequence[str],
    *,
    pages: Sequence[int | None] | None = None,
    status: DocumentStatus = DocumentStatus.indexed,
    document_id: str | None = None,
) -> str:
    """An indexed document with one chunk per text (or a new version of an existing one)."""
    version = hashlib.sha256("\n".join(texts).encode()).hexdigest()
    with transaction(sessions) as session:
        if document_id is None:
            doc = create_document(
                session, project_id=project_id, file_name=file_name, size=sum(map(len, texts))
            )
        else:
            from assistant.documents.models import Document

            doc = session.get(Document, document_id)
            assert doc is not None
        chunks = [
            Chunk(
                id=f"{doc.id}:{version[:16]}:{i}",
                project_id=project_id,
                document_id=doc.id,
                version=version,
                position=i,
                text=t,
                tokens=" ".join(tokenize(t)),
                page=pages[i] if pages else None,
                section=None,
                char_start=0,
                char_end=len(t),
                content_hash=hashlib.sha256(t.encode()).hexdigest(),
            )
            for i, t in enumerate(texts)
        ]
        add_chunks(session, chunks=chunks)
        old = doc.active_version
        doc.active_version, doc.status, doc.chunk_count = version, status.value, len(texts)
        doc.page_count = max((p for p in pages or [] if p is not None), default=None)
        doc_id = doc.id
    if old and old != version:
        with transaction(sessions) as session:
            delete_chunks(session, document_id=doc_id, version=old)
    return doc_id


def finding(quote: str, title: str, **extra: object) -> dict[str, object]:
    values: dict[str, object] = {
        "passage": 1,
        "quote": quote,
        "title": title,
        "category": "schedule",
        "cause": "",
        "event": "",
        "effect": "",
        "probability": 3,
        "impact": 3,
        "owner": "",
        "mitigation": "",
        "contingency": "",
        "trigger": "",
    }
    values.update(extra)
    return values


def findings(*items: dict[str, object]) -> str:
    return json.dumps({"risks": list(items)}, ensure_ascii=False)


@dataclass
class Hook:
    """A webhook receiver: answers from ``replies`` in order (then 200), keeps every request."""

    replies: list[int | Exception] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if self.replies else 200
        if isinstance(reply, Exception):
            raise reply
        return httpx.Response(reply, json={"ok": reply < 300})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def bodies(self) -> list[dict[str, object]]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def hook() -> Hook:
    return Hook()


class TableEmbeddings(NamedEmbeddings):
    """Vectors chosen by the test: text -> vector, unknown texts are orthogonal to everything."""

    name = "table"

    def __init__(self, table: dict[str, list[float]], dimensions: int = 8) -> None:
        self.dimensions = dimensions
        self._table = table
        self._spare = 0

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for t in texts:
            if t in self._table:
                rows.append(np.asarray(self._table[t], dtype=np.float32))
            else:
                v = np.zeros(self.dimensions, dtype=np.float32)
                v[self.dimensions - 1 - (self._spare % 3)] = 1.0
                self._spare += 1
                rows.append(v)
        return np.vstack(rows) if rows else np.zeros((0, self.dimensions), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


# ---- the API ---------------------------------------------------------------------------------------------


@pytest.fixture
def api_settings(tmp_path: Path, db_url: str) -> Settings:
    # Authentication off: these tests name people with X-Actor, as a single-user set-up does (keys and roles
    # are tests/api/test_access.py's).
    return make_settings(tmp_path, database_url=db_url, auth="off")


@pytest.fixture
def api_container(api_settings: Settings, chat: ScriptedChatModel) -> Iterator[Container]:
    c = Container(api_settings, embeddings=HashingEmbeddings(), chat_model=chat)
    yield c
    c.close()


@pytest.fixture
def api(api_container: Container, hook: Hook, rs: RiskSettings) -> Iterator[TestClient]:
    app = create_app(container=api_container)  # the app includes the risk router itself
    app.dependency_overrides[risk_routes.get_webhook_transport] = lambda: hook.transport
    app.dependency_overrides[risk_routes.get_risk_settings] = lambda: rs
    with TestClient(app) as client:
        yield client


@pytest.fixture
def set_risk_settings(api: TestClient) -> Callable[[RiskSettings], None]:
    def apply(value: RiskSettings) -> None:
        api.app.dependency_overrides[risk_routes.get_risk_settings] = lambda: value  # type: ignore[attr-defined]

    return apply


# ---- the CLI -----------------------------------------------------------------------------------------------


class KeptContainer(Container):
    """The test's container, which a command must not close under the test's feet."""

    def close(self) -> None:
        pass


@pytest.fixture
def cli_container(
    api_settings: Settings, chat: ScriptedChatModel, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Container]:
    """The container every CLI command of the test opens: the API's database and the scripted model."""
    container = KeptContainer(api_settings, embeddings=HashingEmbeddings(), chat_model=chat)
    monkeypatch.setattr(cli_common, "make_container", lambda: container)
    yield container
    Container.close(container)
