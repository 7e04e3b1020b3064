"""The webhook outbox: a risk that is new in, or raised into, band high or critical queues a notification row in
the same transaction as the change; webhook.py sends it after the commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.risks import repository as repo
from assistant.risks.models import Risk, RiskNotification
from assistant.risks.scoring import Band, is_raise_into_alert
from assistant.risks.settings import RiskSettings


def queue_alert(
    session: Session, risk: Risk, *, old_band: Band | None, actor: str, settings: RiskSettings
) -> bool:
    """Queue a webhook for a risk new (``old_band`` None) or raised into high/critical; says whether it did."""
    new_band = Band(risk.band)
    if not settings.webhook_url or not is_raise_into_alert(old_band, new_band):
        return False
    event = "risk.created" if old_band is None else "risk.raised"
    payload = {
        "event": event,
        "project_id": risk.project_id,
        "actor": actor,
        "at": utcnow().isoformat(),
        "previous_band": old_band.value if old_band else None,
        "risk": {
            "id": risk.ref,
            "title": risk.title,
            "status": risk.status,
            "category": risk.category,
            "probability": risk.probability,
            "impact": risk.impact,
            "score": risk.score,
            "band": risk.band,
            "owner": risk.owner,
            "source": risk.source,
            "next_review": risk.next_review.isoformat() if risk.next_review else None,
        },
    }
    repo.add_notification(
        session,
        notification=RiskNotification(
            project_id=risk.project_id,
            risk_id=risk.id,
            event=event,
            url=settings.webhook_url,
            payload=payload,
        ),
    )
    return True
