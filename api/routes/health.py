from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import ContainerDep
from api.schemas import Health

router = APIRouter(tags=["health"])

AUTH_OFF_WARNING = "authentication is off (ASSISTANT_AUTH=off): anyone who can reach this port reads and changes every project"


def app_version() -> str:
    try:
        return version("requirements-assistant")
    except PackageNotFoundError:
        return "0.0.0"


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness and the state of each backing service",
    description="Checks the database and the vector store; models load on first use, so `loaded` may be false.",
)
def health(container: ContainerDep) -> Health:
    database = vector_store = "ok"
    try:
        with container.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        database = f"error: {exc}"
    try:
        container.vectors._client.heartbeat()
    except Exception as exc:
        vector_store = f"error: {exc}"
    settings = container.settings
    return Health(
        status="ok" if database == vector_store == "ok" else "degraded",
        version=app_version(),
        database=database,
        vector_store=vector_store,
        embeddings={"provider": settings.embeddings.provider.value, "model": settings.embeddings.model},
        llm=container.llm_status(),
        auth=settings.access.auth,
        warnings=[AUTH_OFF_WARNING] if not settings.access.enabled else [],
    )
