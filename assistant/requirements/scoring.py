"""Quality score of one statement: 100 minus rule-weighted deductions, each rule capped, floored at 0."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .models import Finding
from .rules import RULES


def deductions(findings: Iterable[Finding]) -> dict[str, int]:
    """Points each rule takes off; a rule that fires many times stops at its cap."""
    counts = Counter(f.rule for f in findings)
    out = {}
    for rule_id, n in counts.items():
        rule = RULES.get(rule_id)
        if rule is not None:
            out[rule_id] = min(rule.weight * n, rule.cap)
    return out


def score(findings: Iterable[Finding]) -> int:
    return max(0, 100 - sum(deductions(findings).values()))
