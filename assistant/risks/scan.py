"""The scan: document -> cue pass (rules, then the embedder) -> candidates ranked strongest first -> the screen
(screen.py: one yes/no LLM question per candidate sentence) -> LLM, one register entry per flagged sentence
(two a call; the sentence is the entry's quote) -> quote check -> match -> register; then the follow pass
(follow.py): sentences that say an earlier risk changed become evidence and suggestions on that risk. With the
screen off (``scan_screen``), one LLM call per candidate passage returns findings with the model's own quotes.

Every candidate of a document is read: the first ``scan_max_passages`` at once when a person asks for a scan,
all of them when the background scan runs (it yields to people between calls), and a later scan reads what
an earlier one left. How far it has got is reported as (passages read, candidate passages).

It can only add: a draft for a new risk, or evidence on the risk a finding matches, with suggestions (history
rows) where it reads a value differently. Only a draft no person has touched takes the finding's values
(findings.py: ``merge_finding``, ``person_touch``). There is no code path from here that changes a status,
deletes anything or changes a person's risk, whatever a document says; its webhooks are the assistant's draft
alerts (alerts.py), marked unconfirmed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.documents.models import DocumentStatus, DocumentType
from assistant.errors import ConflictError, ModelOutputError
from assistant.index.chunks import document_chunks
from assistant.language import question_language
from assistant.prompts import render_prompt
from assistant.providers.embeddings import NamedEmbeddings
from assistant.providers.llm import ask_structured, structured_method, with_output_cap
from assistant.providers.settings import StructuredMethod
from assistant.risks import follow
from assistant.risks import repository as repo
from assistant.risks.calls import metered_call
from assistant.risks.cues import (
    Passage,
    Sentence,
    candidate_passages,
    document_sentences,
    normalize,
    rank,
)
from assistant.risks.findings import EvidenceIn, create_draft, merge_finding
from assistant.risks.matching import RiskMatcher, risk_statement
from assistant.risks.models import CATEGORY_LABELS, RiskCategory
from assistant.risks.ranking import add_embedding_scores
from assistant.risks.schemas import RiskFinding, ScanReport, entries_schema, findings_schema
from assistant.risks.screen import SCREEN_OUTPUT_TOKENS, defuse, raises_risk
from assistant.risks.settings import RiskSettings
from assistant.risks.webhook import Sleep, deliver_pending
from assistant.settings import Settings

log = logging.getLogger(__name__)

_QUOTE_EDGES = "\"'“”‘’「」『』《》…. 。,，;；:："


# ---- prompt ------------------------------------------------------------------------------------------------


def _language(passages: Sequence[Passage]) -> str:
    return question_language(" ".join(p.text for p in passages))


def format_passages(passages: Sequence[Passage]) -> str:
    """Each passage between its own markers; marker look-alikes inside the text are defused so a document
    cannot close its passage early and speak outside it."""
    out = []
    for n, p in enumerate(passages, 1):
        where = f' page="{p.page}"' if p.page is not None else ""
        text = defuse(p.text)
        out.append(f'<passage n="{n}"{where}>\n{text}\n</passage>')
    return "\n".join(out)


def build_messages(passages: Sequence[Passage], settings: RiskSettings) -> list[BaseMessage]:
    language = _language(passages)
    categories = ", ".join(c.value for c in RiskCategory)
    system = render_prompt(
        "risks_scan", language, categories=categories, max_findings=settings.scan_max_findings_per_call
    )
    user = render_prompt("risks_scan_passages", language, passages=format_passages(passages))
    return [SystemMessage(content=system), HumanMessage(content=user)]


# ---- quotes ------------------------------------------------------------------------------------------------


def _quote_key(quote: str) -> str:
    return normalize(quote).strip(_QUOTE_EDGES)


MIN_QUOTE_CHARS = 4
_GENERIC_TITLES = {
    normalize(name).replace("_", " ")
    for c in RiskCategory
    for name in (c.value, CATEGORY_LABELS[c], c.value.split("_")[0])
} | {"risk", "risks", "风险", "technical", "interface"}


def finding_title(finding: RiskFinding) -> str:
    """The finding's title, unless the small model wrote its category there ("Technical interface"): such a
    title says nothing, and identical empty titles would make unrelated findings look like one risk."""
    title = finding.title.strip()
    if normalize(title).replace("_", " ").strip(" .") in _GENERIC_TITLES or not title:
        title = finding.event.strip() or finding.quote.strip()
    return title[:120]


def locate_quote(
    finding: RiskFinding, batch: Sequence[Passage], chunk_texts: dict[str, str]
) -> tuple[Passage, str] | None:
    """The passage the finding's quote really comes from (the one it names first) and the quote as the
    register keeps it, or None: a quote that is not in the passage, or only spans the gap between two cut-out
    sentences, is an invention. A quote the small model reworded is taken back to the candidate sentence it
    rewords (see ``snap_quote``), so what the register keeps is always the document's own words."""
    key = _quote_key(finding.quote)
    if len(key) < MIN_QUOTE_CHARS:
        return None
    order = list(batch)
    if 1 <= finding.passage <= len(batch):
        named = batch[finding.passage - 1]
        order.remove(named)
        order.insert(0, named)
    for passage in order:
        if key in normalize(passage.text) and key in normalize(chunk_texts.get(passage.chunk_id, "")):
            return passage, finding.quote.strip()
    for passage in order:
        snapped = snap_quote(key, passage, chunk_texts.get(passage.chunk_id, ""))
        if snapped is not None:
            return passage, snapped
    return None


# How much of a reworded quote must match one candidate sentence, character for character in order
# (difflib's ratio), to stand for that sentence. Rewordings the 1.5B model writes ("MES API 版本还没确认" for
# "MES 接口 API 版本尚未确认") reach 0.7 and more; an invented quote or one glued across a cut stays under 0.4.
QUOTE_SNAP_RATIO = 0.6


def snap_quote(key: str, passage: Passage, chunk_text: str) -> str | None:
    """The candidate sentence of ``passage`` that the normalised quote ``key`` rewords, verbatim from the
    chunk; None when no sentence is close enough."""
    best, best_ratio = None, QUOTE_SNAP_RATIO
    chunk_key = normalize(chunk_text)
    for sentence in passage.focus:
        target = _quote_key(sentence)
        if len(target) < MIN_QUOTE_CHARS or target not in chunk_key:
            continue
        ratio = difflib.SequenceMatcher(None, key, target, autojunk=False).ratio()
        if ratio >= best_ratio:
            best, best_ratio = sentence.strip(), ratio
    return best


# ---- the screen ----------------------------------------------------------------------------------------------


def _screen(
    llm: BaseChatModel, method: StructuredMethod, batch: list[Passage], report: ScanReport, document_id: str
) -> dict[str, list[str]]:
    """Each candidate sentence of the batch put to the yes/no question (screen.py): the sentences the model
    says raise a risk, by passage hash. An answer that is nonsense twice counts as yes, so the full question
    decides instead of the sentence being lost."""
    flagged: dict[str, list[str]] = {}
    for passage in batch:
        for sentence in passage.focus:
            with metered_call(report):
                try:
                    yes = raises_risk(llm, method, sentence, passage.text)
                except ModelOutputError as exc:
                    log.warning("risk screen of %s: %s", document_id, exc)
                    yes = True
            report.sentences_screened += 1
            if yes:
                report.sentences_flagged += 1
                flagged.setdefault(passage.hash, []).append(sentence)
    return flagged


def _mark_quiet(
    sessions: sessionmaker[Session], project_id: str, document_id: str, passages: list[Passage]
) -> bool:
    """Passages the screen found nothing in are read: marked, so no later scan asks about them again. False
    when a concurrent scan marked them first."""
    try:
        with transaction(sessions) as session:
            repo.mark_scanned(
                session, project_id=project_id, document_id=document_id, counts={p.hash: 0 for p in passages}
            )
    except IntegrityError:
        return False
    return True


# ---- the scan ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    id: str
    text: str
    page: int | None
    section: str | None


def _batches(items: list[Passage], size: int) -> Iterator[list[Passage]]:
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + max(1, size)]


@dataclass(frozen=True)
class ScanContext:
    """What a scan uses: the chat model, the embedder that matches findings to existing risks, the database,
    the settings, and how webhooks are sent (``transport``: None is real HTTP; ``sleep``: back-off waits)."""

    chat_model: BaseChatModel
    embeddings: NamedEmbeddings
    sessions: sessionmaker[Session]
    settings: Settings
    risk_settings: RiskSettings | None = None  # default: settings.risk (tests and the bench set their own)
    transport: httpx.BaseTransport | None = None
    sleep: Sleep = time.sleep
    # Told (passages read, passages to read) as the scan goes, so people can see how far it has got.
    progress: Callable[[int, int], None] | None = None

    @property
    def rs(self) -> RiskSettings:
        return self.risk_settings or self.settings.risk


@dataclass
class _Document:
    file_name: str
    chunks: list[_Chunk]
    already: set[str]  # hashes of passages a scan has read before
    date: dt.date | None = None  # the document's own date (meeting, mail), for the evidence timeline
    doc_type: str = DocumentType.other.value


def scan_document(
    ctx: ScanContext, *, project_id: str, document_id: str, limit: int | None = None
) -> ScanReport:
    """Scan one indexed document: its candidates strongest first, at most ``limit`` of those not read before
    (None: all of them), then the follow pass. Each LLM call is written in its own transaction together with
    the mark of the passage it read, so an interrupted scan keeps what it finished and the next scan does the
    rest."""
    started = time.monotonic()
    rs = ctx.rs
    report = ScanReport(project_id=project_id, document_ids=[document_id], documents=1)
    doc = _load(ctx.sessions, report, project_id, document_id)
    sentences = document_sentences(doc.chunks)
    if rs.scan_embed_weight > 0:
        add_embedding_scores(sentences, ctx.embeddings.embed_array, weight=rs.scan_embed_weight)
    selected, read_before, total = _select_passages(doc, sentences, rs, report, limit)
    progress = ctx.progress or (lambda done, total: None)
    progress(read_before, total)
    method = structured_method(ctx.settings)
    llm = with_output_cap(ctx.chat_model, rs.scan_max_output_tokens)
    matcher = RiskMatcher(ctx.embeddings, rs.match_threshold, rs.match_threshold_cross_category)
    chunk_texts = {c.id: c.text for c in doc.chunks}
    screen_llm = with_output_cap(ctx.chat_model, SCREEN_OUTPUT_TOKENS)
    for n, batch in enumerate(_batches(selected, rs.scan_batch_size)):
        if n:
            progress(read_before + min(n * rs.scan_batch_size, len(selected)), total)
        if rs.scan_screen:
            flagged = _screen(screen_llm, method, batch, report, document_id)
            quiet = [p for p in batch if not flagged.get(p.hash)]
            batch = [p for p in batch if flagged.get(p.hash)]
            if quiet and not _mark_quiet(ctx.sessions, project_id, document_id, quiet):
                report.passages_already_scanned += len(quiet)
            if not batch:
                continue
            findings, unread = _enter(llm, method, batch, flagged, rs, report, document_id)
        else:
            asked = _ask(llm, method, batch, rs, report, document_id)
            if asked is None:
                continue
            findings, unread = asked, set()
        try:
            queued = _apply(ctx.sessions, rs, matcher, report, project_id, document_id, doc, batch, findings,
                            chunk_texts, unread)  # fmt: skip
        except IntegrityError:
            # Another scan of the same document marked these passages first: its findings are the same.
            log.info("risk scan of %s: passages already taken by a concurrent scan", document_id)
            report.passages_already_scanned += len(batch)
            continue
        if queued:
            deliver_pending(ctx.sessions, rs, project_id=project_id, transport=ctx.transport, sleep=ctx.sleep)
    progress(read_before + len(selected), total)
    if limit is None or report.passages_over_cap == 0:
        follow.follow_document(
            follow.FollowContext(llm, method, ctx.embeddings, ctx.sessions, rs),
            report,
            project_id=project_id,
            document_id=document_id,
            file_name=doc.file_name,
            document_date=doc.date,
            sentences=sentences,
            already=doc.already,
        )
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _load(
    sessions: sessionmaker[Session], report: ScanReport, project_id: str, document_id: str
) -> _Document:
    """The document's visible chunks and what earlier scans read; only an indexed document can be scanned."""
    with transaction(sessions) as session:
        doc = documents.get_document(session, project_id=project_id, document_id=document_id)
        if doc.status != DocumentStatus.indexed.value:
            raise ConflictError(
                f"document {document_id} is {doc.status}, not indexed; scan it once it is indexed"
            )
        report.pages = doc.page_count or 0
        chunks = [
            _Chunk(c.id, c.text, c.page, c.section) for c in document_chunks(session, document_id=doc.id)
        ]
        already = repo.scanned_hashes(session, project_id=project_id, document_id=document_id)
    return _Document(doc.file_name, chunks, already, doc.doc_date, doc.doc_type)


def _select_passages(
    doc: _Document, sentences: list[list[Sentence]], rs: RiskSettings, report: ScanReport, limit: int | None
) -> tuple[list[Passage], int, int]:
    """(the candidates to read now, strongest first; how many were read before; how many there are)."""
    report.passages_seen = len(sentences)
    spec = doc.doc_type == DocumentType.spec.value
    min_score = rs.scan_min_cue_score_spec if spec else rs.scan_min_cue_score
    candidates = rank(candidate_passages(sentences, max_chars=rs.scan_passage_chars, min_score=min_score))
    fresh: list[Passage] = []
    hashes: set[str] = set()
    for p in candidates:
        if p.hash in hashes:
            continue  # the same text twice in one document is read once
        hashes.add(p.hash)
        if p.hash in doc.already:
            report.passages_already_scanned += 1
        else:
            fresh.append(p)
    report.passages_with_cues = len(hashes)
    selected = fresh if limit is None else fresh[:limit]
    report.passages_over_cap = len(fresh) - len(selected)
    doc.already |= {p.hash for p in selected}
    return selected, len(hashes) - len(fresh), len(hashes)


def _ask(
    llm: BaseChatModel,
    method: StructuredMethod,
    batch: list[Passage],
    rs: RiskSettings,
    report: ScanReport,
    document_id: str,
) -> list[RiskFinding] | None:
    """One LLM call over a batch, metered; None when the model answered nonsense (the batch stays unmarked,
    so the next scan tries it again, and the other batches go on)."""
    schema = findings_schema(rs.scan_max_findings_per_call)
    with metered_call(report):
        try:
            answer = ask_structured(llm, schema, build_messages(batch, rs), method=method)
        except ModelOutputError as exc:
            log.warning("risk scan of %s: %s", document_id, exc)
            report.errors.append(f"passages {batch[0].position + 1}-{batch[-1].position + 1}: {exc}")
            return None
    report.passages_sent += len(batch)
    findings = answer.risks[: rs.scan_max_findings_per_call]
    report.findings += len(findings)
    return findings


# Output tokens per entry: ~150-180 in Chinese, up to ~250 in English; two English entries overran a shared
# 450-token cap on the openETCS minutes, and one Chinese entry of the demo rambled past 300. A failed pair is
# asked again one sentence at a time, and a sentence that fails alone waits for the next scan (``_enter``).
ENTRY_OUTPUT_TOKENS = 300


def entry_messages(batch: Sequence[Passage], sentences: Sequence[str]) -> list[BaseMessage]:
    language = _language(batch)
    categories = ", ".join(c.value for c in RiskCategory)
    numbered = "\n".join(f"{n}. {defuse(s)}" for n, s in enumerate(sentences, 1))
    return [
        SystemMessage(content=render_prompt("risks_entry", language, categories=categories)),
        HumanMessage(
            content=render_prompt(
                "risks_entry_passage", language, passages=format_passages(batch), sentences=numbered
            )
        ),
    ]


def _enter(
    llm: BaseChatModel,
    method: StructuredMethod,
    batch: list[Passage],
    flagged: dict[str, list[str]],
    rs: RiskSettings,
    report: ScanReport,
    document_id: str,
) -> tuple[list[RiskFinding], set[str]]:
    """Register entries for the sentences the screen flagged, at most ``scan_max_findings_per_call`` a call,
    exactly one entry per sentence; each sentence is its entry's quote. A call that answers nonsense is asked
    again one sentence at a time (so an entry that rambles costs only itself); a sentence that
    fails alone leaves its passage unmarked (the second set: passage hashes), so the next scan tries it again,
    and the other entries are kept."""
    items = [(n, s) for n, p in enumerate(batch, 1) for s in flagged.get(p.hash, [])]
    size = max(1, rs.scan_max_findings_per_call)
    findings: list[RiskFinding] = []
    failed: set[str] = set()
    groups = [items[start : start + size] for start in range(0, len(items), size)]
    while groups:
        group = groups.pop(0)
        with metered_call(report):
            try:
                answer = ask_structured(
                    with_output_cap(llm, ENTRY_OUTPUT_TOKENS * len(group)),
                    entries_schema(len(group)),
                    entry_messages(batch, [s for _, s in group]),
                    method=method,
                )
            except ModelOutputError as exc:
                log.warning("risk scan of %s: %s", document_id, exc)
                if len(group) > 1:
                    groups[:0] = [[item] for item in group]
                    continue
                n, sentence = group[0]
                failed.add(batch[n - 1].hash)
                report.errors.append(
                    f"entry for {sentence[:40]!r} (passage {batch[n - 1].position + 1}): {exc}"
                )
                continue
        for (n, sentence), entry in zip(group, answer.risks, strict=False):
            findings.append(RiskFinding(passage=n, quote=sentence.strip(), **entry.model_dump()))
    report.passages_sent += len(batch)
    report.findings += len(findings)
    return findings, failed


def _apply(
    sessions: sessionmaker[Session],
    rs: RiskSettings,
    matcher: RiskMatcher,
    report: ScanReport,
    project_id: str,
    document_id: str,
    doc: _Document,
    batch: list[Passage],
    findings: list[RiskFinding],
    chunk_texts: dict[str, str],
    unread: Collection[str] = (),
) -> int:
    """Write one batch's findings and mark its passages read, except those in ``unread`` (an entry failed:
    the next scan reads them again); returns how many webhooks it queued. Counts go to ``report`` only once the
    transaction has committed, so a rolled-back batch is not reported as done."""
    counts = {p.hash: 0 for p in batch if p.hash not in unread}
    local = ScanReport(project_id=project_id)
    with transaction(sessions) as session:
        risks = repo.project_risks(session, project_id=project_id)
        matcher.load([(r.id, r.category, risk_statement(r.title, r.event, r.cause)) for r in risks])
        for finding in findings:
            located = locate_quote(finding, batch, chunk_texts)
            if located is None:
                local.dropped_bad_quote += 1
                continue
            passage, quote = located
            evidence = EvidenceIn(
                document_id=document_id,
                file_name=doc.file_name,
                chunk_id=passage.chunk_id,
                page=passage.page,
                section=passage.section,
                quote=quote,
                document_date=doc.date,
            )
            if repo.evidence_known(
                session, project_id=project_id, document_id=document_id, quote_hash=evidence.quote_hash
            ):
                local.duplicates += 1
                continue
            if passage.hash in counts:
                counts[passage.hash] += 1
            _record(session, rs, matcher, local, project_id, finding, evidence)
        repo.mark_scanned(session, project_id=project_id, document_id=document_id, counts=counts)
    report.add(local)
    return local.notifications


def _record(
    session: Session,
    rs: RiskSettings,
    matcher: RiskMatcher,
    local: ScanReport,
    project_id: str,
    finding: RiskFinding,
    evidence: EvidenceIn,
) -> None:
    """A checked finding: a new draft, or evidence on the risk it matches (with suggestions when a person has
    touched that risk, with the finding's values when it is the assistant's own draft)."""
    finding = finding.model_copy(update={"title": finding_title(finding)})
    statement = risk_statement(finding.title, finding.event, finding.cause)
    match = matcher.match(finding.category.value, statement)
    if match is None:
        risk, notified = create_draft(
            session, project_id=project_id, finding=finding, evidence=evidence, settings=rs
        )
        matcher.add(risk.id, risk.category, statement)
        local.drafts_created += 1
        local.created_ids.append(risk.ref)
        local.notifications += int(notified)
        return
    risk = repo.get_risk_by_id(session, risk_id=match.key)
    outcome = merge_finding(session, risk=risk, finding=finding, evidence=evidence, settings=rs)
    local.merges += 1
    local.suggestions += outcome.suggestions
    local.notifications += int(outcome.notified)
    if risk.ref not in local.merged_ids and risk.ref not in local.created_ids:
        local.merged_ids.append(risk.ref)


def scan_project(
    ctx: ScanContext,
    *,
    project_id: str,
    document_ids: Sequence[str] | None = None,
    limit: int | None = None,
) -> ScanReport:
    """Scan every indexed document of the project (or the listed ones), one after another."""
    started = time.monotonic()
    if document_ids is None:
        with transaction(ctx.sessions) as session:
            document_ids = [d.id for d in documents.indexed_documents(session, project_id=project_id)]
    total = ScanReport(project_id=project_id)
    for document_id in document_ids:
        total.add(scan_document(ctx, project_id=project_id, document_id=document_id, limit=limit))
    total.seconds = round(time.monotonic() - started, 2)
    return total
