"""Named queues of persisted tasks, one worker thread per queue.

Why not a library: Celery, RQ, Dramatiq and Huey each need a broker or a store of their own beside the
database (Redis, RabbitMQ, or Huey's own SQLite file), and the embedded default is one process with one
database. Tasks here are rows of that database (SQLite or PostgreSQL, the same as everything else), so they
survive a restart, are visible to the API and are claimed safely by several processes sharing PostgreSQL.
Moving onto a real broker later means replacing this module behind the same three calls: ``register``,
``submit`` and ``start``.

Each queue has its own thread so slow work on one (risk scans, minutes of LLM time) never delays another
(ingestion). Within a queue tasks run one at a time, oldest first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.background import repository as repo
from assistant.db import transaction

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
Progress = Callable[[int, int], None]

# The task the current thread is running, so a handler can report how far it has got (task_progress()).
_CURRENT: ContextVar[tuple[sessionmaker[Session], int] | None] = ContextVar("background_task", default=None)


def task_progress() -> Progress:
    """``progress(done, total)`` for the task this thread runs (kept on its row, shown to people); a no-op
    outside a task."""
    current = _CURRENT.get()
    if current is None:
        return lambda done, total: None
    sessions, task_id = current

    def progress(done: int, total: int) -> None:
        with transaction(sessions) as session:
            repo.set_progress(session, task_id=task_id, done=done, total=total)

    return progress


# Tasks another process wrote (a CLI ingestion queues its risk scans for the server) are noticed this often.
POLL_S = 2.0


class BackgroundWork:
    def __init__(self, sessions: sessionmaker[Session], *, poll_s: float = POLL_S) -> None:
        self._sessions = sessions
        self._poll_s = poll_s
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._wake: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._busy: dict[str, bool] = {}
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def queues(self) -> list[str]:
        return sorted({queue for queue, _ in self._handlers})

    def register(self, queue: str, name: str, handler: Handler) -> None:
        """``handler(payload)`` does the task; an exception fails that task alone, with its message."""
        with self._lock:
            self._handlers[(queue, name)] = handler
            self._wake.setdefault(queue, threading.Event())

    def submit(self, queue: str, name: str, payload: dict[str, Any], *, key: str | None = None) -> int:
        """Record a task (or find the same one still waiting) and wake the queue's worker if it runs here.
        Submitting never starts a worker: a CLI command queues work the server will do."""
        if (queue, name) not in self._handlers:
            raise KeyError(f"no handler for task {name!r} on queue {queue!r}")
        with transaction(self._sessions) as session:
            task_id = repo.add_task(session, queue=queue, name=name, payload=payload, key=key).id
        self._wake[queue].set()
        return task_id

    def start(self, queues: list[str] | None = None) -> None:
        """Start one worker per registered queue (default all; idempotent). Tasks a stopped process left
        running are queued again first, so they run from the start."""
        with self._lock:
            todo = [q for q in (queues or self.queues) if q in self.queues and q not in self._threads]
            if not todo:
                return
            self._stopping.clear()
            with transaction(self._sessions) as session:
                again = repo.requeue_interrupted(session, queues=todo)
            if again:
                log.info("%d interrupted background task(s) queued again", again)
            for queue in todo:
                thread = threading.Thread(
                    target=self._loop, args=(queue,), name=f"{queue}-worker", daemon=True
                )
                self._threads[queue] = thread
                thread.start()

    def request_stop(self) -> None:
        """No task starts after this; a task whose work fails from now on is queued again, not failed (the
        server is going away, and what it stops, such as the model server, makes running tasks fail)."""
        self._stopping.set()
        for event in self._wake.values():
            event.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every worker after its current task, waiting up to ``timeout`` in all. A task still running
        then is left 'running' in the database and runs again at the next start."""
        self.request_stop()
        deadline = time.monotonic() + timeout
        with self._lock:
            threads, self._threads = self._threads, {}
        for thread in threads.values():
            thread.join(max(0.0, deadline - time.monotonic()))

    def wait_idle(self, queues: list[str] | None = None, timeout: float = 120.0) -> bool:
        """For tests, the demo and the CLI: block until no task of these queues (default all) is waiting."""
        queues = queues or self.queues
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with transaction(self._sessions) as session:
                waiting = repo.waiting_count(session, queues=queues)
            if waiting == 0 and not any(self._busy.get(q) for q in queues):
                return True
            time.sleep(0.05)
        return False

    def _loop(self, queue: str) -> None:
        wake = self._wake[queue]
        while not self._stopping.is_set():
            try:
                ran = self._run_next(queue)
            except Exception:  # the database is away for a moment: wait and try again
                log.exception("background queue %s could not take its next task", queue)
                ran = False
            if not ran:
                wake.wait(self._poll_s)
                wake.clear()

    def _run_next(self, queue: str) -> bool:
        with transaction(self._sessions) as session:
            task = repo.claim_next(session, queue=queue)
            if task is None:
                return False
            task_id, name, payload = task.id, task.name, dict(task.payload)
        handler = self._handlers.get((queue, name))
        error = None
        self._busy[queue] = True
        try:
            if handler is None:
                error = f"no handler for task {name!r} on queue {queue!r}"
            else:
                token = _CURRENT.set((self._sessions, task_id))
                try:
                    handler(payload)
                finally:
                    _CURRENT.reset(token)
        except Exception as exc:
            if self._stopping.is_set():
                # The stop pulled the ground from under it (the model server ended): it did not fail, it
                # was interrupted, and it runs again at the next start.
                log.info("background task %s (%s on %s) interrupted by the stop", task_id, name, queue)
                with transaction(self._sessions) as session:
                    repo.requeue(session, task_id=task_id)
                return True
            log.exception("background task %s (%s on %s) failed", task_id, name, queue)  # it fails alone
            error = str(exc) or type(exc).__name__
        finally:
            self._busy[queue] = False
        with transaction(self._sessions) as session:
            repo.finish(session, task_id=task_id, error=error)
        return True
