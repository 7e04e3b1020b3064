"""Vector stores that fail at chosen points of a write, for the crash tests of ingestion."""

from __future__ import annotations

from typing import Any

import numpy as np

from api.container import Container
from assistant.index.vector import VectorIndex
from assistant.providers.store import make_chroma_client
from ingest.pipeline import Ingestor, sha256_hex

NAME = "周例会纪要.md"


def minutes(topic: str) -> bytes:
    """Several chunks' worth of meeting notes; ``topic`` is a word only this version holds."""
    lines = [f"# 周例会纪要 {topic}", ""]
    lines += [
        f"第{i}项：{topic} 接口联调安排，负责人王磊，计划于2026年5月{i + 1}日前完成数据核对。"
        for i in range(60)
    ]
    return "\n".join(lines).encode()


V1, V2 = minutes("Kestrel"), minutes("Osprey")
WORD = {sha256_hex(V1): "Kestrel", sha256_hex(V2): "Osprey"}


class Killed(BaseException):
    """The process dies here: no ``except Exception`` of the product catches it, nothing after it runs, and
    open transactions are rolled back, as they are when a process is killed."""


class CrashingVectors(VectorIndex):
    """The real vector index over the same store, except that the process dies at one point of a write:
    ``before_vectors`` (rows written, no vector yet), ``half_the_vectors``, ``before_the_flip`` (every vector
    written) or ``before_old_removed`` (the new version active, the old one still there)."""

    def __init__(self, container: Container, at: str) -> None:
        super().__init__(make_chroma_client(container.settings), container.embeddings)
        self.at, self.added = at, False

    def add(
        self, project_id: str, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]
    ) -> None:
        if self.at == "before_vectors":
            raise Killed
        if self.at == "half_the_vectors":
            half = len(ids) // 2
            super().add(project_id, ids[:half], vectors[:half], metadatas[:half])
            raise Killed
        super().add(project_id, ids, vectors, metadatas)
        self.added = True
        if self.at == "before_the_flip":
            raise Killed

    def delete(self, project_id: str, **kwargs: Any) -> None:
        if self.at == "before_old_removed" and self.added:
            raise Killed
        super().delete(project_id, **kwargs)


CRASH_POINTS = ["before_vectors", "half_the_vectors", "before_the_flip", "before_old_removed"]


def crashing(container: Container, at: str) -> Ingestor:
    return Ingestor(
        settings=container.settings, sessions=container.sessions, vectors=CrashingVectors(container, at)
    )
