"""Checking the requirements of a stored document or of pasted text, and keeping a project's list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from assistant.documents import repository as documents
from assistant.documents.models import DocumentStatus
from assistant.errors import ConflictError, InvalidInputError
from assistant.index import chunks as chunk_store
from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured, with_output_cap
from assistant.providers.settings import StructuredMethod
from assistant.requirements import (
    RULES,
    CheckedRequirement,
    Contradiction,
    DuplicatePair,
    Finding,
    check_text,
)
from assistant.requirements import repository as store
from assistant.requirements.classify import Embeds, embedders
from assistant.requirements.consistency import check_consistency
from assistant.requirements.models import ConsistencySummary, DuplicateGroup
from assistant.requirements.scoring import score


@dataclass
class Located:
    requirement: CheckedRequirement
    page: int | None = None
    section: str | None = None
    record_id: str | None = None
    document_id: str | None = None


@dataclass
class Report:
    items: list[Located]
    duplicates: list[DuplicatePair] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)
    duplicate_groups: list[DuplicateGroup] = field(default_factory=list)
    consistency: ConsistencySummary | None = None


def document_segments(session: Session, *, document_id: str) -> list[tuple[str, int | None, str | None]]:
    """The document's text rebuilt from its chunks (overlaps removed), one run per page or section."""
    runs: list[tuple[list[str], int | None, str | None, int]] = []
    for c in chunk_store.document_chunks(session, document_id=document_id):
        if runs and runs[-1][1] == c.page and runs[-1][2] == c.section:
            parts, _, _, end = runs[-1]
            if c.char_start < end:
                parts.append(c.text[end - c.char_start :])
            else:
                parts.append("\n" + c.text)
            runs[-1] = (parts, c.page, c.section, max(end, c.char_end))
        else:
            runs.append(([c.text], c.page, c.section, c.char_end))
    return [("".join(parts), page, section) for parts, page, section, _ in runs]


def check_requirements(
    session: Session,
    *,
    project_id: str | None,
    text: str | None = None,
    document_id: str | None = None,
    embed: Embeds | None = None,
    llm: BaseChatModel | None = None,
    method: StructuredMethod = StructuredMethod.json_object,
    llm_limit: int = 5,
) -> Report:
    """The requirement check, whoever asks: find and check the statements of pasted ``text`` or of an indexed
    document (whose stored list it replaces); with ``llm``, the model rewrites the weakest ones and a
    document's stored rows keep what was returned."""
    if (text is None) == (document_id is None):
        raise InvalidInputError("give exactly one of text or document_id")
    if document_id is not None:
        if project_id is None:
            raise InvalidInputError("a document check needs its project")
        report = check_document(session, project_id=project_id, document_id=document_id, embed=embed)
    else:
        report = check_pasted_text(text or "", embed=embed)
    if llm is not None:
        rewrite_with_llm(report.items, llm=llm, method=method, limit=llm_limit)
        for item in report.items:
            if item.record_id:
                store.update_from_check(session, record_id=item.record_id, requirement=item.requirement)
    return report


def check_pasted_text(text: str, *, embed: Embeds | None = None) -> Report:
    if not text.strip():
        raise InvalidInputError("text is empty: paste requirement statements or give a document_id")
    reqs = check_text(text, embed=embed)
    if not reqs:
        # A single statement without a modal is still worth checking when a person pasted it on purpose.
        from assistant.requirements import check_statement

        reqs = [check_statement(text.strip(), embed=embed)]
    return _report([Located(r) for r in reqs], embed)


def check_document(
    session: Session, *, project_id: str, document_id: str, embed: Embeds | None = None
) -> Report:
    doc = documents.get_document(session, project_id=project_id, document_id=document_id)
    if doc.status != DocumentStatus.indexed.value:
        raise ConflictError(
            f"document {document_id!r} is {doc.status}; only indexed documents can be checked"
        )
    found: list[tuple[CheckedRequirement, int | None, str | None]] = []
    for text, page, section in document_segments(session, document_id=document_id):
        found.extend((r, page, section) for r in check_text(text, embed=embed))
    rows = store.replace_document_requirements(
        session, project_id=project_id, document_id=document_id, items=found
    )
    located = [
        Located(req, page, section, record_id=row.id, document_id=document_id)
        for (req, page, section), row in zip(found, rows, strict=True)
    ]
    return _report(located, embed)


def _report(items: list[Located], embed: Embeds | None) -> Report:
    texts = [i.requirement.text for i in items]
    # Near-duplicate cut-offs were set on the first (the index's) embedder's cosines.
    first = next(iter(embedders(embed)), None)
    found = check_consistency(texts, first)
    return Report(
        items=items,
        duplicates=found.duplicates,
        contradictions=found.contradictions,
        duplicate_groups=found.duplicate_groups,
        consistency=found.summary,
    )


class LLMFinding(BaseModel):
    rule: str = Field(description="One of the rule ids given in the instructions.")
    words: list[str] = Field(description="The exact words of the statement the rule objects to.")


class LLMRewrite(BaseModel):
    rewrite: str = Field(description="The requirement rewritten in EARS form, measurable, one obligation.")
    acceptance_criteria: list[str] = Field(description="Given/When/Then criteria.")
    findings: list[LLMFinding] = Field(description="Problems the rules missed, each tied to a rule id.")


def rewrite_with_llm(
    items: Sequence[Located],
    *,
    llm: BaseChatModel,
    method: StructuredMethod,
    limit: int = 5,
    max_tokens: int = 400,
) -> int:
    """The model rewrites the weakest statements and may add findings, each tied to a named rule and to words
    that really occur in the statement; returns how many were rewritten."""
    llm = with_output_cap(llm, max_tokens)
    worst = sorted((i for i in items if i.requirement.findings), key=lambda i: i.requirement.score)[:limit]
    rules = ", ".join(sorted(RULES))
    for item in worst:
        req = item.requirement
        messages = [
            SystemMessage(render_prompt("requirement_rewrite", req.language, rules=rules)),
            HumanMessage(
                render_prompt(
                    "requirement_rewrite_user",
                    None,
                    statement=req.text,
                    findings="; ".join(f"{f.rule}: {', '.join(f.words)}" for f in req.findings) or "-",
                )
            ),
        ]
        out = ask_structured(llm, LLMRewrite, messages, method=method)
        if out.rewrite.strip():
            req.rewrite = out.rewrite.strip()
        if out.acceptance_criteria:
            req.acceptance_criteria = [c for c in out.acceptance_criteria if c.strip()]
        known = {(f.rule, tuple(f.words)) for f in req.findings}
        for f in out.findings:
            words = [w for w in f.words if w and w in req.text]
            if f.rule in RULES and words and (f.rule, tuple(words)) not in known:
                req.findings.append(
                    Finding(
                        rule=f.rule, words=words, message=RULES[f.rule].message(words, req.language) + " (AI)"
                    )
                )
        req.score = score(req.findings)
    return len(worst)
