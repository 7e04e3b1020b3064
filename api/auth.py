"""Who is calling and whether they may: the dependency every API operation runs first.

A request is authenticated by ``Authorization: Bearer <key>`` or by the web app's session cookie (then every
write must also echo the session's CSRF token in ``X-CSRF-Token``). With ``ASSISTANT_AUTH=off`` everyone is an
admin named by the ``X-Actor`` header, as on a single-user laptop.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import time
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Request
from limits import parse as parse_rate_limit
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.container import Container
from api.policy import Rule, rule_for
from assistant.auth import keys
from assistant.auth.keys import Principal
from assistant.auth.roles import Role
from assistant.auth.sessions import find_session
from assistant.auth.settings import AccessSettings
from assistant.db import transaction
from assistant.errors import ForbiddenError, NotFoundError, RateLimitedError, UnauthenticatedError
from assistant.projects import repository as projects

log = logging.getLogger(__name__)

SESSION_COOKIE = "ra_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_ACTOR = "api"  # the history's actor when authentication is off and no X-Actor is sent


class LLMRateLimiter:
    """Per key (per client address when authentication is off), over the endpoints that use the model."""

    def __init__(self, settings: AccessSettings) -> None:
        self.item = parse_rate_limit(settings.llm_rate_limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, who: str) -> None:
        if self.limiter.hit(self.item, who):
            return
        stats = self.limiter.get_window_stats(self.item, who)
        raise RateLimitedError(
            f"too many language-model requests for this key (limit {self.item}); try again later",
            retry_after_s=max(1.0, stats.reset_time - time.time()),
        )


def decode_actor(raw: str | None) -> str:
    """Percent-encoded UTF-8 is the portable form; raw UTF-8 bytes (which Starlette reads as Latin-1) are
    accepted as well, since many clients send them."""
    if not raw:
        return ""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        raw = raw.encode("latin-1").decode("utf-8")
    return unquote(raw, errors="replace") if "%" in raw else raw


def _container(request: Request) -> Container:
    return request.app.state.container


def resolve_principal(request: Request, container: Container) -> Principal:
    if not container.settings.access.enabled:
        actor = decode_actor(request.headers.get("x-actor")) or DEFAULT_ACTOR
        return Principal(owner=actor, role=Role.admin, projects=None)
    header = request.headers.get("authorization")
    with transaction(container.sessions) as session:
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise UnauthenticatedError("send the API key as 'Authorization: Bearer <key>'")
            return keys.authenticate(session, token.strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise UnauthenticatedError(
                "an API key is needed: send 'Authorization: Bearer <key>' or sign in to the web app"
            )
        found = find_session(session, cookie)
        if found is None:
            raise UnauthenticatedError("the session has ended; sign in again")
        web_session, key_row = found
        principal = keys.authenticate_row(key_row)
        request.state.csrf = web_session.csrf  # GET /session hands it back to the page after a reload
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER.lower(), "")
            if not hmac.compare_digest(sent.encode(), web_session.csrf.encode()):
                raise ForbiddenError(f"a write from the web app must send the session's {CSRF_HEADER} header")
        return principal


def _route_rule(request: Request) -> tuple[str, Rule | None]:
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return path, rule_for(request.method, path)


def check_project(request: Request, container: Container, principal: Principal) -> None:
    """A project the key does not cover answers exactly as one that does not exist."""
    ref = request.path_params.get("project")
    if ref is None:
        return
    with container.sessions() as session:
        project = projects.get_project(session, ref=ref)
    if not principal.covers(project.id):
        raise NotFoundError(projects.missing_project_message(ref))
    request.state.project = project  # what ProjectDep hands the route, read once
    request.state.project_id = project.id  # for the audit log


def authorize(request: Request) -> Principal | None:
    """Runs before every operation: authenticate, check the project, the role and the rate limit."""
    container = _container(request)
    path, rule = _route_rule(request)
    if rule is not None and rule.role is None:
        return None
    principal = resolve_principal(request, container)
    request.state.principal = principal
    if rule is None:
        log.error("%s %s is not in api/policy.py: refused", request.method, path)
        raise ForbiddenError(f"{request.method} {path} has no access rule; it is refused until it has one")
    check_project(request, container, principal)
    assert rule.role is not None
    if not principal.may(rule.role):
        raise ForbiddenError(
            f"this key's role is {principal.role.value}; {request.method} {path} needs {rule.role.value}"
        )
    if rule.llm:
        limiter: LLMRateLimiter = request.app.state.llm_rate_limiter
        limiter.hit(principal.key_id or f"client:{request.client.host if request.client else '-'}")
    return principal


def get_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:  # a public operation asked for it: nobody is signed in
        raise UnauthenticatedError("this operation needs an API key")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_actor(principal: PrincipalDep) -> str:
    """The name the history records: the key's owner (the X-Actor header only when authentication is off)."""
    return principal.owner


ActorDep = Annotated[str, Depends(get_actor)]
