"""The one place where domain errors become HTTP statuses, and the one shape of every error body.

Every error answer, whatever raised it (a domain error, a request that fails validation, Starlette's own
404 or 405), is an ``ErrorBody``: ``{"detail": "<a sentence>", "error": "<kind>"}``. A 422 is no exception,
so a client reads every error the same way; the OpenAPI declares that shape for every 4XX and 5XX of every
operation.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException

from api.schemas import ErrorBody
from assistant.errors import (
    AssistantError,
    ConfigurationError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    ModelBusyError,
    ModelOutputError,
    NotFoundError,
    ProviderUnavailableError,
    RateLimitedError,
    TooLargeError,
    UnauthenticatedError,
    UnsupportedTypeError,
)

log = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[AssistantError], int]] = [
    (UnauthenticatedError, 401),
    (ForbiddenError, 403),
    (RateLimitedError, 429),
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnsupportedTypeError, 415),
    (TooLargeError, 413),
    (InvalidInputError, 422),
    (ModelOutputError, 502),
    (ProviderUnavailableError, 503),
    (ConfigurationError, 500),
]


# Declared on every operation (FastAPI then leaves out its own 422 schema, a shape this API never sends).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "The request was refused; `detail` says why."},
    "5XX": {"model": ErrorBody, "description": "The server or a model it uses failed; `detail` says how."},
}
MAX_PROBLEMS = 10  # validation problems spelled out in one 422; a hostile body can have a million


def status_for(exc: AssistantError) -> int:
    return next((code for cls, code in STATUS_BY_ERROR if isinstance(exc, cls)), 500)


def _error_name(status: int) -> str:
    return next((cls.__name__ for cls, code in STATUS_BY_ERROR if code == status), "HTTPError")


def validation_detail(exc: RequestValidationError) -> str:
    """One sentence naming each problem by where it is (``query.offset: Input should be ...``)."""
    errors = exc.errors()
    problems = []
    for err in errors[:MAX_PROBLEMS]:
        where = ".".join(str(p) for p in err["loc"] if p != "body")
        problems.append(f"{where}: {err['msg']}" if where else err["msg"])
    if len(errors) > MAX_PROBLEMS:
        problems.append(f"and {len(errors) - MAX_PROBLEMS} more problems")
    return "invalid request: " + "; ".join(problems)


def install_error_handlers(app: FastAPI) -> None:
    """Call before the routers are included: they take the error responses of the app's router with them."""
    app.router.responses = {**ERROR_RESPONSES, **app.router.responses}

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
        elif isinstance(exc, RateLimitedError):
            headers = {"Retry-After": str(max(1, round(exc.retry_after_s)))}
        elif isinstance(exc, UnauthenticatedError):
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse(status_code=code, content=content, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        body = ErrorBody(detail=validation_detail(exc), error=InvalidInputError.__name__)
        return JSONResponse(status_code=422, content=body.model_dump(exclude_none=True))

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> Response:
        """Starlette's and FastAPI's own refusals: no such path, a method it does not take, a body too big."""
        if not is_body_allowed_for_status_code(exc.status_code):
            return Response(status_code=exc.status_code, headers=exc.headers)
        body = ErrorBody(detail=str(exc.detail), error=_error_name(exc.status_code))
        return JSONResponse(
            status_code=exc.status_code, content=body.model_dump(exclude_none=True), headers=exc.headers
        )
