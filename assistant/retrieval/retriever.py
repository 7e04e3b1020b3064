"""The hybrid search as a langchain ``BaseRetriever``, so users can compose it in their own chains:

retriever = HybridRetriever(vectors=container.vectors, sessions=container.sessions, project_id="p1")
docs = retriever.invoke("接口联调什么时候开始?")
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from assistant.retrieval.hybrid import search
from assistant.retrieval.models import SearchFilters, SearchResult
from assistant.retrieval.settings import RetrievalSettings


def to_langchain(result: SearchResult) -> LCDocument:
    metadata = result.model_dump(exclude={"text"}, mode="json")
    return LCDocument(id=result.chunk_id, page_content=result.text, metadata=metadata)


class HybridRetriever(BaseRetriever):
    """Ranked passages of one project; each Document's metadata carries document_id, file_name, page, section,
    score, vector_score, keyword_score, keyword_coverage, relevance, doc_type and doc_date."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vectors: Any = Field(description="assistant.index.vector.VectorIndex")
    sessions: Any = Field(description="SQLAlchemy sessionmaker")
    project_id: str
    top_k: int | None = None
    filters: SearchFilters | None = None
    settings: RetrievalSettings = Field(default_factory=RetrievalSettings)
    translator: Any = Field(None, description="assistant.retrieval.query_expansion.Translator, optional")
    reranker: Any = Field(
        None, description="assistant.retrieval.rerank.Reranker, optional (container.reranker)"
    )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        response = search(
            self.vectors,
            self.sessions,
            self.project_id,
            query,
            top_k=self.top_k,
            filters=self.filters,
            settings=self.settings,
            translator=self.translator,
            reranker=self.reranker,
        )
        return [to_langchain(r) for r in response.results]
