"""The one place where domain errors become HTTP statuses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.errors import (
    AssistantError,
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    ModelBusyError,
    ModelOutputError,
    NotFoundError,
    ProviderUnavailableError,
    TooLargeError,
    UnsupportedTypeError,
)

log = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[AssistantError], int]] = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnsupportedTypeError, 415),
    (TooLargeError, 413),
    (InvalidInputError, 422),
    (ModelOutputError, 502),
    (ProviderUnavailableError, 503),
    (ConfigurationError, 500),
]


def status_for(exc: AssistantError) -> int:
    return next((code for cls, code in STATUS_BY_ERROR if isinstance(exc, cls)), 500)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def _domain(_request: Request, exc: AssistantError) -> JSONResponse:
        code = status_for(exc)
        if code >= 500:
            log.warning("%s: %s", type(exc).__name__, exc)
        content: dict[str, object] = {"detail": str(exc), "error": type(exc).__name__}
        headers = None
        if isinstance(exc, ModelBusyError):  # a busy model says when to come back and where the call stood
            content["queue_position"] = exc.position
            headers = {"Retry-After": str(max(1, round(exc.retry_after_s)))}
        return JSONResponse(status_code=code, content=content, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"] if p != "body")
            problems.append(f"{where}: {err['msg']}" if where else err["msg"])
        return JSONResponse(
            status_code=422,
            content={"detail": "invalid request: " + "; ".join(problems), "error": "InvalidInputError"},
        )
