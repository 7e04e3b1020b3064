"""The one background worker: named queues of tasks kept in the database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.background import repository as repo
from assistant.background.models import Task, TaskStatus
from assistant.background.worker import BackgroundWork
from assistant.db import make_engine, make_session_factory, migrate, transaction


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    yield make_session_factory(engine)
    engine.dispose()


def statuses(sessions: sessionmaker[Session], queue: str) -> list[str]:
    with sessions() as session:
        return [t.status for t in reversed(repo.recent_tasks(session, queue=queue))]


def test_queued_work_waits_for_a_worker_and_survives_a_restart(sessions: sessionmaker[Session]) -> None:
    done: list[str] = []
    first = BackgroundWork(sessions, poll_s=0.05)
    first.register("q", "say", lambda p: done.append(p["word"]))
    first.submit("q", "say", {"word": "a"})  # submitting never starts a worker (a CLI only queues work)
    first.submit("q", "say", {"word": "b"})
    assert done == [] and statuses(sessions, "q") == ["queued", "queued"]

    second = BackgroundWork(sessions, poll_s=0.05)  # as after a restart
    second.register("q", "say", lambda p: done.append(p["word"]))
    second.start()
    try:
        assert second.wait_idle(timeout=10)
    finally:
        second.stop()
    assert done == ["a", "b"]  # oldest first
    assert statuses(sessions, "q") == ["done", "done"]


def test_a_task_interrupted_by_a_stop_runs_again_at_the_next_start(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        task = repo.add_task(session, queue="q", name="say", payload={"word": "x"}, key=None)
        task.status, task.attempts = TaskStatus.running.value, 1  # the process died while running it
    done: list[str] = []
    work = BackgroundWork(sessions, poll_s=0.05)
    work.register("q", "say", lambda p: done.append(p["word"]))
    work.start()
    try:
        assert work.wait_idle(timeout=10)
    finally:
        work.stop()
    assert done == ["x"]
    with sessions() as session:
        assert session.get(Task, task.id).attempts == 2  # type: ignore[union-attr]


def test_the_same_waiting_work_is_queued_once(sessions: sessionmaker[Session]) -> None:
    work = BackgroundWork(sessions)
    work.register("scan", "doc", lambda p: None)
    a = work.submit("scan", "doc", {"id": "d1"}, key="d1")
    assert work.submit("scan", "doc", {"id": "d1"}, key="d1") == a
    assert work.submit("scan", "doc", {"id": "d2"}, key="d2") != a
    with pytest.raises(KeyError, match="no handler"):
        work.submit("scan", "nothing", {})


def test_a_failing_task_fails_alone_with_its_reason(sessions: sessionmaker[Session]) -> None:
    def handler(payload: dict[str, object]) -> None:
        if payload["n"] == 1:
            raise ValueError("file 1 is broken")

    work = BackgroundWork(sessions, poll_s=0.05)
    work.register("q", "t", handler)
    for n in (1, 2):
        work.submit("q", "t", {"n": n})
    work.start()
    try:
        assert work.wait_idle(timeout=10)
    finally:
        work.stop()
    with sessions() as session:
        tasks = list(reversed(repo.recent_tasks(session, queue="q")))
    assert [(t.status, t.error) for t in tasks] == [("failed", "file 1 is broken"), ("done", None)]


def test_slow_work_on_one_queue_never_holds_up_another(sessions: sessionmaker[Session]) -> None:
    release = threading.Event()
    fast_done = threading.Event()
    work = BackgroundWork(sessions, poll_s=0.05)
    work.register("slow", "wait", lambda p: release.wait(10))
    work.register("fast", "go", lambda p: fast_done.set())
    work.start()
    try:
        work.submit("slow", "wait", {})
        work.submit("fast", "go", {})
        assert fast_done.wait(5), "the fast queue waited for the slow one"
        assert not work.wait_idle(["slow"], timeout=0.2)
        release.set()
        assert work.wait_idle(timeout=10)
    finally:
        release.set()
        work.stop()


def test_start_can_run_some_queues_only(sessions: sessionmaker[Session]) -> None:
    ran: list[str] = []
    work = BackgroundWork(sessions, poll_s=0.05)
    work.register("ingest", "job", lambda p: ran.append("ingest"))
    work.register("risk-scan", "doc", lambda p: ran.append("scan"))
    work.submit("ingest", "job", {})
    work.submit("risk-scan", "doc", {})
    work.start(["ingest"])
    try:
        assert work.wait_idle(["ingest"], timeout=10)
    finally:
        work.stop()
    assert ran == ["ingest"] and statuses(sessions, "risk-scan") == ["queued"]


def test_a_task_the_stop_interrupts_is_queued_again_not_failed(sessions: sessionmaker[Session]) -> None:
    model_gone = threading.Event()
    running = threading.Event()

    def scan(payload: dict[str, object]) -> None:
        running.set()
        model_gone.wait(10)
        raise ConnectionError("the model server went away")  # what a call in flight sees at a stop

    work = BackgroundWork(sessions, poll_s=0.05)
    work.register("risk-scan", "doc", scan)
    work.submit("risk-scan", "doc", {})
    work.start()
    assert running.wait(5)
    work.request_stop()
    model_gone.set()
    work.stop(timeout=5)
    assert statuses(sessions, "risk-scan") == ["queued"]
