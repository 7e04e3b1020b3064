from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator

from api.deps import ContainerDep, ProjectDep, SessionDep
from api.schemas import Offset
from assistant.providers.llm import structured_method
from assistant.requirements import Contradiction, DuplicatePair, Finding
from assistant.requirements import repository as store
from assistant.requirements.candidates import BUDGET
from assistant.requirements.models import ConsistencySummary, DuplicateGroup
from assistant.requirements.service import Located, check_requirements

router = APIRouter(prefix="/projects/{project}/requirements", tags=["requirements"])


class RequirementsCheck(BaseModel):
    text: str | None = Field(None, max_length=200_000, description="Requirement statements to check.")
    document_id: str | None = Field(
        None, description="An indexed document whose requirements to find and check."
    )
    use_llm: bool = Field(
        False,
        description="Let the LLM rewrite the weakest statements (at most `llm_limit`) and add findings.",
    )
    llm_limit: int = Field(5, ge=1, le=50)

    @model_validator(mode="after")
    def _one_source(self) -> RequirementsCheck:
        if (self.text is None) == (self.document_id is None):
            raise ValueError("give exactly one of text or document_id")
        return self


class FindingPublic(BaseModel):
    rule: str = Field(..., description="Rule id, e.g. vague_term, escape_clause, compound, missing_unit.")
    words: list[str] = Field(..., description="The words that triggered the rule.")
    message: str


class RequirementPublic(BaseModel):
    id: str = Field(
        ..., description="The id written in the document (e.g. REQ-ERP-001), else R<n> by position."
    )
    record_id: str | None = Field(None, description="Stored record id (document checks only).")
    text: str
    kind: str = Field(..., description="functional | non_functional")
    quality_class: str | None = Field(None, description="performance, security, usability, availability, ...")
    language: str
    score: int = Field(..., ge=0, le=100, description="100 minus the weighted findings.")
    findings: list[FindingPublic]
    rewrite: str = Field(
        ..., description="Suggested EARS-form rewrite; <placeholders> mark figures to fill in."
    )
    acceptance_criteria: list[str]
    document_id: str | None = None
    page: int | None = None
    section: str | None = None


class RequirementsReport(BaseModel):
    requirements: list[RequirementPublic]
    duplicates: list[DuplicatePair] = Field(
        default_factory=list,
        description="Indices into `requirements`, strongest first: each later copy of an identical statement "
        "paired with the first, then near-duplicates (Jaccard or embedding cosine). At most "
        f"{BUDGET.max_listed:,}; `consistency` counts the rest.",
    )
    contradictions: list[Contradiction] = Field(
        default_factory=list,
        description=f"Indices into `requirements`, in statement order; at most {BUDGET.max_listed:,}.",
    )
    duplicate_groups: list[DuplicateGroup] = Field(
        default_factory=list,
        description="Sets of statements identical once ids, case, punctuation and spaces are set aside "
        "(indices into `requirements`). Only the first of a set is compared with other statements, so a "
        "duplicate or contradiction listed for it holds for every member.",
    )
    consistency: ConsistencySummary | None = Field(
        None,
        description="How far the duplicate and contradiction search went: only candidate pairs are compared "
        "(shared rare words, nearest statement vectors) under a fixed budget; `complete` is false, with "
        "`notes` saying why, when a statement was compared with its closest candidates only, the vector "
        "search was approximate, or a list was cut.",
    )
    average_score: float | None = None


class RequirementList(BaseModel):
    items: list[RequirementPublic]
    total: int


def _public(n: int, item: Located) -> RequirementPublic:
    r = item.requirement
    return RequirementPublic(
        id=r.id or f"R{n + 1}",
        record_id=item.record_id,
        text=r.text,
        kind=r.kind,
        quality_class=r.quality_class,
        language=r.language,
        score=r.score,
        findings=[FindingPublic(rule=f.rule, words=f.words, message=f.message) for f in r.findings],
        rewrite=r.rewrite,
        acceptance_criteria=r.acceptance_criteria,
        document_id=item.document_id,
        page=item.page,
        section=item.section,
    )


@router.post(
    "/check",
    response_model=RequirementsReport,
    summary="Find and check requirement statements",
    description="Give `text` or an indexed `document_id`. Each requirement statement found (shall/must/should, "
    "应/须/必须/需要/支持, numbered ids, list items, table rows) is classified (functional or a quality class) "
    "and checked against named rules in Chinese and English: vague_term, escape_clause, open_ended, compound, "
    "passive_no_actor, missing_unit, untestable_absolute, vague_timing, pronoun_ref, design_prescribed, "
    "weak_modal/missing_modal. Each finding names its rule and the words that triggered it; the score starts "
    "at 100 and loses each rule's weight. A rewrite in EARS form with Given/When/Then acceptance criteria is "
    "suggested (rule-based; with `use_llm` the model rewrites the weakest ones). Duplicates and contradictions "
    "across the statements are listed; identical statements are grouped, and `consistency` says how complete "
    "the lists are. A document check replaces that document's stored requirements.",
)
def check(
    project: ProjectDep, container: ContainerDep, session: SessionDep, body: RequirementsCheck
) -> RequirementsReport:
    report = check_requirements(
        session,
        project_id=project.id,
        text=body.text,
        document_id=body.document_id,
        embed=container.classifier_embeds,
        llm=container.chat_model if body.use_llm else None,
        method=structured_method(container.settings),
        llm_limit=body.llm_limit,
    )
    items = [_public(n, i) for n, i in enumerate(report.items)]
    return RequirementsReport(
        requirements=items,
        duplicates=report.duplicates,
        contradictions=report.contradictions,
        duplicate_groups=report.duplicate_groups,
        consistency=report.consistency,
        average_score=round(sum(i.score for i in items) / len(items), 1) if items else None,
    )


@router.get(
    "",
    response_model=RequirementList,
    summary="A project's requirements with findings and scores",
    description="Requirements found in the project's documents (filled when a document is indexed or checked).",
)
def list_requirements(
    project: ProjectDep,
    session: SessionDep,
    document_id: str | None = None,
    kind: Annotated[str | None, Query(description="functional | non_functional")] = None,
    quality_class: str | None = None,
    max_score: Annotated[
        int | None, Query(ge=0, le=100, description="Only those scoring at most this.")
    ] = None,
    rule: Annotated[str | None, Query(description="Only those with a finding of this rule.")] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
    offset: Offset = 0,
) -> RequirementList:
    rows, total = store.list_requirements(
        session,
        project_id=project.id,
        document_id=document_id,
        kind=kind,
        quality_class=quality_class,
        max_score=max_score,
        rule=rule,
        limit=limit,
        offset=offset,
    )
    items = [
        RequirementPublic(
            id=r.ref or f"R{r.position + 1}",
            record_id=r.id,
            text=r.text,
            kind=r.kind,
            quality_class=r.quality_class,
            language=r.language,
            score=r.score,
            findings=[
                FindingPublic.model_validate(Finding.model_validate(f).model_dump()) for f in r.findings
            ],
            rewrite=r.rewrite,
            acceptance_criteria=r.acceptance_criteria,
            document_id=r.document_id,
            page=r.page,
            section=r.section,
        )
        for r in rows
    ]
    return RequirementList(items=items, total=total)
