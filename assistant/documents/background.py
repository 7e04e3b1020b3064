"""What background work has done for each document: is fast search ready, how far is its risk scan.

People (and the web page) read this to know whether the register and fast search are complete for a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from assistant.background import repository as tasks
from assistant.background.models import Task, TaskStatus
from assistant.documents.models import Document, DocumentStatus
from assistant.index import passage_vectors
from assistant.risks import repository as risk_repo


class ScanStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


@dataclass(frozen=True)
class ScanState:
    status: ScanStatus
    reason: str | None = None
    passages_done: int = 0
    passages_total: int = 0


@dataclass(frozen=True)
class BackgroundState:
    rerank_ready: bool
    scan: ScanState


def scan_task_key(project_id: str, document_id: str) -> str:
    """The key of a document's automatic risk scan on the scan queue (one waiting scan per document)."""
    return f"{project_id}/{document_id}"


def background_states(
    session: Session,
    *,
    project_id: str,
    docs: list[Document],
    rerank_model: str | None,
    auto_scan: bool,
    scan_queue: str,
) -> dict[str, BackgroundState]:
    indexed = [d.id for d in docs if d.status == DocumentStatus.indexed.value]
    ready = (
        passage_vectors.documents_ready(session, model=rerank_model, document_ids=indexed)
        if rerank_model
        else dict.fromkeys(indexed, True)  # no rerank step: nothing to prepare
    )
    latest = tasks.latest_tasks(
        session, queue=scan_queue, keys=[scan_task_key(project_id, d) for d in indexed]
    )
    scanned = risk_repo.scanned_counts(session, project_id=project_id, document_ids=indexed)
    out = {}
    for doc in docs:
        if doc.status != DocumentStatus.indexed.value:
            reason = (
                "the file could not be read"
                if doc.status == DocumentStatus.failed.value
                else "not indexed yet"
            )
            out[doc.id] = BackgroundState(False, ScanState(ScanStatus.pending, reason))
            continue
        task = latest.get(scan_task_key(project_id, doc.id))
        out[doc.id] = BackgroundState(
            ready.get(doc.id, False), _scan_state(task, scanned.get(doc.id, 0), auto_scan)
        )
    return out


def _scan_state(task: Task | None, scanned: int, auto_scan: bool) -> ScanState:
    if task is None:  # indexed before scans were queued, scanned by hand, or automatic scans are off
        if scanned:
            return ScanState(ScanStatus.done, None, scanned, scanned)
        reason = (
            "not scanned yet: POST /projects/{project}/risks/scan scans it now"
            if auto_scan
            else "automatic scans are off (ASSISTANT_RISK_AUTO_SCAN=false): POST /projects/{project}/risks/scan"
        )
        return ScanState(ScanStatus.pending, reason)
    done, total = task.done or 0, task.total or 0
    match TaskStatus(task.status):
        case TaskStatus.queued:
            return ScanState(ScanStatus.pending, "waiting for the model", done, total)
        case TaskStatus.running:
            return ScanState(ScanStatus.running, None, done, total)
        case TaskStatus.done:
            return ScanState(ScanStatus.done, None, done, total)
        case TaskStatus.failed:
            return ScanState(ScanStatus.failed, task.error, done, total)
