"""Everything the API and the CLI share, built once from settings; heavy parts load on first use."""

from __future__ import annotations

import threading
import time
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx

from assistant.background.worker import BackgroundWork, Progress, task_progress
from assistant.db import make_engine, make_session_factory, migrate, transaction
from assistant.documents.background import scan_task_key
from assistant.index.passage_vectors import StoredPassageVectors
from assistant.index.vector import VectorIndex
from assistant.providers.embeddings import (
    E5SmallEmbeddings,
    NamedEmbeddings,
    make_embeddings,
)
from assistant.providers.llm import structured_method
from assistant.providers.scheduler import LLMScheduler, Priority, llm_priority
from assistant.providers.settings import EmbeddingsProvider, LLMProvider, LocalEmbeddingModel
from assistant.providers.store import make_chroma_client
from assistant.retrieval import hybrid
from assistant.retrieval.models import SearchFilters, SearchResponse
from assistant.retrieval.query_expansion import QueryTranslator
from assistant.retrieval.rerank import EmbeddingReranker, make_reranker, rerank_model
from assistant.retrieval.warmup import WARM_QUEUE, WARM_TASK, warm_rerank_vectors
from assistant.risks import service as risks
from assistant.risks.scan import ScanContext
from assistant.settings import Settings
from assistant.text import tokenize
from ingest.jobs import register_ingestion
from ingest.pipeline import Ingestor

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.providers.llama_server import LlamaServer
    from assistant.requirements.classify import Embed


# Ctrl-C or SIGTERM ends the server within this (the background workers and the model server included).
STOP_TIMEOUT_S = 4.0


class Container:
    def __init__(
        self,
        settings: Settings,
        *,
        embeddings: NamedEmbeddings | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.resolved_database_url)
        migrate(self.engine)
        self.sessions = make_session_factory(self.engine)
        self._embeddings = embeddings
        self._chat_model = chat_model
        self._lock = threading.Lock()
        self._llama: LlamaServer | None = None
        # How webhooks are sent: None is real HTTP; tests put a recording transport here.
        self.webhook_transport: httpx.BaseTransport | None = None

    @property
    def embeddings(self) -> NamedEmbeddings:
        with self._lock:
            if self._embeddings is None:
                self._embeddings = make_embeddings(self.settings)
            return self._embeddings

    @cached_property
    def vectors(self) -> VectorIndex:
        return VectorIndex(make_chroma_client(self.settings), self.embeddings)

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(
            settings=self.settings,
            sessions=self.sessions,
            vectors=self.vectors,
            on_indexed=[self._extract_requirements, self._queue_risk_scan, self._queue_warmup],
        )

    @cached_property
    def background(self) -> BackgroundWork:
        """The named queues of background work. Built here, started by the server (``start_background``):
        a CLI command only queues work, which the server then does."""
        work = BackgroundWork(self.sessions)
        register_ingestion(work, self.ingestor)
        work.register(risks.SCAN_QUEUE, risks.SCAN_TASK, self._scan_after_indexing)
        work.register(WARM_QUEUE, WARM_TASK, self._warm_rerank_vectors)
        return work

    def start_background(self, queues: list[str] | None = None) -> None:
        self.background.start(queues)
        if queues is None or WARM_QUEUE in queues:
            # Loads what a search uses, so the first one after a start does not; and documents indexed before
            # the warm-up existed, or while it was stopped, get their vectors.
            self.background.submit(WARM_QUEUE, WARM_TASK, {"document_id": None}, key="*")

    def _queue_warmup(self, project_id: str, document_id: str) -> None:
        if self.rerank_model:
            self.background.submit(WARM_QUEUE, WARM_TASK, {"document_id": document_id}, key=document_id)

    def _warm_rerank_vectors(self, payload: dict[str, Any]) -> None:
        if payload.get("document_id") is None:
            self.warm_search_models()
        if self.rerank_model and (reranker := self.reranker) is not None:
            warm_rerank_vectors(
                reranker,
                self.sessions,
                document_id=payload.get("document_id"),
                people_waiting=self.scheduler.people_waiting,
                progress=task_progress(),
            )

    def warm_search_models(self) -> None:
        """The first search after a start loaded the index's embedder (~1.2 s) and, for Chinese, jieba's
        dictionary (~0.8 s); at start, in the background, they load before anyone asks."""
        tokenize("预热")
        self.embeddings.embed_query("warm-up 预热")
        if self.rerank_model and (reranker := self.reranker) is not None:
            reranker.embeddings.embed_query("warm-up 预热")

    def _queue_risk_scan(self, project_id: str, document_id: str) -> None:
        """The LLM is slow on two cores: scans run on their own queue so ingestion never waits for them."""
        if self.settings.risk.auto_scan:
            self.background.submit(
                risks.SCAN_QUEUE,
                risks.SCAN_TASK,
                {"project_id": project_id, "document_id": document_id},
                key=scan_task_key(project_id, document_id),
            )

    def _scan_after_indexing(self, payload: dict[str, Any]) -> None:
        with llm_priority(Priority.background):  # nobody waits for it: it yields to every person
            risks.scan_after_indexing(
                self.scan_context(progress=task_progress()),
                project_id=payload["project_id"],
                document_id=payload["document_id"],
            )

    def scan_context(
        self, transport: httpx.BaseTransport | None = None, progress: Progress | None = None
    ) -> ScanContext:
        """What a risk scan uses (the model starts here if it has not yet); ``transport`` overrides how
        webhooks are sent, ``progress`` hears how far the scan has got."""
        return ScanContext(
            chat_model=self.chat_model,
            embeddings=self.embeddings,
            sessions=self.sessions,
            settings=self.settings,
            transport=transport or self.webhook_transport,
            progress=progress,
        )

    def _extract_requirements(self, project_id: str, document_id: str) -> None:
        """Rules and the embedder, no LLM: fast enough to keep a project's requirement list current on every
        upload (the embedder's class prototypes lift FR/NFR F1 from 0.72 to 0.80, docs/performance.md)."""
        from assistant.requirements.service import check_document

        with transaction(self.sessions) as session:
            check_document(
                session, project_id=project_id, document_id=document_id, embed=self.classifier_embeds
            )

    @property
    def chat_model(self) -> BaseChatModel:
        with self._lock:
            if self._chat_model is None:
                from assistant.providers.llm import make_chat_model

                if self.settings.llm.provider is LLMProvider.local and self._llama is None:
                    from assistant.providers.llama_server import LlamaServer

                    self._llama = LlamaServer(self.settings)
                self._chat_model = make_chat_model(self.settings, llama_server=self._llama)
            self.scheduler.attach(self._chat_model)  # every call of every pipeline passes the one gate
            return self._chat_model

    @cached_property
    def translator(self) -> QueryTranslator:
        # A callable: the local model is only started when a query really needs translating.
        return QueryTranslator(lambda: self.chat_model, method=structured_method(self.settings))

    @cached_property
    def e5(self) -> E5SmallEmbeddings:
        """The packaged multilingual-e5-small, shared by the rerank step and the requirement classifier."""
        if isinstance(self.embeddings, E5SmallEmbeddings):
            return self.embeddings
        return E5SmallEmbeddings()

    @cached_property
    def reranker(self) -> EmbeddingReranker | None:
        model = self.rerank_model
        return make_reranker(
            self.settings.retrieval.rerank,
            self.embeddings.name,
            model=lambda: self.e5,
            store=StoredPassageVectors(self.sessions, model) if model else None,
        )

    @cached_property
    def rerank_model(self) -> str | None:
        """The model whose passage vectors the warm-up computes, or None when there is no rerank step. Read
        from the settings (a local embedder's name is its model), so asking does not load the embedder."""
        embeddings = self.settings.embeddings
        index_model = embeddings.model if embeddings.provider is EmbeddingsProvider.local else ""
        return rerank_model(self.settings.retrieval.rerank, index_model)

    @cached_property
    def classifier_embeds(self) -> list[Embed]:
        """Embedders whose class prototypes the FR/NFR classifier averages. With the packaged models, USE and
        e5 together whichever indexes the documents (NFR F1 .842 against .823 for USE alone, leave-one-project-
        out on PROMISE, docs/performance.md); otherwise the configured embedder alone. The first one, the
        index's embedder where it is USE, also finds near-duplicates."""
        if self.settings.embeddings.provider is not EmbeddingsProvider.local:
            return [self.embeddings.embed_array]
        use_model = LocalEmbeddingModel.use.value
        use = (
            self.embeddings
            if self.embeddings.name == use_model
            else make_embeddings(self.settings, model=use_model)
        )
        return [use.embed_array, self.e5.embed_queries]

    def search(
        self,
        project_id: str,
        query: str,
        *,
        top_k: int | None = None,
        filters: SearchFilters | None = None,
        for_answer: bool = False,
    ) -> SearchResponse:
        """``for_answer``: the passages go to the LLM anyway, so the query is translated as
        ``ask_translate`` says rather than as ``translate`` (which keeps plain search free of LLM calls)."""
        translate = self.settings.retrieval.ask_translate if for_answer else None
        return hybrid.search(
            self.vectors,
            self.sessions,
            project_id,
            query,
            top_k=top_k,
            filters=filters,
            settings=self.settings.retrieval,
            translator=self.translator,
            translate=translate,
            reranker=self.reranker,
        )

    @cached_property
    def scheduler(self) -> LLMScheduler:
        return LLMScheduler(
            slots=self.settings.llm.slots, interactive_wait_s=self.settings.llm.interactive_wait_s
        )

    def llm_status(self) -> dict[str, object]:
        queue = self.scheduler.status()
        return {
            "provider": self.settings.llm.provider.value,
            "model": self.settings.llm.model,
            "loaded": self._chat_model is not None,
            "in_flight": queue.in_flight,
            "waiting_interactive": queue.waiting_interactive,
            "waiting_background": queue.waiting_background,
            "average_call_s": queue.average_call_s,
        }

    def close(self, *, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop within ``timeout``: background work first stops taking tasks, the model server ends (so a
        call in flight fails at once instead of running on for a minute), and the workers are given what is
        left of the time; a task they did not finish runs again at the next start."""
        deadline = time.monotonic() + timeout
        if "background" in self.__dict__:
            self.background.request_stop()
        if self._llama is not None:
            self._llama.stop(grace_s=min(2.0, timeout / 2))
        if "background" in self.__dict__:
            self.background.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.engine.dispose()
