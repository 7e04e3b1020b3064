from __future__ import annotations

from assistant.requirements import RULES, Finding, detect, score
from assistant.requirements.scoring import deductions


def finding(rule: str) -> Finding:
    return Finding(rule=rule, words=["x"], message="m", span=(0, 1))


def test_clean_statement_scores_100() -> None:
    assert score([]) == 100


def test_deduction_uses_rule_weights() -> None:
    assert score([finding("vague_term")]) == 100 - RULES["vague_term"].weight
    assert score([finding("weak_modal")]) == 100 - RULES["weak_modal"].weight


def test_deduction_per_rule_is_capped() -> None:
    many = [finding("vague_term")] * 10
    assert deductions(many) == {"vague_term": RULES["vague_term"].cap}
    assert score(many) == 100 - RULES["vague_term"].cap


def test_score_is_floored_at_zero() -> None:
    every = [finding(r) for r in RULES for _ in range(10)]
    assert score(every) == max(0, 100 - sum(r.cap for r in RULES.values()))
    assert score(every) >= 0


def test_unknown_rules_are_ignored() -> None:
    assert score([finding("not_a_rule")]) == 100


def test_vaguer_statement_scores_lower() -> None:
    good = score(detect("The portal shall answer 95% of searches within 2 seconds."))
    bad = score(detect("The portal should be fast and user-friendly if possible."))
    assert good == 100 and bad < 80
