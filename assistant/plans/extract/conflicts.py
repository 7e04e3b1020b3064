"""Choosing between values the documents give for one field: the later document wins, the rest is listed.

Every reader records what it read as an ``Observation`` (value, where, how firmly stated). A value a table or
an explicit statement gives (``firm``) outranks one inferred from loose prose, whatever the dates: loose prose
only fills a gap. Among firm values the latest document's wins (documents.py ranks them, quoted e-mail text
below its own mail); when firm values from different documents disagree, a ``Conflict`` lists one value per
document, oldest first, each with its quote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.plans.extract.documents import Rank
from assistant.plans.extract.spans import Span, evidence
from assistant.plans.facts import Conflict, ConflictValue, Evidence, SourceChunk


@dataclass(frozen=True)
class Observation:
    value: str
    firm: bool
    rank: Rank
    chunk: SourceChunk
    span: Span  # the passage that states it

    def evidence(self) -> Evidence:
        return evidence(self.chunk, self.span)


def _equal(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def resolve(
    field: str, observed: Sequence[Observation], same: Callable[[str, str], bool] = _equal
) -> tuple[Observation | None, Conflict | None]:
    """The value the plan uses and, when firm values of different documents disagree, the conflict."""
    if not observed:
        return None, None
    firm = [o for o in observed if o.firm]
    if not firm:
        return max(observed, key=lambda o: o.rank), None
    # One value per document: its latest statement (a mail's own text over what it quotes).
    per_doc: dict[str, Observation] = {}
    for o in sorted(firm, key=lambda o: o.rank):
        per_doc[o.chunk.document_id] = o
    ordered = sorted(per_doc.values(), key=lambda o: o.rank)
    chosen = ordered[-1]
    if all(same(o.value, chosen.value) for o in ordered):
        return chosen, None
    values = [
        ConflictValue(
            value=o.value,
            document_id=o.chunk.document_id,
            file_name=o.chunk.file_name,
            doc_date=o.chunk.doc_date,
            quote=o.evidence().quote,
        )
        for o in ordered
    ]
    return chosen, Conflict(field=field, values=values, chosen=chosen.value)
