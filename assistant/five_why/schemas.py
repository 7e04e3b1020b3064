from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from assistant.requirements.models import Finding


class FiveWhyCreate(BaseModel):
    statement: str = Field(..., min_length=2, max_length=2000, description="The stated request or problem.")
    context: str | None = Field(None, max_length=4000, description="Optional background from the analyst.")
    stream: bool = Field(
        False,
        description="Answer as server-sent events (status 200): a `why` event ({n, question, answer}) as the "
        "model writes each round, then `analysis` (the stored analysis, as without streaming) or `error`.",
    )


# What the LLM is asked for: deliberately flat, so a small model can fill it.
class DraftWhy(BaseModel):
    question: str = Field(description="The 'why' question of this round.")
    answer: str = Field(description="The answer, one sentence.")
    passage: int | None = Field(description="Number of the passage that states this answer, or null.")


class DraftRequirement(BaseModel):
    statement: str = Field(description="A testable requirement in EARS form.")
    acceptance_criteria: list[str] = Field(description="Given/When/Then criteria.")


class FiveWhyDraft(BaseModel):
    whys: list[DraftWhy] = Field(description="Up to five rounds, each answering the previous one.")
    stop_reason: str | None = Field(description="Why fewer than five rounds were needed, if so.")
    root_need: str = Field(description="The real need behind the request.")
    requirements: list[DraftRequirement]
    solutions: list[str]
    open_questions: list[str] = Field(description="Questions to ask the customer.")


class WhyCitation(BaseModel):
    document_id: str
    file_name: str
    page: int | None
    section: str | None
    quote: str
    supported: bool


class WhyStep(BaseModel):
    question: str
    answer: str
    citations: list[WhyCitation]
    assumption: bool = Field(..., description="true when no passage of the documents backs this answer.")


class RestatedRequirement(BaseModel):
    text: str = Field(..., description="EARS-form requirement.")
    acceptance_criteria: list[str]
    score: int = Field(..., description="Quality score 0-100 from the rule checks.")
    findings: list[Finding]


class FiveWhyPublic(BaseModel):
    id: str
    project_id: str
    statement: str
    context: str | None
    language: str
    whys: list[WhyStep]
    stop_reason: str | None
    root_need: str
    requirements: list[RestatedRequirement]
    solutions: list[str]
    open_questions: list[str]
    confidence: float = Field(
        ...,
        ge=0,
        le=1,
        description="Share of 'why' answers backed by a document, weighted with requirement quality.",
    )
    created_at: dt.datetime


class FiveWhyList(BaseModel):
    items: list[FiveWhyPublic]
    total: int
