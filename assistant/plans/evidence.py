"""Evidence a plan keeps is checked against the passages it names: a quote must occur verbatim in its chunk.

What fails the check is dropped, never repaired; an item the documents were said to state that is left without
evidence becomes a proposal, since nothing shows the documents state it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from assistant.plans.facts import Evidence, Item, PlanContent, PlanRequirement, SourceChunk
from assistant.qa.orders import without_orders

# Shortest quote that counts as evidence: a few characters match anywhere and prove nothing.
MIN_QUOTE_CHARS = 4


class Passages:
    """The chunks a draft read, by chunk id and by document, with the text an order to the assistant is
    taken out of (assistant/qa/orders.py): such text backs no claim."""

    def __init__(self, chunks: Sequence[SourceChunk]) -> None:
        self.chunks = list(chunks)
        self.by_id = {c.chunk_id: c for c in self.chunks}
        self.by_document: dict[str, list[SourceChunk]] = {}
        for c in self.chunks:
            self.by_document.setdefault(c.document_id, []).append(c)
        self._facts: dict[str, str] = {}

    def facts(self, chunk: SourceChunk) -> str:
        if chunk.chunk_id not in self._facts:
            self._facts[chunk.chunk_id] = without_orders(chunk.text)
        return self._facts[chunk.chunk_id]

    def holds(self, ev: Evidence) -> bool:
        """The quote is in the chunk it names, or (no chunk named) in one of its document's chunks."""
        quote = ev.quote.strip()
        if len(quote) < MIN_QUOTE_CHARS:
            return False
        if ev.chunk_id is not None:
            chunk = self.by_id.get(ev.chunk_id)
            return chunk is not None and chunk.document_id == ev.document_id and quote in self.facts(chunk)
        return any(quote in self.facts(c) for c in self.by_document.get(ev.document_id, []))


def evidence_from(chunk: SourceChunk, quote: str) -> Evidence:
    return Evidence(
        document_id=chunk.document_id,
        file_name=chunk.file_name,
        page=chunk.page,
        section=chunk.section,
        quote=quote,
        chunk_id=chunk.chunk_id,
        doc_date=chunk.doc_date,
    )


def cited(passages: Passages, chunk: SourceChunk | None, quote: str | None) -> list[Evidence]:
    """The evidence a model's proposal cites (a passage and a quote), if the quote is verbatim in it."""
    if chunk is None or not quote:
        return []
    ev = evidence_from(chunk, quote.strip().strip("\"'“”「」"))
    return [ev] if passages.holds(ev) else []


def locate(passages: Passages, document_id: str | None, text: str) -> Evidence | None:
    """The passage of ``document_id`` holding ``text`` (whitespace may differ: the requirement store keeps
    statements with their spaces collapsed); the quote is the chunk's own characters."""
    if not document_id or not text.strip():
        return None
    words = text.split()
    pattern = re.compile(r"\s*".join(re.escape(w) for w in words))
    for chunk in passages.by_document.get(document_id, []):
        found = pattern.search(passages.facts(chunk))
        if found is not None:
            return evidence_from(chunk, found.group(0))
    return None


def verify(content: PlanContent, passages: Passages) -> PlanContent:
    """A copy of ``content`` keeping only evidence whose quote is verbatim in its passage; a stated item left
    with none is marked proposed."""
    out = content.model_copy(deep=True)
    for item in _items(out):
        item.evidence = [ev for ev in item.evidence if passages.holds(ev)]
        if isinstance(item, Item) and not item.evidence:
            item.proposed = True
    out.cutover.evidence = [ev for ev in out.cutover.evidence if passages.holds(ev)]
    for conflict in out.conflicts:
        conflict.values = [
            v
            for v in conflict.values
            if passages.holds(Evidence(document_id=v.document_id, file_name=v.file_name, quote=v.quote))
        ]
    out.conflicts = [c for c in out.conflicts if len(c.values) >= 2]
    return out


def _items(content: PlanContent) -> Iterable[Item | PlanRequirement]:
    lists: list[Sequence[BaseModel]] = [
        content.systems,
        content.interfaces,
        content.phases,
        content.milestones,
        content.tests,
        content.cutover.stages,
        content.cutover.rollback_triggers,
        content.training,
        content.handover,
    ]
    for items in lists:
        for item in items:
            assert isinstance(item, Item)
            yield item
    for phase in content.phases:
        yield from phase.milestones
    yield from content.requirements


def every_quote(content: PlanContent) -> list[Evidence]:
    """Every piece of evidence the plan carries (the tests check each against its document)."""
    found = [ev for item in _items(content) for ev in item.evidence]
    return found + list(content.cutover.evidence)
