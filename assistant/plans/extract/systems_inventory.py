"""The system inventory: the systems the interfaces join, and those a glossary defines, with role and vendor.

A role comes from a glossary line ("MES：制造执行系统，本项目新建…" -> 制造执行系统); an owner or vendor from
"产品为 X 的", "supplied by X", or an attendee line "X（MES 供应商）" / "X (MES vendor)".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.plans.extract.documents import Document
from assistant.plans.extract.spans import Span, evidence, fold, lines, sentences
from assistant.plans.extract.systems import (
    Lexicon,
    glossary_entry,
    role_of,
    system_key,
    vendor_in,
    vendors_of_systems,
)
from assistant.plans.facts import Evidence, Interface, SourceChunk, System

_PLATFORM = re.compile(r"系统|平台|总线|(?i:system|platform|bus|service)")


@dataclass
class _Entry:
    name: str
    role: str | None = None
    owner: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


def read_systems(docs: Sequence[Document], lexicon: Lexicon, interfaces: Sequence[Interface]) -> list[System]:
    entries: dict[str, _Entry] = {}

    def entry(name: str, ev: Evidence | None) -> _Entry:
        key = system_key(name)
        e = entries.setdefault(key, _Entry(name))
        if ev is not None and all(ev.quote != x.quote for x in e.evidence) and len(e.evidence) < 3:
            e.evidence.append(ev)
        return e

    for itf in interfaces:
        for name in (itf.source, itf.target):
            if name and itf.evidence:
                entry(name, itf.evidence[0])
    for doc in docs:
        for chunk in doc.chunks:
            text = chunk.text
            for line in lines(text):
                body = line.of(text)
                if (g := glossary_entry(body)) is not None:
                    name, definition = g
                    known = lexicon.find(name)
                    acronym = re.fullmatch(r"[A-Z]{2,6}", name) and _PLATFORM.search(role_of(definition))
                    if (known and known[0].name.strip() == name.strip()) or acronym:
                        e = entry(name, evidence(chunk, line))
                        e.role = e.role or role_of(definition)
                        if v := vendor_in(definition):
                            e.owner = e.owner or v[0]
                for sys, vendor, span in vendors_of_systems(body):
                    if sys in {system_key(k) for k in entries} or lexicon.find(sys):
                        e = entry(sys, evidence(chunk, Span(line.start + span.start, line.start + span.end)))
                        e.owner = e.owner or vendor
                for sent in sentences(text, line):
                    _supplied_by(chunk, sent, lexicon, entry)
    return [
        System(name=e.name, role=e.role, owner=e.owner, evidence=e.evidence)
        for e in entries.values()
        if e.evidence
    ]


def _supplied_by(chunk: SourceChunk, sent: Span, lexicon: Lexicon, entry) -> None:  # type: ignore[no-untyped-def]
    """ "the new WerkOS MES supplied by Werkwelt Systems GmbH": the vendor of the system named just before."""
    raw = sent.of(chunk.text)
    for m in re.finditer(r"(?i:supplied|provided|delivered|developed)\s+by\s+", fold(raw)):
        before = [s for s in lexicon.find(raw[: m.start()]) if m.start() - s.span.end <= 12]
        vendor = vendor_in(raw[m.start() :])
        if before and vendor:
            e = entry(before[-1].name, evidence(chunk, sent))
            e.owner = e.owner or vendor[0]
