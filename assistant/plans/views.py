"""Plans as the API, the command line and the exports read them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.plans import repository as repo
from assistant.plans.facts import PlanContent
from assistant.plans.models import Plan
from assistant.plans.schemas import DraftStats, PlanDetail, PlanHistoryPublic, PlanPublic, SuggestionPublic


def content_of(plan: Plan) -> PlanContent:
    """The stored body (empty while the first draft runs or after it failed)."""
    return PlanContent.model_validate(plan.content or {})


def to_public(plan: Plan) -> PlanPublic:
    return PlanPublic(
        **content_of(plan).model_dump(),
        id=plan.id,
        project_id=plan.project_id,
        status=plan.status,
        reason=plan.reason,
        version=plan.version,
        title=plan.title,
        language=plan.language,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        five_why_ids=list(plan.five_why_ids or []),
        person_fields=list(plan.person_fields or []),
        job_id=plan.job_id,
    )


def detail_of(session: Session, plan: Plan) -> PlanDetail:
    public = to_public(plan)
    return PlanDetail(
        **public.model_dump(),
        history=[PlanHistoryPublic.model_validate(h) for h in repo.plan_history(session, plan_id=plan.id)],
        suggestions=[
            SuggestionPublic.model_validate(s) for s in repo.plan_suggestions(session, plan_id=plan.id)
        ],
        draft_stats=DraftStats.model_validate(plan.draft_stats) if plan.draft_stats else None,
    )
