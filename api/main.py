"""The ASGI app. ``uvicorn api.main:app`` serves it with settings from the environment."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api.container import Container
from api.errors import install_error_handlers
from api.routes import ask, documents, five_why, health, jobs, projects, requirements, risks, search
from api.routes.health import app_version
from assistant.settings import Settings, load_settings

# Package data (pyproject.toml), read through importlib.resources so an installed wheel serves it too.
WEB_PAGE = files("api") / "web" / "index.html"

DESCRIPTION = """Requirements and risk assistant for system-integration projects (ERP, MES, WMS, CRM, OA ...).
Upload meeting notes, e-mails and specifications in Chinese or English; ask questions with cited answers;
analyse requests with 5-Why; check requirement quality; keep the risk register current."""


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    settings = settings or (container.settings if container else load_settings())
    owned = container is None
    container = container or Container(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container.start_background()  # ingestion jobs and risk scans, resumed where a stop left them
        yield
        if owned:
            container.close()

    app = FastAPI(
        title="Requirements & Risk Assistant",
        version=app_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.container = container
    install_error_handlers(app)
    for module in (projects, documents, jobs, search, ask, five_why, requirements, risks, health):
        app.include_router(module.router)
    app.include_router(documents.reindex_router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return WEB_PAGE.read_text(encoding="utf-8")

    return app


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
