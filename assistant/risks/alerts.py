"""The webhook outbox: an alert is a notification row written in the same transaction as the change; webhook.py
sends it after the commit. Two kinds, so a receiver never mistakes a proposal for a fact:

- a person's risk (``queue_alert``): new in, or raised into, band high or critical by a person's change.
  Events ``risk.created`` and ``risk.raised``, with the risk's fields, which a person set or accepted.
- the assistant's draft (``queue_draft_alert``): a draft the scan created, or raised with more evidence, is in
  band high or critical. Events ``draft.proposed`` and ``draft.raised``, ``confirmed: false``, a summary in
  the code's words, and of the model's words only the draft's title, under ``proposed_title``. The model's
  owner, cause, effect and the rest are not sent: a document could otherwise put a name or a claim into the
  team's chat as if someone had decided it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.risks import repository as repo
from assistant.risks.models import ASSISTANT_ACTOR, Risk, RiskNotification
from assistant.risks.scoring import Band, is_raise_into_alert
from assistant.risks.settings import RiskSettings

MAX_FILE_NAME = 200


def queue_alert(
    session: Session, risk: Risk, *, old_band: Band | None, actor: str, settings: RiskSettings
) -> bool:
    """Queue a webhook for a person's risk new (``old_band`` None) or raised into high/critical; says whether
    it did."""
    url = _alert_url(risk, old_band, settings)
    if url is None:
        return False
    event = "risk.created" if old_band is None else "risk.raised"
    payload = _envelope(event, risk, actor=actor, old_band=old_band) | {
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
    _queue(session, risk, event, payload, url)
    return True


def queue_draft_alert(
    session: Session,
    risk: Risk,
    *,
    old_band: Band | None,
    document_id: str,
    file_name: str | None,
    settings: RiskSettings,
) -> bool:
    """Queue a webhook for the assistant's draft, new (``old_band`` None) or raised into high/critical by the
    document ``document_id``; says whether it did."""
    url = _alert_url(risk, old_band, settings)
    if url is None:
        return False
    event = "draft.proposed" if old_band is None else "draft.raised"
    source = (file_name or document_id)[:MAX_FILE_NAME]
    what = "proposes a new draft risk" if old_band is None else "raised its draft risk"
    summary = (
        f"The assistant {what} {risk.ref} (band {risk.band}) from the document {source}. It is a proposal, "
        "not confirmed: a person must accept or reject it in the register."
    )
    payload = _envelope(event, risk, actor=ASSISTANT_ACTOR, old_band=old_band) | {
        "confirmed": False,
        "summary": summary,
        "document": {"id": document_id, "file_name": file_name},
        "draft": {
            "id": risk.ref,
            "status": risk.status,
            "source": risk.source,
            "category": risk.category,
            "score": risk.score,
            "band": risk.band,
            "proposed_title": risk.title,
        },
    }
    _queue(session, risk, event, payload, url)
    return True


def _alert_url(risk: Risk, old_band: Band | None, settings: RiskSettings) -> str | None:
    """Where the alert goes, or None: no webhook is set, or the risk did not rise into high or critical."""
    if settings.webhook_url and is_raise_into_alert(old_band, Band(risk.band)):
        return settings.webhook_url
    return None


def _envelope(event: str, risk: Risk, *, actor: str, old_band: Band | None) -> dict[str, Any]:
    return {
        "event": event,
        "project_id": risk.project_id,
        "actor": actor,
        "at": utcnow().isoformat(),
        "previous_band": old_band.value if old_band else None,
    }


def _queue(session: Session, risk: Risk, event: str, payload: dict[str, Any], url: str) -> None:
    repo.add_notification(
        session,
        notification=RiskNotification(
            project_id=risk.project_id,
            risk_id=risk.id,
            event=event,
            url=url,
            payload=payload,
        ),
    )
