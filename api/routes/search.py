"""POST /projects/{project}/search: the ranked passages alone, no LLM answer (tools outside call this)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ContainerDep, ProjectDep
from api.schemas import BoundedFilters
from assistant.retrieval.hybrid import MAX_QUERY_CHARS
from assistant.retrieval.models import SearchResponse

router = APIRouter(prefix="/projects/{project}", tags=["search"])


class SearchRequest(BaseModel):
    query: str = Field(
        ...,
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="The question or keywords, Chinese or English.",
    )
    top_k: int | None = Field(
        None, ge=1, le=100, description="How many passages; default ASSISTANT_RETRIEVAL_TOP_K."
    )
    filters: BoundedFilters = None


@router.post(
    "/search",
    response_model=SearchResponse,
    summary="Search a project's passages",
    description="Hybrid search (multilingual vectors + BM25 over jieba tokens + for Chinese queries BM25 over "
    "character pairs, fused by convex combination of z-scored cosines and coverage-weighted BM25, or "
    "confidence-weighted reciprocal rank) over the project's indexed documents; with the default "
    "ASSISTANT_RETRIEVAL_RERANK=e5 a second embedder (multilingual-e5-small) re-reads the top passages and its "
    "cosine (`rerank_score`) is added to their score. A Chinese question finds English passages and the "
    "reverse. Returns the ranked passages with their citation fields (document_id, file_name, page, section), "
    "`score` (fused; orders this response only), the raw `vector_score` (cosine) and `keyword_score` (BM25), "
    "`keyword_coverage` and `relevance` "
    "(calibrated 0-1); `relevant` says whether anything relevant was found. When query translation is on "
    "(ASSISTANT_RETRIEVAL_TRANSLATE), `query_translation` shows the translated query that was searched as "
    "well. 404 for an unknown project, 422 for an empty query or a bad filter.",
)
def search_project(project: ProjectDep, container: ContainerDep, body: SearchRequest) -> SearchResponse:
    return container.search(project.id, body.query, top_k=body.top_k, filters=body.filters)
