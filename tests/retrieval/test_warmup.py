"""The rerank step's passage vectors: computed in the background, stored, read back after a restart."""

from __future__ import annotations

from collections.abc import Callable

from api.container import Container
from assistant.index import passage_vectors as store
from assistant.index.passage_vectors import StoredPassageVectors
from assistant.retrieval.rerank import EmbeddingReranker, passage_key
from assistant.retrieval.warmup import BATCH, warm_rerank_vectors
from tests.retrieval.conftest import EMAIL, MEETING, SPEC
from tests.retrieval.test_rerank import CountingEmbedder


def reranker(container: Container, embedder: CountingEmbedder) -> EmbeddingReranker:
    return EmbeddingReranker(embedder, store=StoredPassageVectors(container.sessions, embedder.name))


def chunk_texts(container: Container, document_id: str) -> list[str]:
    from assistant.index.chunks import document_chunks

    with container.sessions() as session:
        return [c.text for c in document_chunks(session, document_id=document_id)]


def test_warm_up_reads_each_passage_once_and_a_search_after_a_restart_reads_none(
    container: Container, make_project: Callable[[str], str], ingest: Callable[..., str]
) -> None:
    project = make_project("warm")
    docs = [ingest(project, "纪要.txt", MEETING), ingest(project, "spec.md", SPEC)]
    embedder = CountingEmbedder()
    with container.sessions() as session:
        assert store.documents_ready(session, model=embedder.name, document_ids=docs) == dict.fromkeys(
            docs, False
        )
    seen: list[tuple[int, int]] = []
    read = warm_rerank_vectors(
        reranker(container, embedder),
        container.sessions,
        document_id=None,
        progress=lambda d, t: seen.append((d, t)),
    )
    texts = [t for d in docs for t in chunk_texts(container, d)]
    assert read == len(set(texts)) and sorted(embedder.embedded) == sorted(set(texts))
    assert seen[0] == (0, read) and seen[-1] == (read, read)
    with container.sessions() as session:
        assert store.documents_ready(session, model=embedder.name, document_ids=docs) == dict.fromkeys(
            docs, True
        )
        assert store.missing_passages(session, model=embedder.name) == {}

    # As after a restart: a new reranker with an empty memory finds the stored vectors.
    fresh = CountingEmbedder()
    sims = reranker(container, fresh).similarities("ERP", texts[:3])
    assert fresh.embedded == [] and len(sims) == 3
    assert warm_rerank_vectors(reranker(container, fresh), container.sessions, document_id=docs[0]) == 0


def test_a_passage_met_before_the_warm_up_is_computed_once_and_kept(container: Container) -> None:
    embedder = CountingEmbedder()
    first = reranker(container, embedder)
    first.similarities("q", ["a passage nobody read"])
    reranker(container, embedder).similarities("q", ["a passage nobody read"])  # another process
    assert embedder.embedded == ["a passage nobody read"]
    with container.sessions() as session:
        assert list(
            store.stored_vectors(session, model="counting", hashes=[passage_key("a passage nobody read")])
        )


def test_the_warm_up_holds_back_while_people_wait_for_the_model(
    container: Container, make_project: Callable[[str], str], ingest: Callable[..., str]
) -> None:
    project = make_project("busy")
    doc = ingest(project, "mail.txt", EMAIL * (BATCH + 3))
    answers = iter([True, True, False] + [False] * 50)
    slept: list[float] = []
    warm_rerank_vectors(
        reranker(container, CountingEmbedder()),
        container.sessions,
        document_id=doc,
        people_waiting=lambda: next(answers),
        sleep=slept.append,
    )
    assert len(slept) == 2  # it waited twice before its first batch, then went on
