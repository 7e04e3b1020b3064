from __future__ import annotations

import pytest

from assistant.errors import ConflictError, InvalidInputError
from assistant.risks.lifecycle import (
    RiskAction,
    RiskStatus,
    allowed_actions,
    next_status,
    parse_action,
)
from assistant.risks.scoring import Band, band, band_of, band_range, is_raise_into_alert, score

# DESIGN.md, written out cell by cell rather than derived from the code under test.
EXPECTED_BAND = {
    **dict.fromkeys(range(1, 6), "low"),
    **dict.fromkeys(range(6, 12), "medium"),
    **dict.fromkeys(range(12, 20), "high"),
    **dict.fromkeys(range(20, 26), "critical"),
}


@pytest.mark.parametrize("p", range(1, 6))
@pytest.mark.parametrize("i", range(1, 6))
def test_score_is_probability_times_impact_with_design_bands(p: int, i: int) -> None:
    assert score(p, i) == p * i
    assert band_of(p, i) == Band(EXPECTED_BAND[p * i])


def test_band_edges_and_ranges() -> None:
    assert [band(s) for s in (5, 6, 11, 12, 19, 20)] == [
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
    ]
    assert band_range(Band.low) == (1, 5)
    assert band_range(Band.medium) == (6, 11)
    assert band_range(Band.high) == (12, 19)
    assert band_range(Band.critical) == (20, 25)
    assert score(None, 3) is None and band(None) is None


def test_alert_only_for_new_or_raised_high_and_critical() -> None:
    assert is_raise_into_alert(None, Band.high)
    assert is_raise_into_alert(Band.medium, Band.high)
    assert is_raise_into_alert(Band.high, Band.critical)
    assert not is_raise_into_alert(Band.high, Band.high)
    assert not is_raise_into_alert(Band.critical, Band.high)
    assert not is_raise_into_alert(None, Band.medium)
    assert not is_raise_into_alert(Band.low, Band.medium)


ALLOWED = {
    ("draft", "accept"): "open",
    ("draft", "reject"): "rejected",
    ("open", "start-mitigation"): "mitigating",
    ("open", "accept"): "accepted",
    ("open", "mark-occurred"): "occurred",
    ("reopened", "start-mitigation"): "mitigating",
    ("reopened", "accept"): "accepted",
    ("reopened", "mark-occurred"): "occurred",
    ("mitigating", "close"): "closed",
    ("mitigating", "mark-occurred"): "occurred",
    ("closed", "reopen"): "reopened",
    ("rejected", "reopen"): "reopened",
    ("accepted", "reopen"): "reopened",
    ("occurred", "reopen"): "reopened",
}


@pytest.mark.parametrize("status", [s.value for s in RiskStatus])
@pytest.mark.parametrize("action", [a.value for a in RiskAction])
def test_every_transition_follows_the_design(status: str, action: str) -> None:
    expected = ALLOWED.get((status, action))
    if expected is not None:
        assert next_status(status, RiskAction(action)) == RiskStatus(expected)
        return
    with pytest.raises(ConflictError) as info:
        next_status(status, RiskAction(action), ref="RSK-0007")
    message = str(info.value)
    assert "RSK-0007" in message and status in message
    for allowed in (a for (s, a) in ALLOWED if s == status):
        assert allowed in message  # the refusal names what would have worked


def test_allowed_actions_match_the_table() -> None:
    for status in RiskStatus:
        assert sorted(allowed_actions(status)) == sorted(a for (s, a) in ALLOWED if s == status.value)


def test_reopened_behaves_like_open() -> None:
    assert allowed_actions("reopened") == allowed_actions("open")


def test_unknown_action_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="start-mitigation"):
        parse_action("delete")
