from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field


class PassageLike(Protocol):
    chunk_id: str
    document_id: str
    file_name: str
    page: int | None
    section: str | None
    text: str
    score: float


class ModelAnswer(BaseModel):
    """What the LLM is asked to return."""

    answer: str = Field(
        description="The answer, each claim followed by the [n] of the passage it comes from."
    )
    not_found: bool = Field(description="true when the passages do not contain the answer.")


class Citation(BaseModel):
    n: int = Field(..., description="The number used in the answer text, [n].")
    document_id: str
    file_name: str
    page: int | None
    section: str | None
    quote: str = Field(..., description="The span of the passage that supports the sentence citing it.")
    supported: bool = Field(
        ...,
        description="Whether the cited passage supports the sentence: it holds the claim's words or figures "
        "and is itself relevant to the question.",
    )
    chunk_id: str = Field(..., description="The cited passage (see passages[].chunk_id).")


class PassagePublic(BaseModel):
    n: int
    chunk_id: str = Field(
        ..., description="The passage's chunk; a citation with the same chunk_id quotes it."
    )
    document_id: str
    file_name: str
    page: int | None
    section: str | None
    text: str
    score: float


class Timing(BaseModel):
    retrieval_ms: int
    generation_ms: int
    checking_ms: int
    total_ms: int


class AnswerPublic(BaseModel):
    answer: str
    refused: bool = Field(
        ..., description="true when the documents do not hold the answer; nothing was invented."
    )
    refusal_reason: str | None = Field(
        None,
        description="no_relevant_passages | model_not_found | no_supported_claims | answer_restates_question | "
        "question_specifics_missing (the passages holding the answer lack a year, date, id or name the question "
        "names; the answer text says which)",
    )
    language: str = Field(..., description="zh or en: the question's language, used for the answer.")
    citations: list[Citation]
    citations_checked: int
    citations_supported: int
    unsupported_sentences: list[str] = Field(
        default_factory=list,
        description="Sentences whose citations did not hold; flagged in the answer text.",
    )
    passages: list[PassagePublic] = Field(
        default_factory=list, description="The passages retrieved (the closest ones when refused)."
    )
    timing: Timing
