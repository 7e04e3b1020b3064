"""The follow pass: a later document says an earlier risk changed (the vendor signed, the replacement is named,
the assessment passed, the date slipped again). The sentence becomes evidence on that risk and the change a
suggestion in its history, with the quote; a person accepts or rejects it (suggestions.py). Nothing here
changes a field or a status, whoever set it.

Cheap first: only sentences with change words (cues.change_in) are considered, and only those as close to a
risk the register already holds from another document as two statements of one risk (the embedder, plus a
bonus when both name the same id such as OI-01 or the same day such as 5月11日 / 11 May) are put to the LLM,
one question each: what does this say about that risk?
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.errors import ModelOutputError
from assistant.language import question_language
from assistant.plans.extract.dates import find_dates
from assistant.prompts import render_prompt
from assistant.providers.embeddings import NamedEmbeddings
from assistant.providers.llm import ask_structured, with_output_cap
from assistant.providers.settings import StructuredMethod
from assistant.risks import history
from assistant.risks import repository as repo
from assistant.risks.calls import metered_call
from assistant.risks.cues import EN_CLOSED, MIN_SENTENCE_CHARS, ZH_CLOSED, Sentence, change_in, normalize
from assistant.risks.findings import EvidenceIn, evidence_row
from assistant.risks.lifecycle import CLOSED_STATES, RiskStatus
from assistant.risks.matching import risk_statement
from assistant.risks.models import ASSISTANT_ACTOR, EvidenceSignal, HistoryKind, Risk
from assistant.risks.schemas import ScanReport
from assistant.risks.settings import RiskSettings

log = logging.getLogger(__name__)

# Ids people write in minutes and mails: OI-01, IF-05, CR-003, HK-GW200, R7, AI 4 is too loose to count.
_ID = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,8}-?[A-Za-z]*\d{1,5}(?![A-Za-z0-9])")
_MARK_PREFIX = "follow:"
# {"change": "less_likely"} is ~8 tokens; the cap only stops a model that rambles past the JSON. The evidence
# is the document's whole sentence, so the model copies nothing (its quotes were fragments such as
# "OI-03 已关闭", cost ~40 tokens each and were cut off at 120).
FOLLOW_OUTPUT_TOKENS = 24


class Change(StrEnum):
    none = "none"
    resolved = "resolved"
    occurred = "occurred"
    less_likely = "less_likely"
    more_likely = "more_likely"
    worse = "worse"


class RiskChange(BaseModel):
    """What the LLM answers: the change the passage reports for the named risk."""

    model_config = ConfigDict(json_schema_extra=lambda s: s.update(required=list(s["properties"])))

    change: Change = Field(
        Change.none, description="none, resolved, occurred, less_likely, more_likely or worse"
    )

    @field_validator("change", mode="before")
    @classmethod
    def _known(cls, value: object) -> str:
        text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
        return text if text in Change.__members__ else Change.none.value


# The direction a sentence's change words state plainly (cues.change_in) limits the answers: "OI-01 已关闭" cannot
# make a risk worse, "原预计4月30日" cannot resolve one. The 1.5B model, left the six, answered less_likely to all
# six follow-ups of the demo (bench.risk_scan demo), two of them slips.
ANSWERS = {
    "resolved": (Change.resolved, Change.less_likely, Change.none),
    "worse": (Change.occurred, Change.more_likely, Change.worse, Change.none),
}


@lru_cache(maxsize=4)
def change_schema(direction: str) -> type[RiskChange]:
    """RiskChange whose JSON schema offers only the answers of ``direction`` ("resolved" or "worse")."""
    allowed = [c.value for c in ANSWERS[direction]]

    def extra(schema: dict[str, Any]) -> None:
        schema["properties"]["change"] = {"type": "string", "enum": allowed, "title": "Change"}
        schema["required"] = list(schema["properties"])
        schema.pop("$defs", None)

    return type(
        f"RiskChange_{direction}", (RiskChange,), {"model_config": ConfigDict(json_schema_extra=extra)}
    )


@dataclass(frozen=True)
class FollowContext:
    llm: BaseChatModel
    method: StructuredMethod
    embeddings: NamedEmbeddings
    sessions: sessionmaker[Session]
    rs: RiskSettings


@dataclass(frozen=True)
class News:
    """A sentence with change words, its context, and where it is."""

    sentence: str
    text: str
    chunk_id: str
    page: int | None
    section: str | None
    direction: str = "resolved"  # what its change words say: "resolved" or "worse" (cues.change_in)

    @property
    def mark(self) -> str:
        """The scan mark of this question, so a later scan does not ask it again."""
        return hashlib.sha256((_MARK_PREFIX + normalize(self.text)).encode("utf-8")).hexdigest()


def _id_matches(text: str) -> Iterator[tuple[str, int]]:
    """Each id in the text as compared ("OI-01" -> "OI01"), with where it ends."""
    for m in _ID.finditer(text):
        if any(c.isdigit() for c in m.group(0)):
            yield m.group(0).upper().replace("-", ""), m.end()


def ids_in(text: str) -> set[str]:
    return {key for key, _ in _id_matches(text)}


def names_in(text: str) -> set[str]:
    """How a text names what it is about in a way two documents share word for word: its ids, and the days it
    names as month-day ("5月11日" and "11 May" are one day; a year is often left out, a month alone is too
    loose)."""
    # Any leap year: a yearless day needs one to be a date at all, and 29 February must stay a day.
    days = {f"@{d.start.month}-{d.start.day}" for d in find_dates(text, default_year=2000) if d.is_day}
    return ids_in(text) | days


# An id with a closing word right after it ("OI-01 已关闭：", "OI-03: closed", "CR-003 is resolved") says plainly
# that the item is closed: code reads that, the model is not asked (it answered less_likely to "OI-01 已关闭").
_CLOSED_AFTER_ID = re.compile(
    r"\s*[:：(（]?\s*(?:(?:is|was|has been|now)\s+)?(?:"
    + "|".join((*map(re.escape, ZH_CLOSED), *EN_CLOSED))
    + r")"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)


def closed_ids(sentence: str) -> set[str]:
    """The ids the sentence says are closed, in ``ids_in``'s form."""
    return {key for key, end in _id_matches(sentence) if _CLOSED_AFTER_ID.match(sentence, end)}


def news_in(sentences: list[list[Sentence]], max_chars: int) -> list[News]:
    """Sentences that say something moved, each with its neighbours in the chunk."""
    out: list[News] = []
    for row in sentences:
        for i, s in enumerate(row):
            direction = change_in(s.text)
            if s.duplicate or len(normalize(s.text)) < MIN_SENTENCE_CHARS or direction is None:
                continue
            before = row[i - 1].text if i else ""
            after = row[i + 1].text if i + 1 < len(row) else ""
            text = s.text
            for extra, first in ((before, True), (after, False)):
                if extra and len(text) + len(extra) < max_chars:
                    text = f"{extra} {text}" if first else f"{text} {extra}"
            out.append(News(s.text, text, s.chunk.id, s.chunk.page, s.chunk.section, direction))
    return out


@dataclass(frozen=True)
class Earlier:
    """A risk the register holds, with what it says in documents other than the one being scanned."""

    risk_id: int
    title: str
    statement: str
    quotes: list[str]
    names: set[str]  # names_in: its ids and days


def earlier_risks(session: Session, *, project_id: str, document_id: str) -> list[Earlier]:
    """Risks still watched that have evidence from another document (a document cannot update itself)."""
    out = []
    for risk in repo.project_risks(session, project_id=project_id):
        if RiskStatus(risk.status) in CLOSED_STATES:
            continue
        quotes = [
            e.quote for e in repo.risk_evidence(session, risk_id=risk.id) if e.document_id != document_id
        ]
        if not quotes:
            continue
        statement = risk_statement(risk.title, risk.event, risk.cause)
        out.append(Earlier(risk.id, risk.title, statement, quotes, names_in(" ".join([statement, *quotes]))))
    return out


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def best_matches(
    embeddings: NamedEmbeddings, news: list[News], risks: list[Earlier], rs: RiskSettings
) -> list[tuple[News, Earlier, float]]:
    """Each piece of news with the earlier risk it is most like, when it is like one enough."""
    if not news or not risks:
        return []
    texts = [r.statement for r in risks] + [q for r in risks for q in r.quotes]
    owner = list(range(len(risks))) + [k for k, r in enumerate(risks) for _ in r.quotes]
    risk_vectors = _unit(embeddings.embed_array(texts))
    news_vectors = _unit(embeddings.embed_array([n.sentence for n in news]))
    sims = news_vectors @ risk_vectors.T
    out = []
    for i, item in enumerate(news):
        per_risk = np.full(len(risks), -1.0)
        for j, k in enumerate(owner):
            per_risk[k] = max(per_risk[k], float(sims[i, j]))
        # The sentence's own names only: its neighbours are often about another item ("OI-03 已关闭" next to
        # the gateway's slip put the slip on the remote-access risk).
        shared = names_in(item.sentence)
        for k, risk in enumerate(risks):
            if shared & risk.names:
                per_risk[k] += rs.follow_id_bonus
        best = int(np.argmax(per_risk))
        if per_risk[best] >= rs.follow_threshold:
            out.append((item, risks[best], float(per_risk[best])))
    return out


def build_messages(risk: Earlier, news: News) -> list[BaseMessage]:
    language = question_language(news.text)
    system = render_prompt("risks_follow", language)
    user = render_prompt(
        "risks_follow_passage",
        language,
        risk=risk.title.replace("<", "‹"),
        evidence=risk.quotes[0][:200].replace("<", "‹"),
        passage=news.text.replace("<", "‹"),
    )
    return [SystemMessage(content=system), HumanMessage(content=user)]


# What each change proposes: a status, or a level one step up or down. A level already at its top does not swallow
# bad news: the small model drafts many risks at probability 5 and impact 5, and the gateway's slip ("交货日期为
# 5月8日（原预计4月30日）", answered worse) then proposed nothing. Worse moves probability when impact is at 5, and
# news that pushes a risk past both tops says it is happening: occurred, for a person to accept or reject.
def proposal(change: Change, risk: Risk) -> tuple[str, object] | None:
    if change is Change.resolved:
        return "status", RiskStatus.closed.value
    if change is Change.occurred:
        return "status", RiskStatus.occurred.value
    if change is Change.less_likely:
        return ("probability", risk.probability - 1) if risk.probability > 1 else None
    if change is Change.worse and risk.impact < 5:
        return "impact", risk.impact + 1
    if change in (Change.more_likely, Change.worse):
        if risk.probability < 5:
            return "probability", risk.probability + 1
        return "status", RiskStatus.occurred.value
    return None


def follow_document(
    ctx: FollowContext,
    report: ScanReport,
    *,
    project_id: str,
    document_id: str,
    file_name: str,
    document_date: dt.date | None,
    sentences: list[list[Sentence]],
    already: set[str],
) -> None:
    """Put each sentence of the document that reports a change on an earlier risk to the LLM, once."""
    news = [n for n in news_in(sentences, ctx.rs.scan_passage_chars) if n.mark not in already]
    if not news:
        return
    with transaction(ctx.sessions) as session:
        risks = earlier_risks(session, project_id=project_id, document_id=document_id)
    for item, risk, similarity in best_matches(ctx.embeddings, news, risks, ctx.rs):
        if closed_ids(item.sentence) & risk.names:
            answer: RiskChange | None = RiskChange(change=Change.resolved)
        else:
            answer = _ask(ctx, report, risk, item, document_id)
        if answer is None:
            continue
        with transaction(ctx.sessions) as session:
            repo.mark_scanned(session, project_id=project_id, document_id=document_id, counts={item.mark: 0})
            already.add(item.mark)
            if answer.change is Change.none:
                continue
            evidence = EvidenceIn(
                document_id=document_id,
                file_name=file_name,
                chunk_id=item.chunk_id,
                page=item.page,
                section=item.section,
                quote=item.sentence,
                document_date=document_date,
                signal=EvidenceSignal(answer.change.value),
            )
            row = repo.get_risk_by_id(session, risk_id=risk.risk_id)
            report.follow_proposals += propose(session, row, answer.change, evidence, similarity)


def _ask(
    ctx: FollowContext, report: ScanReport, risk: Earlier, item: News, document_id: str
) -> RiskChange | None:
    with metered_call(report):
        try:
            answer = ask_structured(
                with_output_cap(ctx.llm, FOLLOW_OUTPUT_TOKENS),
                change_schema(item.direction),
                build_messages(risk, item),
                method=ctx.method,
            )
            # A provider that ignores the schema may still answer against the sentence's own words.
            return answer if answer.change in ANSWERS[item.direction] else RiskChange(change=Change.none)
        except ModelOutputError as exc:
            log.warning("follow-up of %s: %s", document_id, exc)
            report.errors.append(f"follow-up of {item.sentence[:40]!r}: {exc}")
            return None
        finally:
            report.follow_checked += 1


def propose(session: Session, risk: Risk, change: Change, evidence: EvidenceIn, similarity: float) -> int:
    """The quote as evidence of the risk (with what it says), and the change as a suggestion: 1 when a new
    suggestion was written, else 0 (already suggested, or nothing left to change)."""
    known = {
        e.quote_hash
        for e in repo.risk_evidence(session, risk_id=risk.id)
        if e.document_id == evidence.document_id
    }
    if evidence.quote_hash not in known:
        repo.add_evidence(session, evidence=evidence_row(risk, evidence))
        repo.add_history(
            session,
            entries=[
                history.entry(
                    risk,
                    ASSISTANT_ACTOR,
                    HistoryKind.evidence,
                    new_value=evidence.quote[:500],
                    note=f"{change.value} per {evidence.where}",
                )
            ],
        )
    wanted = proposal(change, risk)
    if wanted is None:
        return 0
    name, value = wanted
    current = history.get_field(risk, name)
    if current == value or repo.suggestion_known(
        session, risk_id=risk.id, field=name, value=history.fmt(value)
    ):
        return 0
    note = (
        f'{change.value} per {evidence.where}: "{evidence.quote[:300]}" (similarity {similarity:.2f}); '
        "not applied: a person accepts or rejects it"
    )
    repo.add_history(
        session,
        entries=[
            history.change(risk, ASSISTANT_ACTOR, HistoryKind.suggestion, name, current, value, note=note)
        ],
    )
    repo.flush(session)
    return 1
