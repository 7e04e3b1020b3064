"""Bodies of the plans API: what people send and what they get back.

The plan's body is ``PlanContent`` (facts.py), shared with the reader and the exports; ``PlanPublic`` carries
it at top level beside the plan's id, status and version, as the plans issue's contract lists them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from assistant.plans.facts import (
    Conflict,
    Cutover,
    Handover,
    Interface,
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
    title: Title | None = None
    systems: list[System] | None = None
    interfaces: list[Interface] | None = None
    phases: list[Phase] | None = None
    tests: list[TestItem] | None = None
    cutover: Cutover | None = None
    training: list[Training] | None = None
    handover: list[Handover] | None = None
    risks: list[PlanRisk] | None = None
    requirements: list[PlanRequirement] | None = None
    needs: list[PlanNeed] | None = None
    open_questions: list[OpenQuestion] | None = None
    conflicts: list[Conflict] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the body sets; a ``null`` list or cut-over means empty (it cannot be absent)."""
        return {f: getattr(self, f) for f in EDITABLE_FIELDS if f in self.model_fields_set}


class PlanPublic(PlanContent):
    id: str
    project_id: str
    status: PlanStatus = Field(..., description="drafting (the job runs), ready, or failed (see reason).")
    reason: str | None = Field(None, description="Why drafting failed; null otherwise.")
    version: int = Field(..., description="Send it back with PATCH; it grows with every change.")
    title: str
    language: PlanLanguage
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanList(BaseModel):
    items: list[PlanPublic]
    total: int = Field(..., description="Plans of the project, all pages together.")


class PlanAccepted(BaseModel):
    plan_id: str = Field(..., description="The plan, status drafting until the job ends.")
    job_id: str = Field(..., description="Follow it at GET /jobs/{job_id}.")
