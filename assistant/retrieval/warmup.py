"""The rerank step's passage vectors, computed in the background after indexing.

Without them a search that meets a passage the rerank model never read pays 0.3-0.8 s for it (13 s on a fresh
850-paragraph upload). This task reads every new chunk once, in small batches, and stops between batches
while a person is waiting for the model: the CPU is theirs first.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.index import passage_vectors as store
from assistant.retrieval.rerank import EmbeddingReranker

WARM_QUEUE = "warm"
WARM_TASK = "rerank_vectors"
# Passages per batch: small enough that a person who starts a call waits at most one batch (~3 s).
BATCH = 8
# How often the warm-up looks again while people are being served.
PAUSE_S = 0.5


def warm_rerank_vectors(
    reranker: EmbeddingReranker,
    sessions: sessionmaker[Session],
    *,
    document_id: str | None,
    people_waiting: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int], None] = lambda done, total: None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Store the vectors of the document's chunks (or of every document still missing some); returns how many
    passages were read."""
    with transaction(sessions) as session:
        todo = store.missing_passages(
            session, model=reranker.name, document_ids=None if document_id is None else [document_id]
        )
    items = list(todo.items())
    done = 0
    progress(0, len(items))
    for i in range(0, len(items), BATCH):
        while people_waiting():
            sleep(PAUSE_S)
        done += reranker.warm(dict(items[i : i + BATCH]))
        progress(min(i + BATCH, len(items)), len(items))
    if document_id is None:
        with transaction(sessions) as session:
            store.forget_unused(session)
    return done
