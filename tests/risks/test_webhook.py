from __future__ import annotations

import datetime as dt
import logging

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.risks import edits, service
from assistant.risks import repository as repo
from assistant.risks.models import NotificationStatus
from assistant.risks.schemas import RiskCreate, RiskUpdate
from assistant.risks.settings import RiskSettings
from assistant.risks.webhook import deliver_pending, post_json
from tests.risks.conftest import HOOK_URL, Hook

RS = RiskSettings(webhook_url=HOOK_URL, webhook_retries=3, webhook_backoff_s=1.0)


def post(hook: Hook, retries: int = 3) -> object:
    return post_json(
        HOOK_URL,
        {"event": "risk.created", "风险": "网关延期"},
        retries=retries,
        backoff_s=1.0,
        timeout_s=5,
        transport=hook.transport,
        sleep=hook.sleep,
    )


def test_server_errors_are_retried_with_exponential_back_off(hook: Hook) -> None:
    hook.replies = [500, 503, 200]
    result = post(hook)
    assert result.ok and result.attempts == 3  # type: ignore[attr-defined]
    assert hook.sleeps == [1.0, 2.0]
    assert hook.bodies()[0] == {"event": "risk.created", "风险": "网关延期"}  # JSON, UTF-8


def test_network_errors_are_retried_until_the_budget_is_spent(hook: Hook) -> None:
    hook.replies = [httpx.ConnectError("refused")] * 5
    result = post(hook, retries=2)
    assert not result.ok and result.attempts == 3 and "ConnectError" in (result.error or "")  # type: ignore[attr-defined]
    assert hook.sleeps == [1.0, 2.0]


def test_client_errors_are_not_retried_but_429_is(hook: Hook) -> None:
    hook.replies = [404]
    result = post(hook)
    assert not result.ok and result.attempts == 1 and result.status_code == 404  # type: ignore[attr-defined]
    hook.replies, hook.sleeps = [429, 200], []
    assert post(hook).ok  # type: ignore[attr-defined]
    assert hook.sleeps == [1.0]


def test_retry_after_is_honoured_within_the_cap() -> None:
    sleeps: list[float] = []
    replies = iter([httpx.Response(503, headers={"Retry-After": "7"}), httpx.Response(204)])
    transport = httpx.MockTransport(lambda request: next(replies))
    result = post_json(
        HOOK_URL, {}, retries=1, backoff_s=1.0, timeout_s=1, transport=transport, sleep=sleeps.append
    )
    assert result.ok and sleeps == [7.0]


def _risk(sessions: sessionmaker[Session], project_id: str, p: int, i: int, rs: RiskSettings = RS) -> str:
    with transaction(sessions) as session:
        return edits.create_risk(
            session,
            project_id=project_id,
            data=RiskCreate(title="网关延期", probability=p, impact=i),
            actor="王磊",
            settings=rs,
        ).ref


def test_a_new_high_risk_notifies_once(sessions: sessionmaker[Session], project_id: str, hook: Hook) -> None:
    _risk(sessions, project_id, 4, 3)  # 12: high
    _risk(sessions, project_id, 2, 3)  # 6: medium, no notification
    results = deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep)
    assert [r.ok for r in results] == [True]
    (body,) = hook.bodies()
    assert body["event"] == "risk.created" and body["previous_band"] is None and body["actor"] == "王磊"
    assert body["risk"] == body["risk"] | {"id": "RSK-0001", "score": 12, "band": "high", "status": "open"}  # type: ignore[operator]
    assert deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep) == []  # sent once
    with transaction(sessions) as session:
        (row,) = repo.notifications_in(session, project_id=project_id)
        assert (row.status, row.attempts, row.delivered_at is not None) == ("delivered", 1, True)
        history = service.detail(session, project_id=project_id, ref="RSK-0001").history
    assert "delivered" in (history[-1].note or "") and history[-1].kind == "notification"


def test_raising_into_high_or_critical_notifies_lowering_does_not(
    sessions: sessionmaker[Session], project_id: str, hook: Hook
) -> None:
    ref = _risk(sessions, project_id, 2, 3)
    for version, (p, i) in enumerate([(4, 3), (5, 4), (2, 2), (3, 3)], start=1):
        with transaction(sessions) as session:
            edits.update_risk(
                session,
                project_id=project_id,
                ref=ref,
                actor="李娜",
                settings=RS,
                data=RiskUpdate(version=version, probability=p, impact=i),
            )
    deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep)
    assert [(b["event"], b["previous_band"], b["risk"]["band"]) for b in hook.bodies()] == [  # type: ignore[index]
        ("risk.raised", "medium", "high"),
        ("risk.raised", "high", "critical"),
    ]


def test_no_url_no_notifications(sessions: sessionmaker[Session], project_id: str, hook: Hook) -> None:
    _risk(sessions, project_id, 5, 5, rs=RiskSettings())
    assert deliver_pending(sessions, RiskSettings(), transport=hook.transport) == []
    with transaction(sessions) as session:
        assert repo.notifications_in(session, project_id=project_id) == []


def test_a_failed_delivery_is_kept_logged_and_visible(
    sessions: sessionmaker[Session], project_id: str, hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    _risk(sessions, project_id, 5, 5)
    hook.replies = [500] * 10
    with caplog.at_level(logging.ERROR, logger="assistant.risks.webhook"):
        (result,) = deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep)
    assert not result.ok and result.attempts == 4 and len(hook.requests) == 4
    assert "failed after 4 attempts" in caplog.text
    with transaction(sessions) as session:
        (row,) = repo.notifications_in(session, project_id=project_id)
        assert row.status == NotificationStatus.failed.value and "HTTP 500" in (row.last_error or "")
        history = service.detail(session, project_id=project_id, ref="RSK-0001").history
    assert "FAILED" in (history[-1].note or "")
    # Not retried by itself, but on request, and then it goes through.
    assert deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep) == []
    hook.replies = []
    (again,) = deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep, retry_failed=True)
    assert again.ok
    with transaction(sessions) as session:
        (row,) = repo.notifications_in(session, project_id=project_id)
        assert (row.status, row.attempts) == ("delivered", 5)


def test_a_notification_left_sending_by_a_crash_is_taken_over(
    sessions: sessionmaker[Session], project_id: str, hook: Hook
) -> None:
    _risk(sessions, project_id, 5, 5)
    with transaction(sessions) as session:
        (row,) = repo.notifications_in(session, project_id=project_id)
        claimed = repo.claim_notification(session, notification_id=row.id)
        assert claimed is not None and claimed.status == "sending"
        assert repo.claim_notification(session, notification_id=row.id) is None  # nobody claims it twice
    assert deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep) == []  # still fresh
    with transaction(sessions) as session:
        (row,) = repo.notifications_in(session, project_id=project_id)
        row.updated_at = row.updated_at - dt.timedelta(hours=1)
    (result,) = deliver_pending(sessions, RS, transport=hook.transport, sleep=hook.sleep)
    assert result.ok and len(hook.requests) == 1
