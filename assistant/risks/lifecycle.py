"""The risk lifecycle (DESIGN.md, "The risk register"): one table says which action leads where."""

from __future__ import annotations

from enum import StrEnum

from assistant.errors import ConflictError, InvalidInputError


class RiskStatus(StrEnum):
    draft = "draft"
    open = "open"
    mitigating = "mitigating"
    accepted = "accepted"
    rejected = "rejected"
    closed = "closed"
    occurred = "occurred"
    reopened = "reopened"


class RiskAction(StrEnum):
    accept = "accept"
    reject = "reject"
    start_mitigation = "start-mitigation"
    close = "close"
    mark_occurred = "mark-occurred"
    reopen = "reopen"


# "accept" confirms a draft into the register; on an open risk it is the acceptance response
# (status accepted).
_OPEN_MOVES = {
    RiskAction.accept: RiskStatus.accepted,
    RiskAction.start_mitigation: RiskStatus.mitigating,
    RiskAction.mark_occurred: RiskStatus.occurred,
}
_REOPEN = {RiskAction.reopen: RiskStatus.reopened}

TRANSITIONS: dict[RiskStatus, dict[RiskAction, RiskStatus]] = {
    RiskStatus.draft: {RiskAction.accept: RiskStatus.open, RiskAction.reject: RiskStatus.rejected},
    RiskStatus.open: _OPEN_MOVES,
    RiskStatus.reopened: _OPEN_MOVES,  # reopened behaves like open
    RiskStatus.mitigating: {
        RiskAction.close: RiskStatus.closed,
        RiskAction.mark_occurred: RiskStatus.occurred,
    },
    RiskStatus.closed: _REOPEN,
    RiskStatus.rejected: _REOPEN,
    RiskStatus.accepted: _REOPEN,
    RiskStatus.occurred: _REOPEN,
}

CLOSED_STATES = frozenset({RiskStatus.closed, RiskStatus.rejected, RiskStatus.accepted, RiskStatus.occurred})
# Statuses whose review dates still matter: accepted risks are watched, not finished.
REVIEWED_STATES = frozenset(
    {RiskStatus.draft, RiskStatus.open, RiskStatus.mitigating, RiskStatus.reopened, RiskStatus.accepted}
)


def parse_action(value: str) -> RiskAction:
    try:
        return RiskAction(value)
    except ValueError:
        names = ", ".join(a.value for a in RiskAction)
        raise InvalidInputError(f"unknown action {value!r}; use one of: {names}") from None


def allowed_actions(status: str) -> list[str]:
    return [a.value for a in TRANSITIONS[RiskStatus(status)]]


def describe_allowed(status: str) -> str:
    moves = TRANSITIONS[RiskStatus(status)]
    return ", ".join(f"{a.value} (-> {s.value})" for a, s in moves.items()) or "none"


def next_status(status: str, action: RiskAction, *, ref: str = "the risk") -> RiskStatus:
    """The status ``action`` leads to; a refused move names the moves that are allowed."""
    current = RiskStatus(status)
    target = TRANSITIONS[current].get(action)
    if target is None:
        raise ConflictError(
            f"cannot {action.value} {ref} while it is {current.value}; allowed: {describe_allowed(current)}"
        )
    return target
