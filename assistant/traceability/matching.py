"""The rules that link a requirement to the rest of the project: interfaces, 5-Why analyses, risks, priority
and acceptance criteria. Pure functions over text; the builder applies them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from assistant.plans.facts import Interface, TestItem, TestLevel
from assistant.plans.strategy import mentions
from assistant.requirements.consistency import (
    JACCARD_THRESHOLD,
    MIN_SHARED,
    SUBJECT_OVERLAP,
    jaccard,
    normalise,
    tokens,
)
from assistant.requirements.rules import find_modals, has_measure
from assistant.traceability.schemas import Priority

# --------------------------------------------------------------------------------------------------- ids

# An id as documents write them: letters, optional groups, then a number (REQ-007, FR 12, IF-03, IF-G1, SR-1.2).
_ID_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]{0,9}(?:[-_][A-Za-z0-9]{1,10})*[-_ ]?\d+(?:\.\d+)*(?![A-Za-z0-9])"
)
_ID_PART = re.compile(r"[A-Z]+|\d+")

IdKey = tuple[str | int, ...]


# The matrix compares every requirement with every interface, test, risk and analysis: the pure functions of a
# name below are cached, so each name is parsed once per process, not once per pair.
_CACHE = 1 << 16


@lru_cache(maxsize=_CACHE)
def id_key(ident: str) -> IdKey:
    """The same id however it is written: case, separators and leading zeros aside (REQ-007 = req 7 = REQ007)."""
    text = unicodedata.normalize("NFKC", ident).upper()
    return tuple(int(p) if p.isdigit() else p for p in _ID_PART.findall(text))


def mentioned_ids(text: str) -> set[IdKey]:
    return {id_key(m.group()) for m in _ID_TOKEN.finditer(unicodedata.normalize("NFKC", text))}


def sort_key(ident: str) -> tuple[tuple[int, str | int], ...]:
    """Natural order: REQ-2 before REQ-10, letters before numbers at the same place."""
    return tuple((1, p) if isinstance(p, int) else (0, p) for p in id_key(ident))


# ------------------------------------------------------------------------------------------ interfaces

# Protocol words too general to tie a requirement to one interface ("file", "database link"): only a protocol
# name proper (REST, SOAP, MQTT, HL7, SFTP, Kafka ...) counts. Chinese protocol descriptions (文件, 数据库) are
# not matched for the same reason.
_GENERIC_PROTOCOL_WORDS = frozenset(
    {"file", "files", "link", "links", "database", "message", "messages", "queue", "api", "apis", "interface",
     "data", "service", "services", "web", "over", "via", "and", "or", "with", "based", "push", "pull", "batch"}
)  # fmt: skip
_VERSION = re.compile(r"v?\d+(?:\.\d+)*", re.IGNORECASE)
_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9.+-]*[A-Za-z0-9]")
_PARENTHESES = re.compile(r"[(（]([^()（）]+)[)）]")
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]{1,7}(?![A-Za-z0-9])")


@lru_cache(maxsize=_CACHE)
def protocol_words(protocol: str | None) -> frozenset[str]:
    """The protocol's names, lower case: 'SOAP/WebService' -> {soap, webservice}; 'HL7 v2' -> {hl7}."""
    if not protocol:
        return frozenset()
    words = {w.lower() for w in _LATIN_TOKEN.findall(unicodedata.normalize("NFKC", protocol))}
    return frozenset(w for w in words if w not in _GENERIC_PROTOCOL_WORDS and not _VERSION.fullmatch(w))


@lru_cache(maxsize=_CACHE)
def system_aliases(name: str | None, protocol: str | None = None) -> frozenset[str]:
    """The names a document may call a system by: the whole name, what stands in and before its brackets
    ('仓储管理系统(WMS)' -> 仓储管理系统, WMS) and its acronyms ('SAP ERP' -> SAP, ERP), less protocol names."""
    if not name or not name.strip():
        return frozenset()
    name = unicodedata.normalize("NFKC", name).strip()
    aliases = {name, _PARENTHESES.sub("", name).strip()}
    aliases.update(m.strip() for m in _PARENTHESES.findall(name))
    aliases.update(_ACRONYM.findall(name))
    excluded = protocol_words(protocol)
    return frozenset(a for a in aliases if len(a) >= 2 and a.lower() not in excluded)


def _names_any(text: str, aliases: Iterable[str]) -> bool:
    """A Latin name as a whole word (any case), a Chinese one anywhere: the plans' test strategy's rule (the
    substring test first only spares it the names the text cannot hold)."""
    folded = text.casefold()
    return any(a.casefold() in folded and mentions(text, a) for a in aliases)


def keys(ids: Iterable[str]) -> frozenset[IdKey]:
    return frozenset(id_key(i) for i in ids if i)


@dataclass(frozen=True)
class Covered:
    """A plan test with the requirements it covers, their ids parsed once for all requirements."""

    test: TestItem
    requirements: frozenset[IdKey]


def index_tests(tests: Sequence[TestItem]) -> list[Covered]:
    return [Covered(t, keys(t.requirements)) for t in tests]


def tests_covering(own: frozenset[IdKey], tests: Sequence[Covered]) -> list[TestItem]:
    """The plan's tests that list the requirement (by any id it goes by), in the plan's order."""
    return [c.test for c in tests if own & c.requirements]


def interfaces_named(text: str, interfaces: Sequence[Interface], covering: Sequence[TestItem]) -> list[str]:
    """Ids of the interfaces a requirement (its ``text``, the tests ``covering`` it) names, in the plan's order.

    A requirement names an interface when
    1. its text mentions the interface's id (IF-03, however written: if-3, IF03); or
    2. an integration test of the plan covers both the requirement and the interface (the plan itself traces
       them; a UAT, performance or security test lists every interface and ties none to a requirement); or
    3. its text names both ends of the interface (source and target system, by their name, the name in or
       before brackets, or an acronym in it: 'SAP ERP' is named by 'ERP'); or one end and the interface's
       protocol (REST, SOAP, MQTT, HL7, SFTP ...; general words such as 'file' or 'database' do not count).
    A requirement naming one system only, or a protocol only, names no interface: too many share them.
    """
    text = unicodedata.normalize("NFKC", text)
    linked = mentioned_ids(text) | keys(
        i for t in covering if t.level is TestLevel.integration for i in t.interfaces
    )
    out = []
    for interface in interfaces:
        if id_key(interface.id) in linked:
            out.append(interface.id)
            continue
        source = _names_any(text, system_aliases(interface.source, interface.protocol))
        target = _names_any(text, system_aliases(interface.target, interface.protocol))
        protocol = _names_any(text, protocol_words(interface.protocol))
        if (source and target) or ((source or target) and protocol):
            out.append(interface.id)
    return out


# ------------------------------------------------------------------------------------------------ 5-Why


@dataclass(frozen=True)
class NeedTexts:
    """A 5-Why analysis's texts as the matching reads them, tokenised once for all requirements."""

    ids: frozenset[IdKey]  # ids any of its texts mention
    need: frozenset[str]  # content words of the root need
    others: tuple[
        frozenset[str], ...
    ]  # content words of each other text (the request, restated requirements)


def need_texts(root_need: str, texts: Sequence[str]) -> NeedTexts:
    return NeedTexts(
        ids=frozenset().union(*(mentioned_ids(t) for t in (root_need, *texts))),
        need=frozenset(tokens(root_need)),
        others=tuple(frozenset(tokens(t)) for t in texts),
    )


def answers_need(own: frozenset[IdKey], words: AbstractSet[str], analysis: NeedTexts) -> bool:
    """Whether a 5-Why analysis is answered by a requirement (its ids ``own``, its content ``words``, as
    ``tokens`` gives them).

    It is when one of the analysis's texts mentions the requirement's id; when one of them restates the
    requirement (the requirement checker's near-duplicate test: shared content words over JACCARD_THRESHOLD);
    or when the root need is on the requirement's subject (the checker's same-subject test: MIN_SHARED
    content words in common, SUBJECT_OVERLAP of the shorter one's).
    """
    if own & analysis.ids:
        return True
    if any(jaccard(words, other) >= JACCARD_THRESHOLD for other in analysis.others):
        return True
    need = analysis.need
    shared = len(words & need)
    return (
        bool(words and need)
        and shared >= MIN_SHARED
        and shared / min(len(words), len(need)) >= SUBJECT_OVERLAP
    )


# --------------------------------------------------------------------------------------------- priority

_STATED_PRIORITY = re.compile(
    r"(?:优先级|重要性|重要程度|priority)\s*(?:[:：=为是]\s*)?"
    r"(?P<value>高|中|低|high|medium|low|must|should|could|won'?t|P[0-4])(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_MOSCOW = re.compile(r"(?<![A-Za-z])(?P<value>must|should|could|won'?t)[ -]have(?![A-Za-z])", re.IGNORECASE)
_PRIORITY_OF = {
    "高": Priority.high, "high": Priority.high, "must": Priority.high, "p0": Priority.high, "p1": Priority.high,
    "中": Priority.medium, "medium": Priority.medium, "should": Priority.medium, "p2": Priority.medium,
    "低": Priority.low, "low": Priority.low, "could": Priority.low, "won't": Priority.low, "wont": Priority.low,
    "p3": Priority.low, "p4": Priority.low,
}  # fmt: skip
# A requirement that states no priority has the strength of its modal verb: an obligation (shall, must, 必须, 应)
# is high, a need (needs to, 需要) medium, a wish (should, may, 可, 宜) low, as IEEE 830 / RFC 2119 read them.
_PRIORITY_OF_MODAL = {"strong": Priority.high, "neutral": Priority.medium, "weak": Priority.low}


def priority(text: str) -> Priority | None:
    stated = _STATED_PRIORITY.search(text) or _MOSCOW.search(text)
    if stated:
        return _PRIORITY_OF[stated.group("value").lower()]
    modals = find_modals(text)
    return _PRIORITY_OF_MODAL.get(modals[0].strength) if modals else None


# ---------------------------------------------------------------------------------- acceptance criteria

# The requirement checker writes a criterion it cannot fill as a skeleton with <placeholders> (its rewrite
# module's notation); such a skeleton is a prompt for the analyst, not a criterion anyone can test against.
_PLACEHOLDER = re.compile(r"<[^<>\n]{1,120}>")
# A line of a test's acceptance that speaks for one requirement: "REQ-007: ...".
_ID_LED = re.compile(r"^\s*(?P<id>[^\s:：]{2,40})\s*[:：]\s*(?P<text>.+)$")


def _test_criteria(own: frozenset[IdKey], statement: str, test: TestItem) -> list[str]:
    """What a covering test's acceptance says of this requirement: its own lines when the acceptance is
    written per requirement (lines led by the ids of the requirements the test covers, "REQ-007: ..."), else
    the whole text. A line that only repeats the requirement's statement is not a criterion: it says what must
    hold, not how anyone checks it."""
    covered = keys(test.requirements)
    lines = [m for line in (test.acceptance or "").splitlines() if (m := _ID_LED.match(line))]
    led = [m for m in lines if id_key(m.group("id")) in covered]
    if led:
        texts = [m.group("text").strip() for m in led if id_key(m.group("id")) in own]
    else:
        texts = [(test.acceptance or "").strip()]
    return [t for t in texts if t and normalise(t) != normalise(statement)]


# The requirement checker's rules whose findings leave a statement untestable as written.
UNVERIFIABLE_RULES = frozenset(
    {
        "vague_term",
        "escape_clause",
        "open_ended",
        "untestable_absolute",
        "vague_timing",
        "missing_unit",
        "pronoun_ref",
    }
)


def verifiable(statement: str, findings: Iterable[str]) -> bool:
    """A statement that is its own acceptance criterion: it states a measure (a figure with its unit, a
    time, a percentage) and the checker found nothing in it that cannot be tested (ISO 29148's 'verifiable')."""
    return has_measure(statement) and not UNVERIFIABLE_RULES & set(findings)


def acceptance_criteria(
    own: frozenset[IdKey],
    statement: str,
    stored: Iterable[str],
    tests: Sequence[TestItem],
    findings: Iterable[str] = (),
) -> list[str]:
    """The criteria a tester can use: what the plan's covering tests accept for this requirement, then the
    stored criteria with no placeholder left; failing those, the statement itself when it is verifiable
    (``findings``: the rules the requirement checker found it breaks)."""
    found = [c for t in tests if t.acceptance for c in _test_criteria(own, statement, t)]
    found += [c.strip() for c in stored if c.strip() and not _PLACEHOLDER.search(c)]
    if not found and verifiable(statement, findings):
        found.append(statement)
    return list(dict.fromkeys(found))
