"""The vector side of the index: one Chroma collection per project, always with our own embeddings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from assistant.errors import ConflictError, ProviderUnavailableError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Metadata

    from assistant.providers.embeddings import NamedEmbeddings


def collection_name(project_id: str) -> str:
    # Project ids are [a-z0-9-]; Chroma wants 3-512 of [a-zA-Z0-9._-] starting and ending alphanumeric.
    return f"proj-{project_id}"


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    similarity: float  # cosine similarity, 1 = same direction


class VectorIndex:
    def __init__(self, client: ClientAPI, embeddings: NamedEmbeddings) -> None:
        self._client = client
        self.embeddings = embeddings

    def _collection(self, project_id: str, *, create: bool) -> Collection | None:
        name = collection_name(project_id)
        try:
            if create:
                col = self._client.get_or_create_collection(
                    name,
                    # None: Chroma's default function would download a model; we always pass vectors.
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedder": self.embeddings.name, "project_id": project_id},
                )
            else:
                try:
                    col = self._client.get_collection(name, embedding_function=None)
                except Exception as exc:  # chromadb raises NotFoundError or ValueError by version
                    if "does not exist" in str(exc) or type(exc).__name__ == "NotFoundError":
                        return None
                    raise
        except Exception as exc:
            raise ProviderUnavailableError(f"the vector store failed: {exc}") from exc
        built_with = (col.metadata or {}).get("embedder")
        if built_with and built_with != self.embeddings.name:
            raise ConflictError(
                f"project {project_id!r} was indexed with embeddings {built_with!r} but the settings ask for "
                f"{self.embeddings.name!r}; switch back or re-index the project (`assistant documents reindex`)"
            )
        return col

    def add(
        self, project_id: str, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]
    ) -> None:
        if not ids:
            return
        col = self._collection(project_id, create=True)
        assert col is not None
        try:
            for i in range(0, len(ids), 1000):
                col.upsert(
                    ids=ids[i : i + 1000],
                    embeddings=vectors[i : i + 1000],
                    metadatas=cast("list[Metadata]", metadatas[i : i + 1000]),
                )
        except Exception as exc:
            raise ProviderUnavailableError(f"the vector store failed to store chunks: {exc}") from exc

    def update_metadata(self, project_id: str, ids: list[str], fields: dict[str, Any]) -> None:
        col = self._collection(project_id, create=False)
        if col is None or not ids:
            return
        try:
            current = col.get(ids=ids, include=["metadatas"])
            metas = [{**(m or {}), **fields} for m in current["metadatas"] or []]
            col.update(ids=current["ids"], metadatas=cast("list[Metadata]", metas))
        except Exception as exc:
            raise ProviderUnavailableError(f"the vector store failed to update chunks: {exc}") from exc

    def delete(
        self,
        project_id: str,
        *,
        document_id: str,
        version: str | None = None,
        keep_version: str | None = None,
    ) -> None:
        """Delete a document's vectors: all of them, one version, or all but ``keep_version`` (the same
        choices as ``chunks.delete_chunks``). Deleting what is not there is no error."""
        col = self._collection(project_id, create=False)
        if col is None:
            return
        where: dict[str, Any] = {"document_id": document_id}
        if version is not None:
            where = {"$and": [where, {"version": version}]}
        elif keep_version is not None:
            where = {"$and": [where, {"version": {"$ne": keep_version}}]}
        try:
            col.delete(where=where)
        except Exception as exc:
            raise ProviderUnavailableError(f"the vector store failed to delete chunks: {exc}") from exc

    def query(
        self, project_id: str, vector: np.ndarray, *, k: int, where: dict[str, Any] | None = None
    ) -> list[VectorHit]:
        col = self._collection(project_id, create=False)
        if col is None:
            return []
        try:
            result = col.query(
                query_embeddings=np.atleast_2d(vector).astype(np.float32),
                n_results=k,
                where=where,
                include=["distances"],
            )
        except Exception as exc:
            raise ProviderUnavailableError(f"the vector store failed to search: {exc}") from exc
        ids = result["ids"][0] if result["ids"] else []
        found = result.get("distances")
        distances = found[0] if found else [1.0] * len(ids)
        return [VectorHit(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    def count(self, project_id: str) -> int:
        col = self._collection(project_id, create=False)
        return 0 if col is None else col.count()

    def drop_project(self, project_id: str) -> None:
        try:
            self._client.delete_collection(collection_name(project_id))
        except Exception as exc:
            if "does not exist" not in str(exc) and type(exc).__name__ != "NotFoundError":
                raise ProviderUnavailableError(f"the vector store failed: {exc}") from exc
