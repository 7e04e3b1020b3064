"""Answer a question over one project's index: the wiring the API, the CLI and the answer benchmark share."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.language_models import BaseChatModel

from assistant.providers.embeddings import NamedEmbeddings
from assistant.providers.llm import structured_method
from assistant.qa.models import AnswerPublic
from assistant.qa.pipeline import answer_question
from assistant.retrieval.models import SearchResult
from assistant.retrieval.relevance import is_relevant
from assistant.settings import Settings


def ask_project(
    question: str,
    *,
    llm: BaseChatModel,
    search: Callable[[str], Sequence[SearchResult]],
    embeddings: NamedEmbeddings,
    settings: Settings,
    on_token: Callable[[str], None] | None = None,
) -> AnswerPublic:
    """``search`` is already bound to the project, top-k and filters; the refusal threshold comes from the
    retrieval settings, so the benchmark measures exactly what the API serves."""
    return answer_question(
        question,
        llm=llm,
        retrieve=search,
        is_relevant=lambda results: is_relevant(results, threshold=settings.retrieval.relevance_threshold),
        embed=embeddings.embed_array,
        method=structured_method(settings),
        on_token=on_token,
    )
