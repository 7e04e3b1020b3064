"""What a plan is made of: the items the documents state, each with the passage it was read from.

This module is the contract between the deterministic reader (``assistant.plans.extract``), the drafting
step (the LLM fills prose and proposes what is missing) and storage/API. An item the documents state carries
at least one ``Evidence`` whose ``quote`` occurs verbatim in the chunk it names; an item the assistant
proposes has ``proposed=True`` and may have no evidence. Field names follow the API contract of the plans
issue (``GET /projects/{project}/plans/{plan_id}``), so the same models serialise into the response.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class SourceChunk:
    """One indexed passage, as the reader sees it: the text plus where it comes from.

    ``doc_date`` is the document's own date (meeting/mail date, or the date in its file name); it decides
    which document wins when two disagree (the later one). ``position`` orders chunks within a document.
    """

    chunk_id: str
    document_id: str
    file_name: str
    text: str
    position: int
    page: int | None = None
    section: str | None = None
    doc_date: dt.date | None = None
    language: str | None = None


class Evidence(BaseModel):
    document_id: str
    file_name: str
    page: int | None = None
    section: str | None = None
    quote: str = Field(description="Verbatim text of the cited passage.")
    chunk_id: str | None = Field(default=None, description="The passage the quote comes from.")
    doc_date: dt.date | None = None


class Item(BaseModel):
    evidence: list[Evidence] = Field(default_factory=list)
    proposed: bool = Field(
        default=False, description="true when the assistant proposes the item; no document states it."
    )


class System(Item):
    name: str
    role: str | None = None
    owner: str | None = Field(default=None, description="Owner or vendor.")


class Interface(Item):
    id: str = Field(description="As the documents write it (IF-01 ...), or a generated one (IF-G1 ...).")
    source: str | None = None
    target: str | None = None
    protocol: str | None = Field(default=None, description="REST, SOAP, MQTT, Kafka, SFTP, HL7, FHIR, ...")
    data: str | None = None
    frequency: str | None = None
    direction: str | None = Field(default=None, description="'A->B', 'A<->B' as the documents state it.")
    owner: str | None = None


class Milestone(Item):
    name: str
    date: dt.date | None = None
    deliverables: list[str] = Field(default_factory=list)


class Phase(Item):
    name: str
    start: dt.date | None = None
    end: dt.date | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    deliverables: list[str] = Field(
        default_factory=list, description="What the phase delivers, as a phase table lists it."
    )


class TestLevel(StrEnum):
    unit = "unit"
    integration = "integration"
    uat = "uat"
    performance = "performance"
    security = "security"


class TestItem(Item):
    id: str
    level: TestLevel
    title: str
    requirements: list[str] = Field(default_factory=list, description="Requirement ids it covers.")
    interfaces: list[str] = Field(default_factory=list, description="Interface ids it covers.")
    acceptance: str | None = Field(default=None, description="Acceptance criteria, from the requirements.")


class CutoverStage(Item):
    name: str
    scope: str | None = None
    date: dt.date | None = None
    entry_criteria: str | None = None
    exit_criteria: str | None = None
    observation_period: str | None = None


class RollbackTrigger(Item):
    condition: str
    threshold: str | None = Field(default=None, description="As the documents state it, e.g. '> 0.5%'.")
    action: str | None = None


class Cutover(BaseModel):
    stages: list[CutoverStage] = Field(default_factory=list)
    rollback_triggers: list[RollbackTrigger] = Field(default_factory=list)
    rollback_procedure: str | None = None
    rollback_time_limit: str | None = None
    rollback_procedure_proposed: bool = Field(
        default=False, description="true when the assistant proposes the procedure; no document gives one."
    )
    evidence: list[Evidence] = Field(default_factory=list)


class Training(Item):
    audience: str
    content: str | None = None
    date: dt.date | None = None


class Handover(Item):
    document: str = Field(description="A document or artefact to hand over.")
    to: str | None = None


class ConflictValue(BaseModel):
    value: str
    document_id: str
    file_name: str
    doc_date: dt.date | None = None
    quote: str


class Conflict(BaseModel):
    field: str = Field(
        description="What disagrees, e.g. 'milestone SIT start' or 'interface IF-02 protocol'."
    )
    values: list[ConflictValue] = Field(description="Each value with its document, oldest first.")
    chosen: str = Field(description="The value the plan uses: the later document's.")


class OpenQuestion(BaseModel):
    question: str
    about: str | None = Field(default=None, description="The item it concerns, e.g. 'IF-03' or 'UAT'.")


class PlanFacts(BaseModel):
    """What the documents state, read by code (no model): the draft starts from this."""

    systems: list[System] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    milestones: list[Milestone] = Field(
        default_factory=list,
        description="Milestones no phase holds: the documents give no phases, or no date to place them by.",
    )
    cutover: Cutover = Field(default_factory=Cutover)
    training: list[Training] = Field(default_factory=list)
    handover: list[Handover] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)


class PlanRisk(BaseModel):
    risk_id: int = Field(description="The risk's number in the project's register (RSK-0007 is 7).")
    title: str
    band: str | None = None
    ref: str | None = Field(default=None, description="The register's id as people read it, RSK-0007.")


class PlanRequirement(BaseModel):
    requirement_id: str = Field(
        description="As the documents write it (REQ-007, FR-012), or the statement's id."
    )
    text: str
    kind: str | None = None
    quality_class: str | None = Field(
        default=None, description="For a non-functional one: performance, security, availability ..."
    )
    evidence: list[Evidence] = Field(default_factory=list)


class PlanNeed(BaseModel):
    """A 5-Why root need the plan answers."""

    analysis_id: str
    need: str


class PlanContent(BaseModel):
    """The body of a plan (storage, API and exports all carry this; id/status/version live beside it)."""

    systems: list[System] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    milestones: list[Milestone] = Field(
        default_factory=list,
        description="Milestones no phase holds: no phases stated, or no date to place them by.",
    )
    tests: list[TestItem] = Field(default_factory=list)
    cutover: Cutover = Field(default_factory=Cutover)
    training: list[Training] = Field(default_factory=list)
    handover: list[Handover] = Field(default_factory=list)
    risks: list[PlanRisk] = Field(default_factory=list)
    requirements: list[PlanRequirement] = Field(default_factory=list)
    needs: list[PlanNeed] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
