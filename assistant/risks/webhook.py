"""Webhooks for new or raised high/critical risks: JSON POST, retried with exponential back-off.

Notifications are rows written in the same transaction as the change (an outbox), so a crash between the
change and the POST loses nothing; a delivery that fails after every retry stays in the table as 'failed' with
its error, is logged, and leaves a line in the risk's history.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction, utcnow
from assistant.risks import repository as repo
from assistant.risks.models import ASSISTANT_ACTOR, HistoryKind, NotificationStatus, RiskHistory
from assistant.risks.settings import RiskSettings

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 60.0
# A sender that died mid-POST leaves its row in 'sending'; after this long another sender takes it over.
STUCK_AFTER = dt.timedelta(minutes=15)

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Delivery:
    notification_id: int | None
    ok: bool
    attempts: int
    status_code: int | None
    error: str | None


def _retryable(status_code: int) -> bool:
    return status_code >= 500 or status_code in (408, 425, 429)


def _delay(attempt: int, backoff_s: float, response: httpx.Response | None) -> float:
    delay = backoff_s * 2 ** (attempt - 1)
    if response is not None:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            delay = max(delay, float(retry_after))
    return min(delay, MAX_BACKOFF_S)


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    retries: int,
    backoff_s: float,
    timeout_s: float,
    transport: httpx.BaseTransport | None = None,
    sleep: Sleep = time.sleep,
) -> Delivery:
    """POST ``payload``; retry network errors, 5xx, 408 and 429, not other 4xx (the receiver will not change
    its mind)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "requirements-assistant-risk-register",
        "X-Assistant-Event": str(payload.get("event", "")),
    }
    status_code: int | None = None
    error = "not attempted"
    with httpx.Client(transport=transport, timeout=timeout_s, follow_redirects=False) as client:
        for attempt in range(1, retries + 2):
            response: httpx.Response | None = None
            try:
                response = client.post(url, content=body, headers=headers)
                status_code = response.status_code
                if 200 <= status_code < 300:
                    return Delivery(None, True, attempt, status_code, None)
                error = f"HTTP {status_code}: {response.text[:200]}"
                retry = _retryable(status_code)
            except httpx.HTTPError as exc:
                status_code, error, retry = None, f"{type(exc).__name__}: {exc}", True
            if not retry or attempt > retries:
                return Delivery(None, False, attempt, status_code, error)
            delay = _delay(attempt, backoff_s, response)
            log.info(
                "webhook to %s failed (%s); retry %d of %d in %.1f s", url, error, attempt, retries, delay
            )
            sleep(delay)
    return Delivery(
        None, False, retries + 1, status_code, error
    )  # pragma: no cover - the loop always returns


def deliver_pending(
    sessions: sessionmaker[Session],
    settings: RiskSettings,
    *,
    project_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Sleep = time.sleep,
    retry_failed: bool = False,
) -> list[Delivery]:
    """Send every pending notification (of one project, or all). The HTTP calls run outside any transaction,
    so a slow receiver never holds a database lock."""
    with transaction(sessions) as session:
        repo.requeue_notifications(
            session, stuck_before=utcnow() - STUCK_AFTER, project_id=project_id, include_failed=retry_failed
        )
        ids = repo.pending_notification_ids(session, project_id=project_id)
    results = []
    for notification_id in ids:
        with transaction(sessions) as session:
            row = repo.claim_notification(session, notification_id=notification_id)
            if row is None:
                continue  # another sender took it
            url, payload = row.url, dict(row.payload)
        result = post_json(
            url,
            payload,
            retries=settings.webhook_retries,
            backoff_s=settings.webhook_backoff_s,
            timeout_s=settings.webhook_timeout_s,
            transport=transport,
            sleep=sleep,
        )
        result = Delivery(notification_id, result.ok, result.attempts, result.status_code, result.error)
        _record(sessions, result)
        results.append(result)
    return results


def _record(sessions: sessionmaker[Session], result: Delivery) -> None:
    with transaction(sessions) as session:
        assert result.notification_id is not None
        row = repo.get_notification(session, notification_id=result.notification_id)
        row.attempts += result.attempts
        row.updated_at = utcnow()
        event = row.event
        if result.ok:
            row.status, row.delivered_at, row.last_error = NotificationStatus.delivered.value, utcnow(), None
            note = f"webhook {event} delivered (HTTP {result.status_code}, {result.attempts} attempt(s))"
        else:
            row.status, row.last_error = NotificationStatus.failed.value, result.error
            note = f"webhook {event} FAILED after {result.attempts} attempt(s): {result.error}"
            log.error(
                "risk webhook %s (notification %d, project %s) failed after %d attempts: %s",
                event,
                row.id,
                row.project_id,
                result.attempts,
                result.error,
            )
        repo.add_history(
            session,
            entries=[
                RiskHistory(
                    risk_id=row.risk_id,
                    project_id=row.project_id,
                    actor=ASSISTANT_ACTOR,
                    kind=HistoryKind.notification.value,
                    at=utcnow(),
                    note=note,
                )
            ],
        )
