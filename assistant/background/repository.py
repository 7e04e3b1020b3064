"""All SQL for background tasks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant.background.models import Task, TaskStatus
from assistant.db import affected_rows, utcnow

WAITING = (TaskStatus.queued.value, TaskStatus.running.value)


def add_task(session: Session, *, queue: str, name: str, payload: dict[str, Any], key: str | None) -> Task:
    """A new queued task, or the one with the same queue, name and key that has not started yet."""
    if key is not None:
        waiting = session.scalars(
            select(Task).where(
                Task.queue == queue,
                Task.name == name,
                Task.key == key,
                Task.status == TaskStatus.queued.value,
            )
        ).first()
        if waiting is not None:
            return waiting
    task = Task(queue=queue, name=name, key=key, payload=payload)
    session.add(task)
    session.flush()
    return task


def claim_next(session: Session, *, queue: str) -> Task | None:
    """The oldest queued task of the queue, marked running. The conditional update makes the claim safe
    when two processes share the database: only one of them changes the row."""
    for task_id in session.scalars(
        select(Task.id)
        .where(Task.queue == queue, Task.status == TaskStatus.queued.value)
        .order_by(Task.id)
        .limit(5)
    ):
        claimed = session.execute(
            update(Task)
            .where(Task.id == task_id, Task.status == TaskStatus.queued.value)
            .values(status=TaskStatus.running.value, started_at=utcnow(), attempts=Task.attempts + 1)
        )
        if affected_rows(claimed) == 1:
            return session.get(Task, task_id)
    return None


def finish(session: Session, *, task_id: int, error: str | None) -> None:
    task = session.get(Task, task_id)
    if task is not None:
        task.status = (TaskStatus.failed if error else TaskStatus.done).value
        task.error, task.finished_at = error, utcnow()


def set_progress(session: Session, *, task_id: int, done: int, total: int) -> None:
    task = session.get(Task, task_id)
    if task is not None:
        task.done, task.total = done, total


def latest_tasks(session: Session, *, queue: str, keys: Iterable[str]) -> dict[str, Task]:
    """The newest task of each key on the queue."""
    out: dict[str, Task] = {}
    wanted = list(keys)
    for i in range(0, len(wanted), 500):
        for task in session.scalars(
            select(Task).where(Task.queue == queue, Task.key.in_(wanted[i : i + 500])).order_by(Task.id)
        ):
            out[task.key or ""] = task
    return out


def requeue(session: Session, *, task_id: int) -> None:
    task = session.get(Task, task_id)
    if task is not None:
        task.status, task.started_at = TaskStatus.queued.value, None


def requeue_interrupted(session: Session, *, queues: Iterable[str]) -> int:
    """Tasks left 'running' by a process that stopped: queued again, to run from the start."""
    return affected_rows(
        session.execute(
            update(Task)
            .where(Task.queue.in_(list(queues)), Task.status == TaskStatus.running.value)
            .values(status=TaskStatus.queued.value)
        )
    )


def waiting_count(session: Session, *, queues: Iterable[str]) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.queue.in_(list(queues)), Task.status.in_(WAITING))
        )
        or 0
    )


def recent_tasks(session: Session, *, queue: str, limit: int = 20) -> list[Task]:
    return list(
        session.scalars(select(Task).where(Task.queue == queue).order_by(Task.id.desc()).limit(limit))
    )
