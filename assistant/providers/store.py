"""The Chroma client: a local folder by default, a server when ASSISTANT_CHROMA_URL is set."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from assistant.errors import ProviderUnavailableError
from assistant.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


def make_chroma_client(settings: Settings) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma.url:
        url = urlparse(settings.chroma.url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise ProviderUnavailableError(
                f"Chroma server at {settings.chroma.url} (ASSISTANT_CHROMA_URL) is not reachable: {exc}"
            ) from exc
        return client
    path = settings.resolved_chroma_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
