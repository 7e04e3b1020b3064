"""Real embedded models and real servers. Marked `integration`; `make test` runs them (CI too)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel

from api.container import Container
from assistant.db import transaction
from assistant.index import chunks as chunk_store
from assistant.projects import repository as projects
from assistant.providers.embeddings import E5SmallEmbeddings, UseMultilingualEmbeddings
from assistant.requirements.service import check_pasted_text
from ingest.pipeline import delete_document, ingest_file
from tests.conftest import DEMO_DIR, MODEL_CACHE_DIR, make_settings

pytestmark = pytest.mark.integration

ZH = "接口联调计划于2026年5月25日开始，由周涛负责测试。"
EN_SAME = "Integration testing of the interfaces starts on 25 May 2026, led by Zhou Tao."
EN_OTHER = "The canteen menu for next week includes noodles and dumplings."


@pytest.mark.parametrize("model", [UseMultilingualEmbeddings, E5SmallEmbeddings])
def test_packaged_embedder_puts_chinese_and_english_in_one_space(model: type) -> None:
    emb = model()
    docs = emb.embed_array([EN_SAME, EN_OTHER])
    query = np.asarray(emb.embed_query("接口联调什么时候开始？"))
    assert docs.shape == (2, emb.dimensions)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    assert float(docs[0] @ query) > float(docs[1] @ query) + 0.05


def _ingest_demo(container: Container) -> str:
    with transaction(container.sessions) as session:
        pid = projects.create_project(session, name="demo-it").id
    for path in sorted(DEMO_DIR.iterdir()):
        outcome = ingest_file(container.ingestor, project_id=pid, file_name=path.name, data=path.read_bytes())
        assert outcome.status.value == "indexed", (path.name, outcome.reason)
    return pid


def test_demo_corpus_on_a_real_chroma_server_with_real_embeddings(tmp_path: Path) -> None:
    url = os.environ.get("ASSISTANT_TEST_CHROMA_URL")
    if not url:
        pytest.skip("ASSISTANT_TEST_CHROMA_URL is not set (scripts/test.sh starts `chroma run`)")
    settings = make_settings(tmp_path, embeddings_provider="local", chroma_url=url)
    container = Container(settings)
    try:
        pid = _ingest_demo(container)
        emb = container.embeddings
        hits = container.vectors.query(
            pid, np.asarray(emb.embed_query("Who owns the ERP data migration?")), k=5
        )
        with container.sessions() as session:
            chunks = chunk_store.visible_chunks(session, chunk_ids=[h.chunk_id for h in hits])
        assert len(chunks) == len(hits) > 0
        assert any("吴静" in c.text or "Wu Jing" in c.text for c in chunks.values())
        # The default rerank step loads the packaged e5 model and re-reads the top passages.
        assert container.reranker is not None and container.reranker.name == "multilingual-e5-small"
        found = container.search(pid, "Who owns the ERP data migration?").results
        assert found[0].rerank_score is not None and 0 < found[0].rerank_score <= 1
        assert any("吴静" in r.text or "Wu Jing" in r.text for r in found[:3])
        # The requirement classifier averages USE's and e5's prototype similarities (e5 shared with rerank).
        assert len(container.classifier_embeds) == 2 and container.e5 is container.reranker.embeddings
        report = check_pasted_text(
            "The order page shall respond within 2 seconds.\n系统应允许采购员新增供应商信息。",
            embed=container.classifier_embeds,
        )
        assert [(i.requirement.kind, i.requirement.quality_class) for i in report.items] == [
            ("non_functional", "performance"),
            ("functional", None),
        ]
        doc_id = next(iter(chunks.values())).document_id
        delete_document(container.ingestor, project_id=pid, document_id=doc_id)
        with container.sessions() as session:
            assert all(
                c.document_id != doc_id for c in chunk_store.document_chunks(session, document_id=doc_id)
            )
        left = container.vectors.query(pid, np.asarray(emb.embed_query("ERP data migration")), k=50)
        assert all(not h.chunk_id.startswith(doc_id) for h in left)
    finally:
        container.vectors.drop_project("demo-it")
        container.close()


def test_backbone_schema_and_keyword_index_on_postgresql(tmp_path: Path) -> None:
    url = os.environ.get("ASSISTANT_TEST_DATABASE_URL")
    if not url:
        pytest.skip("ASSISTANT_TEST_DATABASE_URL is not set (scripts/test.sh starts PostgreSQL)")
    from assistant.providers.embeddings import HashingEmbeddings

    container = Container(make_settings(tmp_path, database_url=url), embeddings=HashingEmbeddings())
    try:
        with transaction(container.sessions) as session:
            existing = session.get(projects.Project, "pg-backbone")
            if existing is not None:
                session.delete(existing)
        with transaction(container.sessions) as session:
            pid = projects.create_project(session, name="pg-backbone").id
        out = ingest_file(container.ingestor, project_id=pid, file_name="n.md", data=ZH.encode())
        assert out.status.value == "indexed"
        with container.sessions() as session:
            hits = chunk_store.keyword_search(session, project_id=pid, query="联调什么时候开始", k=5)
            pairs = chunk_store.bigram_search(session, project_id=pid, query="联调什么时候开始", k=5)
        assert [h.chunk_id.split(":")[0] for h in hits] == [out.document_id]
        assert [h.chunk_id.split(":")[0] for h in pairs] == [out.document_id]
    finally:
        container.close()


class Translation(BaseModel):
    english: str


def test_local_llm_answers_with_schema_shaped_json(tmp_path: Path) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.providers.llama_server import LlamaServer, model_path
    from assistant.providers.llm import ask_structured, make_chat_model, structured_method

    settings = make_settings(tmp_path, llm_provider="local", llm_timeout_s=600, cache_dir=MODEL_CACHE_DIR)
    assert model_path(settings).stat().st_size > 400_000_000, "the set-up should have joined the model"
    server = LlamaServer(settings)
    try:
        llm = make_chat_model(settings, llama_server=server)
        out = ask_structured(
            llm,
            Translation,
            [
                SystemMessage("Translate the user's Chinese text into English. Answer in JSON."),
                HumanMessage("数据迁移"),
            ],
            method=structured_method(settings),
        )
        assert out.english.strip()
        assert "migrat" in out.english.lower() or "data" in out.english.lower()
    finally:
        server.stop()
    assert not server.running
