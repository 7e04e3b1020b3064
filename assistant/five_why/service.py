"""5-Why use cases: run an analysis and store it, list and read stored ones. The route, the CLI command and
any later caller (plans) use these, so what is stored never depends on who asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session

from assistant.five_why import repository
from assistant.five_why.models import FiveWhyAnalysis
from assistant.five_why.pipeline import run_five_why
from assistant.five_why.schemas import FiveWhyList, FiveWhyPublic
from assistant.providers.settings import StructuredMethod
from assistant.qa.citations import EmbedFn
from assistant.qa.models import PassageLike

# Passages each 'why' round may cite.
PASSAGES_PER_ROUND = 5


def public(row: FiveWhyAnalysis) -> FiveWhyPublic:
    return FiveWhyPublic(
        id=row.id,
        project_id=row.project_id,
        statement=row.statement,
        context=row.context,
        language=row.language,
        created_at=row.created_at,
        **row.result,
    )


def analyse_request(
    session: Session,
    *,
    project_id: str,
    statement: str,
    context: str | None,
    llm: BaseChatModel,
    search: Callable[[str], Sequence[PassageLike]],
    embed: EmbedFn | None,
    method: StructuredMethod,
    actor: str,
    on_why: Callable[[int, str, str], None] | None = None,
) -> FiveWhyPublic:
    """Ask 'why' up to five times against the project's documents and store the analysis. ``search`` is
    bound to the project and returns at most PASSAGES_PER_ROUND passages; ``on_why`` hears each round as the
    model writes it."""
    outcome = run_five_why(
        statement, context=context, llm=llm, retrieve=search, embed=embed, method=method, on_why=on_why
    )
    row = repository.save_analysis(
        session,
        project_id=project_id,
        statement=statement,
        context=context,
        language=outcome.language,
        result=outcome.as_result(),
        actor=actor,
    )
    return public(row)


def list_analyses(session: Session, *, project_id: str, limit: int = 50, offset: int = 0) -> FiveWhyList:
    rows, total = repository.list_analyses(session, project_id=project_id, limit=limit, offset=offset)
    return FiveWhyList(items=[public(r) for r in rows], total=total)


def get_analysis(session: Session, *, project_id: str, analysis_id: str) -> FiveWhyPublic:
    return public(repository.get_analysis(session, project_id=project_id, analysis_id=analysis_id))
