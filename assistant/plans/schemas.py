"""Bodies of the plans API: what people send and what they get back.

The plan's body is ``PlanContent`` (facts.py), shared with the reader and the exports; ``PlanPublic`` carries
it at top level beside the plan's id, status and version, as the plans issue's contract lists them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.plans.facts import (
    Conflict,
    Cutover,
    Handover,
    Interface,
    Milestone,
    OpenQuestion,
    Phase,
    PlanContent,
    PlanNeed,
    PlanRequirement,
    PlanRisk,
    System,
    TestItem,
    Training,
)
from assistant.plans.models import SuggestionStatus

Title = Annotated[str, Field(min_length=1, max_length=300)]
PlanLanguage = Literal["zh", "en"]

# Fields of a plan people edit: the title and every part of the body. Redrafting never overwrites one a
# person has set; it records what it would have changed as a suggestion instead.
CONTENT_FIELDS: tuple[str, ...] = tuple(PlanContent.model_fields)
EDITABLE_FIELDS: tuple[str, ...] = ("title", *CONTENT_FIELDS)


class PlanStatus(StrEnum):
    drafting = "drafting"
    ready = "ready"
    failed = "failed"


class PlanCreate(BaseModel):
    title: Title | None = Field(
        None, description="The plan's title; by default one is made from the project's name."
    )
    language: PlanLanguage | None = Field(
        None, description="zh or en: the language of the prose; by default the project's main language."
    )
    five_why_ids: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list,
        max_length=20,
        description="5-Why analyses of this project whose root needs the plan answers.",
    )

    @field_validator("title", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


class PlanUpdate(BaseModel):
    """Only the fields present in the body change; each changed field is one history row and from then on
    belongs to the person (a redraft suggests, never overwrites it)."""

    version: int = Field(..., description="The version you read; 409 when the plan has changed since.")
    title: Title | None = Field(None, description="A new title (it cannot be cleared).")
    systems: list[System] | None = Field(None, description="The system inventory, replaced whole.")
    interfaces: list[Interface] | None = Field(None, description="The interface catalogue, replaced whole.")
    phases: list[Phase] | None = Field(None, description="Phases with their milestones, replaced whole.")
    milestones: list[Milestone] | None = Field(None, description="Milestones outside any phase.")
    tests: list[TestItem] | None = Field(None, description="The test strategy, replaced whole.")
    cutover: Cutover | None = Field(None, description="Stages, rollback triggers and procedure.")
    training: list[Training] | None = Field(None, description="Training: audiences, content, dates.")
    handover: list[Handover] | None = Field(None, description="Documents and artefacts to hand over.")
    risks: list[PlanRisk] | None = Field(None, description="Linked risks of the register.")
    requirements: list[PlanRequirement] | None = Field(None, description="Requirements the plan answers.")
    needs: list[PlanNeed] | None = Field(None, description="5-Why root needs the plan answers.")
    open_questions: list[OpenQuestion] | None = Field(None, description="Questions for the customer.")
    conflicts: list[Conflict] | None = Field(None, description="Where the documents disagree.")

    def changes(self) -> dict[str, Any]:
        """The fields the body sets; a ``null`` list or cut-over means empty (it cannot be absent)."""
        return {f: getattr(self, f) for f in EDITABLE_FIELDS if f in self.model_fields_set}


class PlanPublic(PlanContent):
    id: str = Field(..., description="plan_... ; another project's plan id answers 404.")
    project_id: str
    status: PlanStatus = Field(..., description="drafting (the job runs), ready, or failed (see reason).")
    reason: str | None = Field(None, description="Why drafting failed; null otherwise.")
    version: int = Field(..., description="Send it back with PATCH; it grows with every change.")
    title: str
    language: PlanLanguage = Field(..., description="zh or en: the language of the plan's prose.")
    created_at: dt.datetime
    updated_at: dt.datetime = Field(..., description="When a draft or a person last changed it.")
    five_why_ids: list[str] = Field(default_factory=list, description="The 5-Why analyses it answers.")
    person_fields: list[str] = Field(
        default_factory=list,
        description="Fields a person has set; a redraft keeps them and only adds new items and suggests.",
    )
    job_id: str | None = Field(None, description="The last draft's job (GET /jobs/{job_id}).")


class DraftStats(BaseModel):
    """What the last draft cost."""

    seconds: float
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    chunks: int = Field(..., description="Passages of the project's documents the draft read.")


class PlanHistoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str = Field(..., description="The API key's owner, or 'assistant' for a draft.")
    kind: str = Field(
        ..., description="created | drafted | failed | changed | suggestion | accepted | rejected"
    )
    field: str | None
    old_value: str | None = Field(..., description="JSON of the value before.")
    new_value: str | None = Field(..., description="JSON of the value after.")
    note: str | None


class SuggestionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    field: str = Field(..., description="The plan field a person owns, e.g. interfaces.")
    item_key: str | None = Field(
        ..., description="The item in that field (an interface id, a phase name ...); null: the whole value."
    )
    old_value: Any = Field(..., description="The item (or value) as it is now; null when the item is new.")
    new_value: Any = Field(..., description="What the redraft reads; null when it no longer finds the item.")
    note: str | None
    status: SuggestionStatus
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None


class PlanDetail(PlanPublic):
    history: list[PlanHistoryPublic] = Field(..., description="Every change, oldest first.")
    suggestions: list[SuggestionPublic] = Field(
        ..., description="What redrafts would have changed in fields people own, newest first."
    )
    draft_stats: DraftStats | None = Field(None, description="What the last finished draft cost.")


class SuggestionDecision(BaseModel):
    version: int = Field(..., ge=1, description="The plan's version you read; 409 when it has changed since.")


class PlanList(BaseModel):
    items: list[PlanPublic]
    total: int = Field(..., description="Plans of the project, all pages together.")


class PlanAccepted(BaseModel):
    plan_id: str = Field(..., description="The plan, status drafting until the job ends.")
    job_id: str = Field(..., description="Follow it at GET /jobs/{job_id}.")
