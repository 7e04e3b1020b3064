"""All SQL for plans, their history and their suggestions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.errors import NotFoundError
from assistant.plans.models import Plan, PlanHistory, PlanSuggestion


def new_plan_id() -> str:
    return "plan_" + uuid.uuid4().hex[:16]


def missing_plan_message(plan_id: str, project_id: str) -> str:
    """Also what a plan of another project answers: it does not exist there."""
    return f"no plan {plan_id!r} in project {project_id!r}"


def add_plan(session: Session, *, plan: Plan) -> Plan:
    session.add(plan)
    session.flush()
    return plan


def get_plan(session: Session, *, project_id: str, plan_id: str) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None or plan.project_id != project_id:
        raise NotFoundError(missing_plan_message(plan_id, project_id))
    return plan


def find_plan(session: Session, *, plan_id: str) -> Plan | None:
    """Any project's plan (the background job and the command line, which see every project)."""
    return session.get(Plan, plan_id)


def list_plans(
    session: Session, *, project_id: str, limit: int = 50, offset: int = 0
) -> tuple[list[Plan], int]:
    query = select(Plan).where(Plan.project_id == project_id)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(Plan.created_at.desc(), Plan.id).limit(limit).offset(offset))
    return list(rows), total


def delete_plan(session: Session, *, plan: Plan) -> None:
    session.delete(plan)
    session.flush()


def flush(session: Session) -> None:
    session.flush()


def add_history(session: Session, *, entries: Iterable[PlanHistory]) -> None:
    session.add_all(list(entries))


def plan_history(session: Session, *, plan_id: str) -> list[PlanHistory]:
    return list(
        session.scalars(select(PlanHistory).where(PlanHistory.plan_id == plan_id).order_by(PlanHistory.id))
    )


def plan_suggestions(session: Session, *, plan_id: str) -> list[PlanSuggestion]:
    return list(
        session.scalars(
            select(PlanSuggestion).where(PlanSuggestion.plan_id == plan_id).order_by(PlanSuggestion.id.desc())
        )
    )


def get_suggestion(session: Session, *, plan_id: str, suggestion_id: int) -> PlanSuggestion | None:
    row = session.get(PlanSuggestion, suggestion_id)
    return row if row is not None and row.plan_id == plan_id else None


def suggestion_hashes(session: Session, *, plan_id: str) -> set[str]:
    """Every value suggested before, whatever became of it: a value is never suggested twice."""
    return set(session.scalars(select(PlanSuggestion.value_hash).where(PlanSuggestion.plan_id == plan_id)))


def add_suggestions(session: Session, *, suggestions: Iterable[PlanSuggestion]) -> None:
    session.add_all(list(suggestions))
