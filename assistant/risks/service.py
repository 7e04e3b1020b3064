"""The risk register's use cases: what the routes, the CLI commands and the background worker call. One
function per use case, each doing the whole job: a change runs in its own transaction and returns the risk as
it then reads; a read takes the caller's session. How each job is done lives in the modules named for it:
edits, transitions, mitigation, suggestions (people's changes), findings and scan (the assistant's), views,
exports, alerts and webhook (the outbox and its delivery), history (who changed what)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

import httpx
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.projects import repository as projects
from assistant.risks import edits, exports, mitigation, scan, suggestions, transitions, views, webhook
from assistant.risks import repository as repo
from assistant.risks.lifecycle import RiskAction, RiskStatus
from assistant.risks.models import Risk
from assistant.risks.scan import ScanContext
from assistant.risks.schemas import (
    ActionCreate,
    ActionUpdate,
    HeatMap,
    RiskCreate,
    RiskDetail,
    RiskList,
    RiskUpdate,
    ScanReport,
    TransitionRequest,
)
from assistant.risks.settings import RiskSettings

log = logging.getLogger(__name__)

SCAN_QUEUE = "risk-scan"
SCAN_TASK = "scan_document"


# ---- changes by people -------------------------------------------------------------------------------------


def _committed(sessions: sessionmaker[Session], change: Callable[[Session], Risk]) -> RiskDetail:
    """One change in its own transaction; the risk as it reads after the change."""
    with transaction(sessions) as session:
        risk = change(session)
        return views.detail_of(session, risk, on=views.today())


def create_risk(
    sessions: sessionmaker[Session], *, project_id: str, data: RiskCreate, actor: str, settings: RiskSettings
) -> RiskDetail:
    """A risk entered by a person: open, source person, the next RSK id; queues the webhook when it is high or
    critical."""
    return _committed(
        sessions,
        lambda s: edits.create_risk(s, project_id=project_id, data=data, actor=actor, settings=settings),
    )


def update_risk(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    ref: str,
    data: RiskUpdate,
    actor: str,
    settings: RiskSettings,
) -> RiskDetail:
    """A person's edit on the version they read; queues the webhook when it raises the risk into high or
    critical."""
    return _committed(
        sessions,
        lambda s: edits.update_risk(
            s, project_id=project_id, ref=ref, data=data, actor=actor, settings=settings
        ),
    )


def accept_suggestion(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    ref: str,
    suggestion_id: int,
    version: int,
    actor: str,
    settings: RiskSettings,
) -> RiskDetail:
    """A person takes the assistant's suggestion (history row ``suggestion_id`` of kind suggestion) on the
    version they read: a field's value changes with the person as the actor (the field becomes theirs, the
    webhook follows a raise into high or critical); a suggested status is reached by the lifecycle's moves,
    each the person's. 404: the risk has no such suggestion; 409: the version is stale, the suggestion was
    decided already or the risk has that value already."""

    return _committed(
        sessions,
        lambda s: suggestions.accept(
            s,
            project_id=project_id,
            ref=ref,
            suggestion_id=suggestion_id,
            version=version,
            actor=actor,
            settings=settings,
        ),
    )


def reject_suggestion(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    ref: str,
    suggestion_id: int,
    actor: str,
    reason: str | None = None,
) -> RiskDetail:
    """A person turns down the assistant's suggestion: a history row says so; no field or status changes.
    404: the risk has no such suggestion; 409: it was accepted or rejected already."""
    return _committed(
        sessions,
        lambda s: suggestions.reject(
            s, project_id=project_id, ref=ref, suggestion_id=suggestion_id, actor=actor, reason=reason
        ),
    )


def transition(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    ref: str,
    action: RiskAction,
    data: TransitionRequest | None,
    actor: str,
) -> RiskDetail:
    """Move a risk through its lifecycle (``data``: the version read and a note, both optional)."""
    request = data or TransitionRequest()
    return _committed(
        sessions,
        lambda s: transitions.transition(
            s,
            project_id=project_id,
            ref=ref,
            action=action,
            actor=actor,
            version=request.version,
            note=request.note,
        ),
    )


def add_action(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    ref: str,
    data: ActionCreate,
    actor: str,
    version: int | None = None,
) -> RiskDetail:
    """A mitigation action on a risk."""
    return _committed(
        sessions,
        lambda s: mitigation.add_action(
            s, project_id=project_id, ref=ref, data=data, actor=actor, version=version
        )[0],
    )


def update_action(
    sessions: sessionmaker[Session],
    *,
    project_id: str,
    ref: str,
    action_id: int,
    data: ActionUpdate,
    actor: str,
) -> RiskDetail:
    """A change to one mitigation action of a risk."""
    return _committed(
        sessions,
        lambda s: mitigation.update_action(
            s, project_id=project_id, ref=ref, action_id=action_id, data=data, actor=actor
        )[0],
    )


# ---- reading -----------------------------------------------------------------------------------------------


def list_risks(
    session: Session, *, project_id: str, query: repo.RiskQuery, on: dt.date | None = None
) -> RiskList:
    on = on or views.today()
    risks, total = repo.list_risks(session, project_id=project_id, query=query, today=on)
    return RiskList(items=views.public_list(session, risks, on=on), total=total)


def overdue(session: Session, *, project_id: str, on: dt.date | None = None) -> RiskList:
    on = on or views.today()
    risks = repo.overdue_risks(session, project_id=project_id, today=on)
    return RiskList(items=views.public_list(session, risks, on=on), total=len(risks))


def detail(session: Session, *, project_id: str, ref: str, on: dt.date | None = None) -> RiskDetail:
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    return views.detail_of(session, risk, on=on or views.today())


def heatmap(session: Session, *, project_id: str, statuses: Iterable[str] | None = None) -> HeatMap:
    """Open, reopened, mitigating and accepted risks per cell unless ``statuses`` says otherwise."""
    wanted = [RiskStatus(s).value for s in (statuses or views.HEATMAP_STATUSES)]
    risks = repo.risks_in_statuses(session, project_id=project_id, statuses=wanted)
    return views.heat_map(risks, statuses=wanted)


def export(
    session: Session,
    *,
    project_id: str,
    fmt: exports.ExportFormat,
    query: repo.RiskQuery | None = None,
    on: dt.date | None = None,
) -> exports.Exported:
    """The risks matching ``query`` (all by default; limit and offset ignored) as a file."""
    on = on or views.today()
    project = projects.get_project(session, ref=project_id)
    rows = exports.collect(session, project_id=project_id, query=query or repo.RiskQuery(), on=on)
    heat = heatmap(session, project_id=project_id) if fmt in exports.WITH_HEAT_MAP else None
    return exports.render(fmt, rows, heat=heat, project_id=project_id, project_name=project.name, on=on)


# ---- webhooks ----------------------------------------------------------------------------------------------


def notify(
    sessions: sessionmaker[Session],
    settings: RiskSettings,
    *,
    project_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
    retry_failed: bool = False,
) -> list[webhook.Delivery]:
    """Deliver the pending webhook notifications of one project (or all), and with ``retry_failed`` the ones
    that failed before."""
    return webhook.deliver_pending(
        sessions, settings, project_id=project_id, transport=transport, retry_failed=retry_failed
    )


# ---- scans (route, CLI and the background worker all call these) -------------------------------------------


def scan_risks(ctx: ScanContext, *, project_id: str, document_id: str | None = None) -> ScanReport:
    """Scan one document, or every indexed document of the project, now: the strongest candidates of each
    (``scan_max_passages``); the automatic background scan reads the rest. Delivers the webhooks it queued."""
    limit = ctx.rs.scan_max_passages
    if document_id:
        return scan.scan_document(ctx, project_id=project_id, document_id=document_id, limit=limit)
    return scan.scan_project(ctx, project_id=project_id, limit=limit)


def scan_after_indexing(ctx: ScanContext, *, project_id: str, document_id: str) -> ScanReport | None:
    """The automatic scan of a newly indexed or changed document (a background task). None when automatic
    scans are switched off (ASSISTANT_RISK_AUTO_SCAN=false). Passages read before cost nothing, so scanning
    an unchanged document again is cheap."""
    if not ctx.settings.risk.auto_scan:
        return None
    # Every candidate, strongest first: the worker runs it at background priority, yielding between calls.
    report = scan.scan_document(ctx, project_id=project_id, document_id=document_id, limit=None)
    log.info(
        "risk scan of %s: %d passages sent, %d drafts, %d merges, %d dropped, %.1f s",
        document_id,
        report.passages_sent,
        report.drafts_created,
        report.merges,
        report.dropped_bad_quote,
        report.seconds,
    )
    return report
