"""What a search asks for and what it returns. Pydantic, so the API and the answer pipeline share them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, model_validator

from assistant.documents.models import DocumentType


class SearchFilters(BaseModel):
    """Every filter narrows the search; none set means the whole project. Values inside one list are OR-ed."""

    doc_types: list[DocumentType] | None = Field(
        None, description="Only these document types (meeting, email, spec, other)."
    )
    file_names: list[str] | None = Field(
        None,
        description="Only these files: exact names as uploaded (archive members as 'archive.zip/member').",
    )
    date_from: dt.date | None = Field(
        None, description="Only documents dated on or after this day; undated documents are left out."
    )
    date_to: dt.date | None = Field(
        None, description="Only documents dated on or before this day; undated documents are left out."
    )
    document_ids: list[str] | None = Field(None, description="Only these document ids.")

    @model_validator(mode="after")
    def _range(self) -> SearchFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from ({self.date_from}) is after date_to ({self.date_to})")
        return self

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (self.doc_types, self.file_names, self.date_from, self.date_to, self.document_ids)
        )


class SearchResult(BaseModel):
    """One ranked passage. ``score`` orders the results of one search only; the raw per-index signals and
    ``relevance`` are what can be compared across searches."""

    chunk_id: str
    document_id: str
    file_name: str
    page: int | None = None
    section: str | None = None
    text: str
    position: int = 0
    score: float = Field(
        description="Fused rank score (with the rerank bonus, when on); higher is better; only meaningful "
        "within one search."
    )
    vector_score: float | None = Field(
        None,
        description="Cosine similarity of the query (or its translation) to the passage; None if the "
        "vector index did not return it.",
    )
    keyword_score: float | None = Field(
        None, description="Raw BM25 score of the best-matching query form; None if no query word matched."
    )
    keyword_coverage: float | None = Field(
        None, description="Share of the query's distinct words (or its translation's) found in the passage."
    )
    rerank_score: float | None = Field(
        None,
        description="Cosine of the query to the passage by the rerank model (multilingual-e5-small), for the "
        "top results when the rerank step is on; None otherwise.",
    )
    relevance: float = Field(
        0.0, ge=0.0, le=1.0, description="Calibrated estimate that the passage is relevant to the query."
    )
    doc_type: str | None = None
    doc_date: dt.date | None = None


class SearchResponse(BaseModel):
    results: list[SearchResult]
    query_translation: str | None = Field(
        None,
        description="The query translated into the project's other language, when that was searched too.",
    )
    relevant: bool = Field(description="Whether anything relevant was found (see is_relevant).")
