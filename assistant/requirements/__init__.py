"""Requirement-quality engine: extraction, classification, quality rules, scoring, rewrite and consistency.

Pure functions over text; no LLM, no database. ``check_text`` runs the whole pipeline on a document.
"""

from __future__ import annotations

from assistant.language import statement_language

from .classify import Embeds, classify, embedders, prototype_similarities
from .consistency import find_contradictions, find_duplicates
from .extract import extract_requirements
from .models import (
    CheckedRequirement,
    Contradiction,
    DuplicatePair,
    Finding,
    RequirementStatement,
)
from .rewrite import suggest_rewrite
from .rules import RULES, Rule, detect, find_modals
from .scoring import score

__all__ = [
    "RULES",
    "CheckedRequirement",
    "Contradiction",
    "DuplicatePair",
    "Finding",
    "RequirementStatement",
    "Rule",
    "check_statement",
    "check_text",
    "classify",
    "detect",
    "extract_requirements",
    "find_contradictions",
    "find_duplicates",
    "score",
    "suggest_rewrite",
]


def check_statement(
    text: str,
    *,
    language: str | None = None,
    id: str | None = None,
    span: tuple[int, int] | None = None,
    source: dict | None = None,
    context: str | None = None,
    embed: Embeds | None = None,
    sims: dict[str, float] | None = None,
) -> CheckedRequirement:
    """Classify, check, score and sketch a rewrite for one requirement statement.

    ``context`` is the lead-in a list item hangs from ("The system shall:"); its modal counts for the item.
    """
    lang = language if language in ("zh", "en") else statement_language(text)
    kind, quality_class, confidence = classify(text, embed=embed, sims=sims)
    findings = detect(text, lang)
    if context and find_modals(context):
        findings = [f for f in findings if f.rule not in ("missing_modal", "weak_modal")]
    ears, criteria = suggest_rewrite(text, findings, lang)
    return CheckedRequirement(
        id=id,
        text=text,
        language=lang,
        kind=kind,
        quality_class=quality_class,
        confidence=confidence,
        score=score(findings),
        findings=findings,
        rewrite=ears,
        acceptance_criteria=criteria,
        span=span,
        source=source,
    )


def check_text(
    text: str, *, language: str | None = None, source: dict | None = None, embed: Embeds | None = None
) -> list[CheckedRequirement]:
    """Extract every requirement in ``text`` and check each; ``language`` forces zh/en, else per statement."""
    statements = extract_requirements(text, source=source)
    # One embedding call for every distinct statement: one call per statement cost ~75 ms each, so a
    # document repeating one line 2,000 times took minutes.
    models = embedders(embed)
    distinct = list(dict.fromkeys(s.text for s in statements))
    sims = (
        dict(zip(distinct, prototype_similarities(distinct, models), strict=True))
        if models and distinct
        else {}
    )
    return [
        check_statement(
            s.text,
            language=language or s.language,
            id=s.id,
            span=s.span,
            source=s.source,
            context=s.context,
            embed=embed,
            sims=sims.get(s.text),
        )
        for s in statements
    ]
