"""The ASGI app. ``uvicorn api.main:app`` serves it with settings from the environment."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.auth import LLMRateLimiter, authorize
from api.container import Container
from api.errors import install_error_handlers
from api.policy import describe, rule_for
from api.routes import (
    access,
    ask,
    documents,
    five_why,
    health,
    jobs,
    projects,
    requirements,
    risks,
    search,
    traceability,
)
from api.routes.health import AUTH_OFF_WARNING, app_version
from api.routes.plans import install_plans
from api.security import SecurityMiddleware, content_security_policy
from api.web_app import install_web_app
from assistant.auth.service import ADMIN_KEY_FILE, ensure_admin_key
from assistant.settings import Settings, load_settings

log = logging.getLogger(__name__)

DESCRIPTION = """Requirements and risk assistant for system-integration projects (ERP, MES, WMS, CRM, OA ...).
Upload meeting notes, e-mails and specifications in Chinese or English; ask questions with cited answers;
analyse requests with 5-Why; check requirement quality; keep the risk register current."""


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    settings = settings or (container.settings if container else load_settings())
    owned = container is None
    container = container or Container(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        announce_access(container)
        container.start_background()  # ingestion jobs and risk scans, resumed where a stop left them
        yield
        if owned:
            container.close()

    app = FastAPI(
        title="Requirements & Risk Assistant",
        version=app_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        # Every operation: who is calling, may they, on this project (api/policy.py).
        dependencies=[Depends(authorize)],
    )
    app.state.container = container
    app.state.llm_rate_limiter = LLMRateLimiter(settings.access)
    install_error_handlers(app)
    for module in (projects, documents, jobs, search, ask, five_why, requirements, risks, health, access):
        app.include_router(module.router)
    app.include_router(documents.reindex_router)
    install_plans(app, container)  # the plans routes and the worker that drafts
    app.include_router(traceability.router)

    page = install_web_app(app)  # the built web app at / (api/web_app.py)

    app.add_middleware(
        SecurityMiddleware,
        sessions=container.sessions,
        csp=content_security_policy(page),
        allowed_origins=settings.access.allowed_origins,
        max_body_bytes=settings.access.max_request_kb * 1024,  # 413 before the body is read (not uploads)
    )
    if settings.access.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.access.allowed_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "X-Actor"],
        )
    app.openapi = lambda: openapi_with_access(app)  # type: ignore[method-assign]
    return app


def announce_access(container: Container) -> None:
    """Authentication off is said loudly; the first start with it on makes the admin key and prints it once."""
    settings = container.settings
    if not settings.access.enabled:
        log.warning(AUTH_OFF_WARNING)
        return
    key = ensure_admin_key(container.sessions, settings.data_dir)
    if key is not None:
        path = settings.data_dir / ADMIN_KEY_FILE
        print(
            f"\nFirst start: an admin API key was created. It is shown only this once and kept in {path} "
            f"(readable by you only):\n\n    {key}\n\nSend it as 'Authorization: Bearer <key>', sign in to the "
            "web app with it, or make keys for others with `assistant keys create`.\n",
            file=sys.stderr,
            flush=True,
        )


def openapi_with_access(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus the bearer scheme and, on each operation, the role it needs (from api/policy.py)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = FastAPI.openapi(app)
    schema.setdefault("components", {}).setdefault("securitySchemes", {})["apiKey"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (`assistant keys create`, or the admin key printed at the first start).",
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            rule = rule_for(method, path)
            if rule is None:
                continue
            operation["description"] = (operation.get("description", "") + "\n\n" + describe(rule)).strip()
            if rule.role is not None:
                operation["security"] = [{"apiKey": []}]
                operation["x-required-role"] = rule.role.value
                responses = operation.setdefault("responses", {})
                responses.setdefault("401", {"description": "No valid API key or session."})
                responses.setdefault("403", {"description": "The key's role may not do this."})
                if rule.llm:
                    responses.setdefault("429", {"description": "Over the key's language-model rate limit."})
    app.openapi_schema = schema
    return schema


app: FastAPI  # built on first access, by __getattr__ below


def _app_from_env() -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return create_app()


def __getattr__(name: str) -> FastAPI:
    # Built on first access so that importing api.main (tests, tools) does not open the data directory.
    if name == "app":
        global app
        app = _app_from_env()
        return app
    raise AttributeError(name)
