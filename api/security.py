"""What every response and every write goes through, below the routes: security headers, refusal of writes a
browser sends from another site, and the audit log.

A pure ASGI middleware, so streamed answers (server-sent events) pass through untouched.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from anyio import to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.policy import OWN_BODY_LIMIT, rule_for
from assistant.auth.audit import record
from assistant.auth.keys import Principal
from assistant.auth.models import AuditEntry
from assistant.db import transaction

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Swagger UI and ReDoc load their scripts from a CDN and inline their start-up; they keep FastAPI's defaults.
DOC_PAGES = ("/docs", "/redoc")
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
_INLINE = re.compile(r"<(script|style)(?:\s[^>]*)?>(.*?)</\1>", re.S | re.I)


def content_security_policy(page: str, *, style_nonce: str | None = None) -> str:
    """Only this server's own resources, and the page's own inline blocks by their hash (not 'unsafe-inline');
    with ``style_nonce``, also the styles the web app writes at run time carrying that page load's nonce."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for kind, body in _INLINE.findall(page):
        if not body.strip():  # a <script src=...></script> runs no inline code
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes[kind.lower()].append(f"'sha256-{digest}'")
    if style_nonce is not None:
        hashes["style"].append(f"'nonce-{style_nonce}'")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(hashes["script"]),
            "style-src 'self' " + " ".join(hashes["style"]),
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: sessionmaker[Session],
        csp: str,
        allowed_origins: Iterable[str] = (),
        max_body_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # A body sent without a length is counted as it arrives (Starlette answers 413 past the limit).
        self.limited = RequestBodyLimitMiddleware(app, max_body_bytes) if max_body_bytes is not None else app
        self.sessions = sessions
        self.csp = csp
        self.allowed_origins = {o.lower() for o in allowed_origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = Headers(scope=scope)
        if method in UNSAFE_METHODS and not self._same_site(scope, headers):
            await self._refuse(send, headers.get("origin") or "another site")
            return
        if self._declared_too_large(scope, headers):
            # Said in the API's error shape before a byte is read.
            await self._reply(
                send,
                413,
                f"the request body is over {self.max_body_bytes} bytes (ASSISTANT_MAX_REQUEST_KB)",
                "TooLargeError",
            )
            return
        state = scope.setdefault("state", {})
        status = 500  # what the audit log says when the application fails before answering
        path: str = scope["path"]
        with_csp = not path.startswith(DOC_PAGES)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                raw = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                extra = dict(BASE_HEADERS)
                if with_csp:
                    extra["content-security-policy"] = self.csp
                raw += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present]
                message = {**message, "headers": raw}
            await send(message)

        inner = self.app if OWN_BODY_LIMIT.fullmatch(path) else self.limited
        try:
            await inner(scope, receive, send_with_headers)
        finally:
            if self._audited(scope, method):
                await to_thread.run_sync(self._write_audit, scope, headers, state, status)

    def _same_site(self, scope: Scope, headers: Headers) -> bool:
        """A browser names the page's origin on every cross-origin write; tools such as curl send none. A write
        from another site is refused whatever it carries, so a signed-in browser cannot be used from there."""
        if headers.get("sec-fetch-site") == "cross-site":
            return False
        origin = headers.get("origin")
        if origin is None:
            return True
        origin = origin.lower().rstrip("/")
        host = headers.get("host", "").lower()
        return origin in {f"http://{host}", f"https://{host}"} or origin in self.allowed_origins

    def _declared_too_large(self, scope: Scope, headers: Headers) -> bool:
        declared = headers.get("content-length", "")
        if self.max_body_bytes is None or not declared.isdigit() or OWN_BODY_LIMIT.fullmatch(scope["path"]):
            return False
        return int(declared) > self.max_body_bytes

    @classmethod
    async def _refuse(cls, send: Send, origin: str) -> None:
        await cls._reply(
            send,
            403,
            f"a write sent by a web page of {origin} is refused: only this server's own pages "
            "(and ASSISTANT_CORS_ORIGINS) may write",
            "ForbiddenError",
        )

    @staticmethod
    async def _reply(send: Send, status: int, detail: str, error: str) -> None:
        body = json.dumps({"detail": detail, "error": error}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *[(k.encode(), v.encode()) for k, v in BASE_HEADERS.items()],
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _audited(scope: Scope, method: str) -> bool:
        if method in UNSAFE_METHODS:
            return True
        route = scope.get("route")
        rule = rule_for(method, getattr(route, "path", "")) if route is not None else None
        return rule is not None and rule.audited

    def _write_audit(self, scope: Scope, headers: Headers, state: dict[str, object], status: int) -> None:
        principal = state.get("principal")
        route = scope.get("route")
        client = scope.get("client")
        query = scope.get("query_string", b"").decode("latin-1")
        entry = AuditEntry(
            actor=principal.owner if isinstance(principal, Principal) else "anonymous",
            key_id=principal.key_id if isinstance(principal, Principal) else None,
            method=scope["method"],
            path=scope["path"] + (f"?{query}" if query else ""),
            route=getattr(route, "path", None),
            project_id=_project_id(state, scope),
            status=status,
            client=client[0] if client else None,  # behind a proxy: run uvicorn with --proxy-headers
        )
        try:
            with transaction(self.sessions) as session:
                record(session, entry)
        except Exception:  # the audit must never turn a done write into an error; it is logged loudly instead
            log.exception("audit log: could not record %s %s", entry.method, entry.path)


def _project_id(state: dict[str, object], scope: Scope) -> str | None:
    found = state.get("project_id")
    if isinstance(found, str):
        return found
    ref = (scope.get("path_params") or {}).get("project")
    return str(ref)[:40] if ref is not None else None
