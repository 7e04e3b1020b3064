"""The risk register over HTTP. Thin: parsing and status codes here, everything else in assistant.risks."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, BackgroundTasks, Body, Depends, Query, Response, status

from api.auth import ActorDep
from api.deps import ContainerDep, ProjectDep, SessionDep
from api.schemas import MAX_SQL_INT, Offset, RowId
from assistant.risks import exports, service
from assistant.risks import repository as repo
from assistant.risks.filters import parse_filters, parse_statuses
from assistant.risks.lifecycle import RiskAction
from assistant.risks.models import RiskSource
from assistant.risks.schemas import (
    ActionCreate,
    ActionUpdate,
    HeatMap,
    RiskCreate,
    RiskDetail,
    RiskList,
    RiskUpdate,
    ScanReport,
    ScanRequest,
    TransitionRequest,
)
from assistant.risks.settings import RiskSettings

router = APIRouter(prefix="/projects/{project}/risks", tags=["risks"])


def _doc(text: str) -> str:
    return " ".join(text.split())


ACTOR_NOTE = """ The history records the API key's owner (with `ASSISTANT_AUTH=off`, the `X-Actor` request header:
a person's name, percent-encoded UTF-8 when not ASCII; default `api`). `assistant` is reserved for the automatic
scan."""
LOCK_NOTE = """ Send the `version` you read: if the risk has changed since, the answer is 409 and nothing
changes."""


def get_risk_settings(container: ContainerDep) -> RiskSettings:
    return container.settings.risk


def get_webhook_transport(container: ContainerDep) -> httpx.BaseTransport | None:
    """None: real HTTP (tests set a recording transport on the container or override this dependency)."""
    return container.webhook_transport


RiskSettingsDep = Annotated[RiskSettings, Depends(get_risk_settings)]
TransportDep = Annotated[httpx.BaseTransport | None, Depends(get_webhook_transport)]


def _notify(
    background: BackgroundTasks,
    container: ContainerDep,
    rs: RiskSettings,
    project_id: str,
    transport: httpx.BaseTransport | None,
) -> None:
    """Webhooks go out after the response, from the outbox rows the change committed."""
    if rs.webhook_url:
        background.add_task(
            service.notify, container.sessions, rs, project_id=project_id, transport=transport
        )


StatusQuery = Annotated[
    list[str] | None,
    Query(
        alias="status", description="draft, open, mitigating, accepted, rejected, closed, occurred, reopened"
    ),
]


def _query(
    status_: StatusQuery = None,
    category: Annotated[
        list[str] | None, Query(description="Category slugs, e.g. schedule,data_migration.")
    ] = None,
    band: Annotated[
        list[str] | None, Query(description="low, medium, high, critical (current score).")
    ] = None,
    owner: Annotated[str | None, Query(description="Exact owner, case-insensitive.")] = None,
    overdue: Annotated[bool | None, Query(description="true: review date passed and still watched.")] = None,
    document_id: Annotated[str | None, Query(description="Risks with evidence from this document.")] = None,
    source: Annotated[RiskSource | None, Query(description="ai or person")] = None,
    sort: Annotated[
        str,
        Query(
            description="score, next_review, updated_at, created_at, id, title, status, owner, category, "
            "probability, impact or residual_score; a leading - sorts descending."
        ),
    ] = "-score",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> repo.RiskQuery:
    """Repeated and comma-separated values both work: ?status=open&status=draft, ?status=open,draft."""
    return parse_filters(
        status=status_,
        category=category,
        band=band,
        owner=owner,
        overdue=overdue,
        document_id=document_id,
        source=source.value if source else None,
        sort=sort,
        limit=limit,
        offset=offset,
    )


QueryDep = Annotated[repo.RiskQuery, Depends(_query)]


@router.get(
    "",
    response_model=RiskList,
    summary="List the register",
    description=_doc("""Risks of the project with filters (status, category, band, owner, overdue,
    document_id, source; status, category and band take several values, repeated or comma-separated) and
    sorting (`sort=-score` by default). `total` counts all matches; `limit`/`offset` page through them. Score
    and band are computed from probability x impact on every read."""),
)
def list_risks(project: ProjectDep, session: SessionDep, query: QueryDep) -> RiskList:
    return service.list_risks(session, project_id=project.id, query=query)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RiskDetail,
    summary="Create a risk by hand",
    description=_doc(
        """Creates an `open` risk with source `person` and the next per-project id (RSK-0001 ...). Every
    field sent counts as set by a person, so the automatic scan only suggests other values for it. A new
    risk in band high or critical sends the webhook."""
        + ACTOR_NOTE
    ),
)
def create_risk(
    project: ProjectDep,
    container: ContainerDep,
    body: RiskCreate,
    background: BackgroundTasks,
    rs: RiskSettingsDep,
    transport: TransportDep,
    actor: ActorDep,
) -> RiskDetail:
    out = service.create_risk(container.sessions, project_id=project.id, data=body, actor=actor, settings=rs)
    _notify(background, container, rs, project.id, transport)
    return out


@router.get(
    "/heatmap",
    response_model=HeatMap,
    summary="Heat map data",
    description=_doc("""Counts of risks per probability x impact cell, before mitigation (`inherent`) and
    after (`residual`, from the residual values; a risk without them stays in its inherent cell and is counted
    in `residual_from_inherent`). Matrices are indexed [probability-1][impact-1]; `cells` lists every cell
    with its risk ids. Counts open, reopened, mitigating and accepted risks unless `status` says
    otherwise."""),
)
def heatmap(project: ProjectDep, session: SessionDep, status_: StatusQuery = None) -> HeatMap:
    return service.heatmap(session, project_id=project.id, statuses=parse_statuses(status_) or None)


@router.get(
    "/overdue",
    response_model=RiskList,
    summary="Risks whose review is overdue",
    description=_doc("""Risks still watched (draft, open, reopened, mitigating, accepted) whose `next_review`
    date is before today (server date), oldest first."""),
)
def overdue(project: ProjectDep, session: SessionDep) -> RiskList:
    return service.overdue(session, project_id=project.id)


@router.get(
    "/export",
    summary="Export the register",
    description=_doc("""`format=csv` (UTF-8 with BOM, opens in Excel), `xlsx` (sheets Risks, Actions,
    Evidence, Heat map), `md` (Markdown report with heat map and evidence quotes), `jira` (CSV for
    Jira's CSV importer: Summary, Issue Type, Priority, Due Date as yyyy-MM-dd, Description, Labels), `pmo`
    (XLSX 风险登记册 in the columns a Chinese PMO hands round: 风险编号, 风险类别, 触发条件, 应对策略, 责任人, 识别日期,
    计划关闭日期, 受影响的 WBS/里程碑 ..., with a sheet of evidence) or `zentao` (CSV with ZenTao's risk fields and
    list values, for its import). Takes the same filters as the list. Cells a spreadsheet would run as a formula
    are defused."""),
    response_class=Response,
    responses={200: {"content": {m: {} for m in sorted(set(exports.MEDIA_TYPES.values()))}}},
)
def export_risks(
    project: ProjectDep,
    session: SessionDep,
    query: QueryDep,
    fmt: Annotated[
        exports.ExportFormat, Query(alias="format", description="csv, xlsx, md, jira, pmo or zentao")
    ] = exports.ExportFormat.csv,
) -> Response:
    out = service.export(session, project_id=project.id, fmt=fmt, query=query)
    return Response(
        content=out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.file_name}"'},
    )


@router.post(
    "/scan",
    response_model=ScanReport,
    summary="Scan documents for risks now",
    description=_doc("""Scans one document (`document_id`) or every indexed document of the project: a cue
    pass picks passages with risk language, the LLM returns risks with quoted evidence, findings whose quote
    is not in the passage are dropped, and each finding adds evidence to the matching risk or becomes a
    `draft`. Passages read before are skipped, so scanning again adds nothing. It never changes a status,
    never deletes, and never changes a risk a person has touched: there it adds the evidence and records
    suggestions, which a person may accept (`POST .../suggestions/{suggestion_id}/accept`). Slow with the
    local model (tens of seconds per LLM call). 409 if the document is not indexed; 502/503 when the LLM
    fails or is unreachable (batches already finished are kept)."""),
)
def scan(
    project: ProjectDep,
    container: ContainerDep,
    transport: TransportDep,
    body: Annotated[ScanRequest | None, Body()] = None,
) -> ScanReport:
    return service.scan_risks(
        container.scan_context(transport=transport),
        project_id=project.id,
        document_id=body.document_id if body is not None else None,
    )


@router.get(
    "/{risk_id}",
    response_model=RiskDetail,
    summary="One risk with evidence, actions and history",
    description=_doc("""`risk_id` is the per-project id (RSK-0001; RSK-1 and 1 work too). The history lists
    every change with actor, time, field, old and new value; rows of kind `suggestion` are the assistant's
    differing view of a risk a person has touched, not applied until a person accepts one
    (`POST .../suggestions/{suggestion_id}/accept`)."""),
)
def get_risk(project: ProjectDep, session: SessionDep, risk_id: str) -> RiskDetail:
    return service.detail(session, project_id=project.id, ref=risk_id)


@router.patch(
    "/{risk_id}",
    response_model=RiskDetail,
    summary="Edit a risk",
    description=_doc(
        """Changes the fields present in the body (`null` clears an optional one); each change is a
    history row and the field becomes person-owned (the scan will not overwrite it). Status changes go
    through the transition endpoints. Raising a risk into high or critical sends the webhook."""
        + LOCK_NOTE
        + ACTOR_NOTE
    ),
)
def update_risk(
    project: ProjectDep,
    container: ContainerDep,
    risk_id: str,
    body: RiskUpdate,
    background: BackgroundTasks,
    rs: RiskSettingsDep,
    transport: TransportDep,
    actor: ActorDep,
) -> RiskDetail:
    out = service.update_risk(
        container.sessions, project_id=project.id, ref=risk_id, data=body, actor=actor, settings=rs
    )
    _notify(background, container, rs, project.id, transport)
    return out


@router.post(
    "/{risk_id}/suggestions/{suggestion_id}/accept",
    response_model=RiskDetail,
    summary="Accept the assistant's suggestion for a field",
    description=_doc(
        """A scan never changes a risk a person has touched: where it reads a field differently, or a later
    document says the risk changed (resolved, occurred, more or less likely, worse), it records a history row of
    kind `suggestion` (its `id` is `suggestion_id`; `GET` of the risk lists them with their state). Accepting one
    sets that field to the suggested value, with the person as the actor (the field becomes theirs); a suggested
    status is reached by the lifecycle's moves, each recorded as the person's. 404 when the risk has no such
    suggestion; 409 when the version is stale, the suggestion was decided already or the risk has that value."""
        + LOCK_NOTE
        + ACTOR_NOTE
    ),
)
def accept_suggestion(
    project: ProjectDep,
    container: ContainerDep,
    risk_id: str,
    suggestion_id: RowId,
    version: Annotated[int, Body(embed=True, ge=1, le=MAX_SQL_INT, description="The version you read.")],
    background: BackgroundTasks,
    rs: RiskSettingsDep,
    transport: TransportDep,
    actor: ActorDep,
) -> RiskDetail:
    out = service.accept_suggestion(
        container.sessions,
        project_id=project.id,
        ref=risk_id,
        suggestion_id=suggestion_id,
        version=version,
        actor=actor,
        settings=rs,
    )
    _notify(background, container, rs, project.id, transport)
    return out


@router.post(
    "/{risk_id}/suggestions/{suggestion_id}/reject",
    response_model=RiskDetail,
    summary="Reject the assistant's suggestion",
    description=_doc(
        """Turns a pending suggestion down: a history row records who rejected it (and why, when `reason` is
    given); no field or status changes, and the same suggestion is not made again. 404 when the risk has no
    such suggestion; 409 when it was accepted or rejected already."""
        + ACTOR_NOTE
    ),
)
def reject_suggestion(
    project: ProjectDep,
    container: ContainerDep,
    risk_id: str,
    suggestion_id: RowId,
    actor: ActorDep,
    reason: Annotated[
        str | None, Body(embed=True, max_length=2000, description="Why, for the history (optional).")
    ] = None,
) -> RiskDetail:
    return service.reject_suggestion(
        container.sessions,
        project_id=project.id,
        ref=risk_id,
        suggestion_id=suggestion_id,
        actor=actor,
        reason=reason,
    )


@router.post(
    "/{risk_id}/actions",
    status_code=status.HTTP_201_CREATED,
    response_model=RiskDetail,
    summary="Add a mitigation action",
    description=_doc(
        """A mitigation action with owner and due date. `version` (query) is optional here; when sent,
    a stale one gives 409."""
        + ACTOR_NOTE
    ),
)
def add_action(
    project: ProjectDep,
    container: ContainerDep,
    risk_id: str,
    body: ActionCreate,
    actor: ActorDep,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_SQL_INT, description="The risk's version you read (optional).")
    ] = None,
) -> RiskDetail:
    return service.add_action(
        container.sessions, project_id=project.id, ref=risk_id, data=body, actor=actor, version=version
    )


@router.patch(
    "/{risk_id}/actions/{action_id}",
    response_model=RiskDetail,
    summary="Update a mitigation action",
    description=_doc(
        "Changes description, owner, due date or status (planned, in_progress, done, cancelled)." + ACTOR_NOTE
    ),
)
def update_action(
    project: ProjectDep,
    container: ContainerDep,
    risk_id: str,
    action_id: RowId,
    body: ActionUpdate,
    actor: ActorDep,
) -> RiskDetail:
    return service.update_action(
        container.sessions, project_id=project.id, ref=risk_id, action_id=action_id, data=body, actor=actor
    )


@router.post(
    "/{risk_id}/{action}",
    response_model=RiskDetail,
    summary="Move a risk through its lifecycle",
    description=_doc(
        """`action`: accept (draft -> open; open/reopened -> accepted), reject (draft -> rejected),
    start-mitigation (open/reopened -> mitigating), close (mitigating -> closed), mark-occurred
    (open/reopened/mitigating -> occurred), reopen (closed/rejected/accepted/occurred -> reopened). A move the
    current status does not allow is refused with 409 naming the allowed ones. The body may carry `version`
    (409 when stale) and a `note` kept in the history."""
        + ACTOR_NOTE
    ),
)
def transition(
    project: ProjectDep,
    container: ContainerDep,
    risk_id: str,
    action: RiskAction,
    actor: ActorDep,
    body: Annotated[TransitionRequest | None, Body()] = None,
) -> RiskDetail:
    return service.transition(
        container.sessions, project_id=project.id, ref=risk_id, action=action, data=body, actor=actor
    )
