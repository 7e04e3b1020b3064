"""The plans' use cases: what the routes, the command line, the background worker and the bench call. One
function per use case; a change runs in its own transaction and returns the plan as it then reads, a read takes
the caller's session. How each job is done lives in the modules named for it: drafting (the pipeline), links
(risks, requirements, 5-Why needs), merge (a redraft meets people's edits), edits (people's changes), views,
jobs (the job row and task) and the exports."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from assistant.background.worker import BackgroundWork
from assistant.db import transaction, utcnow
from assistant.documents.models import Document, DocumentStatus
from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.language import question_language
from assistant.plans import edits, exports, jobs, links, merge, views
from assistant.plans import repository as repo
from assistant.plans.drafting import DraftInput, DraftOutcome, draft_plan
from assistant.plans.evidence import Passages
from assistant.plans.exports import PlanExportFormat
from assistant.plans.facts import PlanFacts, SourceChunk
from assistant.plans.models import HistoryKind, Plan, PlanSuggestion, SuggestionStatus
from assistant.plans.schemas import (
    PlanAccepted,
    PlanCreate,
    PlanDetail,
    PlanList,
    PlanPublic,
    PlanStatus,
    PlanUpdate,
)
from assistant.projects import repository as projects
from assistant.providers.scheduler import Priority, llm_priority
from assistant.providers.settings import StructuredMethod
from assistant.risks.exports import Exported
from assistant.risks.models import ASSISTANT_ACTOR

log = logging.getLogger(__name__)

DEFAULT_TITLE = {"zh": "{name} 系统集成方案", "en": "{name} integration plan"}
# Writing the finished draft retries when a person's edit landed meanwhile (the version lock refused it).
WRITE_ATTEMPTS = 3


@dataclass(frozen=True)
class DraftContext:
    """What a draft uses. ``chat_model`` is called only when the project has passages to read (the local
    model starts then); ``load_chunks`` and ``extract`` are the reader's (assistant.plans.sources/extract)."""

    sessions: sessionmaker[Session]
    chat_model: Callable[[], BaseChatModel]
    load_chunks: Callable[[Session, str], list[SourceChunk]]
    extract: Callable[[Sequence[SourceChunk]], PlanFacts]
    method: StructuredMethod = StructuredMethod.json_object
    busy_deadline_s: float = 600.0


# ---- drafting --------------------------------------------------------------------------------------------


def main_language(session: Session, *, project_id: str) -> str:
    """The language most of the project's indexed text is in (by passages); without documents, the language
    of the project's name and description."""
    rows = session.execute(
        select(Document.language, Document.chunk_count).where(
            Document.project_id == project_id, Document.status == DocumentStatus.indexed.value
        )
    ).all()
    weight = {"zh": 0, "en": 0}
    for language, chunks in rows:
        if language in weight:
            weight[language] += chunks or 0
        elif language == "mixed":  # bilingual notes of a Chinese project: Chinese is the working language
            weight["zh"] += chunks or 0
    if weight["zh"] or weight["en"]:
        return "zh" if weight["zh"] >= weight["en"] else "en"
    project = projects.get_project(session, ref=project_id)
    return question_language(f"{project.name} {project.description or ''}")


def request_draft(
    sessions: sessionmaker[Session],
    work: BackgroundWork,
    *,
    project_id: str,
    data: PlanCreate,
    actor: str,
    ensure_model: Callable[[], object],
) -> PlanAccepted:
    """A plan in ``drafting`` with its job; the draft runs in the background. ``ensure_model`` raises when
    the model is unavailable (then nothing is created: the caller answers 503)."""
    actor = edits.clean_actor(actor)
    ensure_model()
    with transaction(sessions) as session:
        try:
            links.needs(session, project_id=project_id, five_why_ids=data.five_why_ids)
        except NotFoundError as exc:
            raise InvalidInputError(f"five_why_ids: {exc}") from None
        language = data.language or main_language(session, project_id=project_id)
        project = projects.get_project(session, ref=project_id)
        now = utcnow()
        plan = repo.add_plan(
            session,
            plan=Plan(
                id=repo.new_plan_id(),
                project_id=project_id,
                title=data.title or DEFAULT_TITLE[language].format(name=project.name),
                language=language,
                status=PlanStatus.drafting.value,
                content={},
                person_fields=["title"] if data.title else [],
                five_why_ids=list(dict.fromkeys(data.five_why_ids)),
                created_by=actor,
                created_at=now,
                updated_at=now,
            ),
        )
        job = jobs.queue_draft(session, project_id=project_id, plan_id=plan.id)
        plan.job_id = job.id
        repo.add_history(
            session,
            entries=[edits.entry(plan, actor, HistoryKind.created, field="status", new_value="drafting")],
        )
        accepted = PlanAccepted(plan_id=plan.id, job_id=job.id)
    _wake(work, accepted)
    return accepted


def request_redraft(
    sessions: sessionmaker[Session],
    work: BackgroundWork,
    *,
    project_id: str,
    plan_id: str,
    actor: str,
    ensure_model: Callable[[], object],
) -> PlanAccepted:
    """Draft again from the documents as they are now; fields people own are kept (merge.py)."""
    actor = edits.clean_actor(actor)
    ensure_model()
    with transaction(sessions) as session:
        plan = repo.get_plan(session, project_id=project_id, plan_id=plan_id)
        if plan.status == PlanStatus.drafting.value:
            raise ConflictError(f"plan {plan.id} is being drafted already (job {plan.job_id}); wait for it")
        job = jobs.queue_draft(session, project_id=project_id, plan_id=plan.id)
        plan.job_id, plan.status, plan.reason = job.id, PlanStatus.drafting.value, None
        repo.add_history(
            session,
            entries=[
                edits.entry(
                    plan, actor, HistoryKind.created, field="status", new_value="drafting", note="redraft"
                )
            ],
        )
        accepted = PlanAccepted(plan_id=plan.id, job_id=job.id)
    _wake(work, accepted)
    return accepted


def _wake(work: BackgroundWork, accepted: PlanAccepted) -> None:
    """The task was written with the plan; submitting the same key finds it and wakes the worker (in a
    command-line process without a worker, the server takes it up)."""
    work.submit(
        jobs.PLAN_QUEUE, jobs.PLAN_TASK, jobs.payload(accepted.plan_id, accepted.job_id), key=accepted.plan_id
    )


def register_drafting(work: BackgroundWork, context: Callable[[], DraftContext]) -> None:
    """The worker of the plans queue runs ``run_draft``; ``context`` is built when a task starts."""

    def handle(payload: dict[str, str]) -> None:
        run_draft(context(), plan_id=payload["plan_id"], job_id=payload["job_id"])

    work.register(jobs.PLAN_QUEUE, jobs.PLAN_TASK, handle)


def _current(session: Session, plan_id: str, job_id: str) -> Plan | None:
    """The plan, if this job is still the one that drafts it (not deleted, not superseded, not done)."""
    plan = repo.find_plan(session, plan_id=plan_id)
    if plan is None or plan.job_id != job_id or plan.status != PlanStatus.drafting.value:
        return None
    return plan


def run_draft(ctx: DraftContext, *, plan_id: str, job_id: str) -> PlanPublic | None:
    """The background job: read, draft, write the whole body in one transaction. On any failure the plan is
    ``failed`` with the reason and its body is as it was (nothing half-written). Safe to run again: a plan
    this job no longer drafts is left alone."""
    with transaction(ctx.sessions) as session:
        plan = _current(session, plan_id, job_id)
        if plan is None:
            gone = repo.find_plan(session, plan_id=plan_id) is None
            jobs.finish(session, job_id=job_id, error="the plan was deleted" if gone else None)
            return None
        jobs.start(session, job_id=job_id)
        project_id, language, five_why_ids = plan.project_id, plan.language, list(plan.five_why_ids or [])
    try:
        outcome = _draft(ctx, project_id=project_id, language=language, five_why_ids=five_why_ids)
        return _write_draft(ctx, plan_id=plan_id, job_id=job_id, outcome=outcome)
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        log.warning("plan %s: drafting failed: %s", plan_id, reason)
        with transaction(ctx.sessions) as session:
            plan = _current(session, plan_id, job_id)
            if plan is not None:
                plan.status, plan.reason = PlanStatus.failed.value, reason
                repo.add_history(
                    session, entries=[edits.entry(plan, ASSISTANT_ACTOR, HistoryKind.failed, note=reason)]
                )
            jobs.finish(session, job_id=job_id, error=reason)
        raise


def _draft(ctx: DraftContext, *, project_id: str, language: str, five_why_ids: list[str]) -> DraftOutcome:
    with transaction(ctx.sessions) as session:
        chunks = ctx.load_chunks(session, project_id)
        passages = Passages(chunks)
        inp = DraftInput(
            chunks=chunks,
            facts=ctx.extract(chunks),
            requirements=links.requirements(session, project_id=project_id, passages=passages),
            risks=links.risks(session, project_id=project_id),
            needs=links.needs(session, project_id=project_id, five_why_ids=five_why_ids),
            language=language,
        )
    llm = ctx.chat_model() if chunks else None
    # A person asked for the plan and waits for it: its calls go before background scans, as a 5-Why's do,
    # although it runs on a worker thread.
    with llm_priority(Priority.interactive):
        return draft_plan(inp, llm=llm, method=ctx.method, busy_deadline_s=ctx.busy_deadline_s)


def _write_draft(ctx: DraftContext, *, plan_id: str, job_id: str, outcome: DraftOutcome) -> PlanPublic | None:
    new = outcome.content.model_dump(mode="json")
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with transaction(ctx.sessions) as session:
                plan = _current(session, plan_id, job_id)
                if plan is None:
                    jobs.finish(session, job_id=job_id)
                    return None
                content, suggested = merge.merge(
                    dict(plan.content or {}), plan.drafted, new, set(plan.person_fields or [])
                )
                known = repo.suggestion_hashes(session, plan_id=plan.id)
                fresh = [s for s in suggested if s.value_hash not in known]
                repo.add_suggestions(session, suggestions=[_suggestion(plan, s) for s in fresh])
                plan.content, plan.drafted = content, new
                plan.status, plan.reason = PlanStatus.ready.value, None
                plan.drafted_at = plan.updated_at = utcnow()
                plan.draft_stats = {
                    "seconds": outcome.seconds,
                    "llm_calls": outcome.llm_calls,
                    "prompt_tokens": outcome.prompt_tokens,
                    "completion_tokens": outcome.completion_tokens,
                    "chunks": outcome.chunks,
                }
                note = (
                    f"{outcome.llm_calls} LLM call(s), {outcome.seconds:.1f} s; {len(fresh)} suggestion(s) "
                    "for fields people own"
                )
                repo.add_history(
                    session,
                    entries=[
                        edits.entry(
                            plan,
                            ASSISTANT_ACTOR,
                            HistoryKind.drafted,
                            field="status",
                            new_value="ready",
                            note=note,
                        )
                    ]
                    + [
                        edits.entry(
                            plan,
                            ASSISTANT_ACTOR,
                            HistoryKind.suggestion,
                            field=s.field,
                            old_value=edits.fmt(s.old),
                            new_value=edits.fmt(s.new),
                            note=s.note + (f" ({s.item_key})" if s.item_key else ""),
                        )
                        for s in fresh
                    ],
                )
                jobs.finish(session, job_id=job_id)
                repo.flush(session)
                return views.to_public(plan)
        except StaleDataError:  # a person's edit landed between the read and the write: merge again
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    return None


def _suggestion(plan: Plan, s: merge.Suggested) -> PlanSuggestion:
    return PlanSuggestion(
        plan_id=plan.id,
        project_id=plan.project_id,
        field=s.field,
        item_key=s.item_key,
        old_value=s.old,
        new_value=s.new,
        value_hash=s.value_hash,
        note=s.note,
        status=SuggestionStatus.pending.value,
        created_at=utcnow(),
    )


# ---- reading -----------------------------------------------------------------------------------------------


def list_plans(session: Session, *, project_id: str, limit: int = 50, offset: int = 0) -> PlanList:
    rows, total = repo.list_plans(session, project_id=project_id, limit=limit, offset=offset)
    return PlanList(items=[views.to_public(r) for r in rows], total=total)


def get_plan(session: Session, *, project_id: str, plan_id: str) -> PlanDetail:
    return views.detail_of(session, repo.get_plan(session, project_id=project_id, plan_id=plan_id))


def find_plan(session: Session, *, plan_id: str) -> PlanDetail:
    """Any project's plan, by id alone (the command line, whose user sees every project)."""
    plan = repo.find_plan(session, plan_id=plan_id)
    if plan is None:
        raise NotFoundError(f"no plan {plan_id!r}")
    return views.detail_of(session, plan)


# ---- changes by people -------------------------------------------------------------------------------------


def _committed(sessions: sessionmaker[Session], change: Callable[[Session], Plan]) -> PlanDetail:
    with transaction(sessions) as session:
        return views.detail_of(session, change(session))


def update_plan(
    sessions: sessionmaker[Session], *, project_id: str, plan_id: str, data: PlanUpdate, actor: str
) -> PlanDetail:
    return _committed(
        sessions,
        lambda s: edits.update_plan(s, project_id=project_id, plan_id=plan_id, data=data, actor=actor),
    )


def accept_suggestion(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    plan_id: str,
    suggestion_id: int,
    version: int,
    actor: str,
) -> PlanDetail:
    return _committed(
        sessions,
        lambda s: edits.accept_suggestion(
            s,
            project_id=project_id,
            plan_id=plan_id,
            suggestion_id=suggestion_id,
            version=version,
            actor=actor,
        ),
    )


def reject_suggestion(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    plan_id: str,
    suggestion_id: int,
    version: int,
    actor: str,
) -> PlanDetail:
    return _committed(
        sessions,
        lambda s: edits.reject_suggestion(
            s,
            project_id=project_id,
            plan_id=plan_id,
            suggestion_id=suggestion_id,
            version=version,
            actor=actor,
        ),
    )


def delete_plan(sessions: sessionmaker[Session], *, project_id: str, plan_id: str) -> None:
    """The plan, its history and suggestions go; a draft still running for it ends without writing."""
    with transaction(sessions) as session:
        repo.delete_plan(session, plan=repo.get_plan(session, project_id=project_id, plan_id=plan_id))


# ---- exports -----------------------------------------------------------------------------------------------


def export_plan(session: Session, *, project_id: str, plan_id: str, fmt: PlanExportFormat) -> Exported:
    """The plan as Markdown, DOCX or XLSX (assistant/plans/exports.py). A plan whose first draft has not
    finished has nothing to export yet (409)."""
    plan = repo.get_plan(session, project_id=project_id, plan_id=plan_id)
    if plan.drafted is None and not plan.person_fields:
        raise ConflictError(
            f"plan {plan.id} is {plan.status} and has no draft yet; there is nothing to export"
        )
    return exports.render(views.to_public(plan), fmt)
