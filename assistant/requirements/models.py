"""Result types of the requirement-quality engine (pure data, no behaviour)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Language = Literal["zh", "en"]
Kind = Literal["functional", "non_functional"]
Origin = Literal["sentence", "list_item", "table_row"]


class Finding(BaseModel):
    """One quality problem: which rule fired, on which exact words, and where in the statement."""

    rule: str
    words: list[str]
    message: str
    span: tuple[int, int] | None = None  # offsets into the statement text, not the document


class RequirementStatement(BaseModel):
    """A requirement found in free text; ``text == collapse_ws(document[span[0]:span[1]])``."""

    id: str | None = None
    text: str
    span: tuple[int, int]
    language: Language = "en"
    origin: Origin = "sentence"
    # The lead-in a list item hangs from ("The system shall support:"), so the item can be read alone.
    context: str | None = None
    source: dict | None = None


class CheckedRequirement(BaseModel):
    id: str | None = None
    text: str
    language: Language = "en"
    kind: Kind = "functional"
    quality_class: str | None = None
    confidence: float = 0.0
    score: int = 100
    findings: list[Finding] = Field(default_factory=list)
    rewrite: str = ""
    acceptance_criteria: list[str] = Field(default_factory=list)
    span: tuple[int, int] | None = None
    source: dict | None = None


class DuplicatePair(BaseModel):
    """Indices into the list given to ``find_duplicates``; ``method`` is exact, jaccard or cosine."""

    a: int
    b: int
    score: float
    method: Literal["exact", "jaccard", "cosine"]
    reason: str


class Contradiction(BaseModel):
    """Indices into the list given to ``find_contradictions``; ``kind`` names the conflict type."""

    a: int
    b: int
    kind: Literal["numeric", "timing", "polarity"]
    reason: str


class DuplicateGroup(BaseModel):
    """Statements identical once ids, case, punctuation and spaces are set aside (indices, ascending). Only the
    first is compared with the other statements: a duplicate or contradiction found for it holds for all."""

    members: list[int]


class ConsistencySummary(BaseModel):
    """How far the duplicate and contradiction lists go: the check compares candidate pairs under a budget
    (``assistant/requirements/candidates.py``), never every pair."""

    statements: int
    distinct: int = Field(description="Statements left once identical ones are counted once.")
    pairs_compared: int = Field(description="Candidate pairs judged.")
    duplicates_found: int
    contradictions_found: int
    complete: bool = Field(
        description="True when every pair the thresholds could accept was compared and every finding is listed."
    )
    notes: list[str] = Field(default_factory=list, description="What was left out, and why, in sentences.")
