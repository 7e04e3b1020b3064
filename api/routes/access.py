"""API keys, the web app's sign-in, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from api.auth import CSRF_HEADER, SESSION_COOKIE, PrincipalDep
from api.deps import ContainerDep
from api.schemas import Offset
from assistant.auth import audit, keys, service
from assistant.auth.models import ApiKey
from assistant.auth.roles import Role
from assistant.auth.sessions import create_session, end_session
from assistant.db import transaction

router = APIRouter(tags=["access"])

MAX_AUDIT_PAGE = 1000


class KeyCreate(BaseModel):
    name: str = Field(
        min_length=1, max_length=200, description="What the key is for, e.g. 'Wang Lei laptop'."
    )
    role: Role = Field(
        description="viewer (read), analyst (upload, ask, analyse), manager (edit and move risks, "
        "exports), admin (projects, keys, audit)."
    )
    owner: str | None = Field(
        None,
        max_length=200,
        description="The person or service the history names for this key (default: name).",
    )
    projects: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        None, max_length=1000, description="Project ids or names the key may see; null: every project."
    )
    expires_at: dt.datetime | None = Field(None, description="When the key stops working (default: never).")


class KeyPublic(BaseModel):
    id: str
    name: str
    owner: str
    role: Role
    projects: list[str] | None = Field(description="Project ids; null: every project.")
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> KeyPublic:
        return cls(
            id=row.id,
            name=row.name,
            owner=row.owner,
            role=Role(row.role),
            projects=row.projects,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


class KeyCreated(KeyPublic):
    key: str = Field(description="The key itself. It is shown this once and cannot be read again.")


class KeyList(BaseModel):
    items: list[KeyPublic]
    total: int


class SessionCreate(BaseModel):
    key: str = Field(min_length=1, max_length=200, description="An API key.")


class SessionPublic(BaseModel):
    owner: str
    role: Role
    projects: list[str] | None
    auth: Literal["on", "off"]
    csrf_token: str | None = Field(
        None,
        description=f"Send it as the `{CSRF_HEADER}` header with every write made with the session cookie.",
    )


class AuditEntryPublic(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    key_id: str | None
    method: str
    path: str
    route: str | None
    project_id: str | None
    status: int
    client: str | None


class AuditList(BaseModel):
    items: list[AuditEntryPublic]
    total: int


@router.post(
    "/keys",
    response_model=KeyCreated,
    status_code=201,
    summary="Create an API key",
    description="The answer holds the key itself, once: it is stored only as a salted hash.",
)
def create_key(body: KeyCreate, container: ContainerDep) -> KeyCreated:
    created = service.create_key(
        container.sessions,
        name=body.name,
        role=body.role,
        owner=body.owner,
        projects=body.projects,
        expires_at=body.expires_at,
    )
    return KeyCreated(**KeyPublic.of(created.row).model_dump(), key=created.key)


@router.get("/keys", response_model=KeyList, summary="List API keys (never their secrets)")
def list_keys(container: ContainerDep) -> KeyList:
    items = [KeyPublic.of(row) for row in service.list_keys(container.sessions)]
    return KeyList(items=items, total=len(items))


@router.delete(
    "/keys/{key_id}",
    response_model=KeyPublic,
    summary="Revoke an API key",
    description="The key stops working at once, with every browser session made from it; it stays listed.",
)
def revoke_key(key_id: Annotated[str, Path(max_length=40)], container: ContainerDep) -> KeyPublic:
    return KeyPublic.of(service.revoke_key(container.sessions, key_id))


@router.post(
    "/session",
    response_model=SessionPublic,
    summary="Sign the web app in with an API key",
    description=f"Sets the `{SESSION_COOKIE}` cookie (HttpOnly, SameSite=Strict). Writes made with it must send "
    f"the returned `csrf_token` as the `{CSRF_HEADER}` header.",
)
def sign_in(body: SessionCreate, container: ContainerDep, response: Response) -> SessionPublic:
    access = container.settings.access
    if not access.enabled:
        return SessionPublic(owner="api", role=Role.admin, projects=None, auth="off")
    with transaction(container.sessions) as session:
        principal = keys.authenticate(session, body.key.strip())
        assert principal.key_id is not None
        new = create_session(session, key_id=principal.key_id, hours=access.session_hours)
    response.set_cookie(
        SESSION_COOKIE,
        new.cookie,
        max_age=access.session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=access.secure_cookie,
        path="/",
    )
    return SessionPublic(
        owner=principal.owner,
        role=principal.role,
        projects=sorted(principal.projects) if principal.projects is not None else None,
        auth="on",
        csrf_token=new.csrf,
    )


@router.get(
    "/session",
    response_model=SessionPublic,
    summary="Who is calling",
    description="The key's owner, role and projects; with the session cookie, also its CSRF token (the web app "
    "reads it after a reload).",
)
def whoami(principal: PrincipalDep, container: ContainerDep, request: Request) -> SessionPublic:
    return SessionPublic(
        owner=principal.owner,
        role=principal.role,
        projects=sorted(principal.projects) if principal.projects is not None else None,
        auth=container.settings.access.auth,
        csrf_token=getattr(request.state, "csrf", None),  # set when the session cookie authenticated
    )


@router.delete("/session", status_code=204, summary="Sign the web app out")
def sign_out(container: ContainerDep, request: Request) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with transaction(container.sessions) as session:
            end_session(session, cookie)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get(
    "/audit",
    response_model=AuditList,
    summary="The audit log: every write and export",
    description="Newest first. `format=csv` returns the matching rows (up to `limit`) as a CSV file.",
    responses={200: {"content": {"text/csv": {}}}},
)
def list_audit(
    container: ContainerDep,
    project: Annotated[str | None, Query(max_length=200, description="Project id.")] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    since: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 100,
    offset: Offset = 0,
    format: Literal["json", "csv"] = "json",
) -> AuditList | PlainTextResponse:
    with container.sessions() as session:
        rows, total = audit.list_entries(
            session, project_id=project, actor=actor, since=since, limit=limit, offset=offset
        )
        if format == "csv":
            return PlainTextResponse(
                audit.to_csv(rows),
                media_type="text/csv",
                headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
            )
        items = [AuditEntryPublic.model_validate(r, from_attributes=True) for r in rows]
    return AuditList(items=items, total=total)
