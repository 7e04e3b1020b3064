"""Server-sent events for answers that are shown while the model writes them."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator

from pydantic import BaseModel

Emit = Callable[[str, object], None]


def event(kind: str, data: object) -> str:
    payload = data.model_dump_json() if isinstance(data, BaseModel) else json.dumps(data, ensure_ascii=False)
    return f"event: {kind}\ndata: {payload}\n\n"


def streamed(work: Callable[[Emit], BaseModel], final: str) -> Iterator[str]:
    """Runs ``work(emit)`` in a thread (the model calls back while it writes, so the events are handed over a
    queue) and yields each event it emits, then its result as ``final``, or ``error`` with the sentence."""
    handed: queue.Queue[tuple[str, object]] = queue.Queue()

    def run() -> None:
        try:
            handed.put((final, work(lambda kind, data: handed.put((kind, data)))))
        except Exception as exc:  # the stream has started: the error goes in-band
            handed.put(("error", {"detail": str(exc), "error": type(exc).__name__}))

    threading.Thread(target=run, name=f"stream-{final}", daemon=True).start()
    while True:
        kind, data = handed.get()
        yield event(kind, data)
        if kind in (final, "error"):
            return
