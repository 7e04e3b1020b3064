"""The LLM settles the kind and quality class of statements whose rule-and-prototype classification is unsure.

Cue words and class descriptions decide most statements well; near the decision boundary (a statement that
names no quality word but constrains one, or names one while describing a function) reading the statement is
what helps. The model is asked only there, so a document check stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured
from assistant.requirements.models import CheckedRequirement, Kind
from assistant.settings import StructuredMethod

QualityClass = Literal[
    "performance",
    "security",
    "usability",
    "availability",
    "reliability",
    "scalability",
    "maintainability",
    "portability",
    "legal",
    "look_and_feel",
    "operational",
]


class LLMClassification(BaseModel):
    kind: Kind = Field(description="functional or non_functional")
    quality_class: QualityClass | None = Field(None, description="The quality class of a non-functional one.")


def llm_classify(
    text: str, *, language: str, llm: BaseChatModel, method: StructuredMethod, max_tokens: int = 40
) -> LLMClassification:
    """One statement's kind and class as the model reads it; a non-functional answer without a class keeps
    kind non_functional and leaves the class to the caller."""
    if hasattr(llm, "max_tokens"):
        llm = llm.model_copy(update={"max_tokens": max_tokens})
    messages = [
        # The system prompt is the same for every statement, so llama.cpp reuses its evaluated prefix.
        SystemMessage(render_prompt("requirement_classify", language)),
        HumanMessage(render_prompt("requirement_classify_user", None, statement=text)),
    ]
    out = ask_structured(llm, LLMClassification, messages, method=method)
    if out.kind == "functional":
        out.quality_class = None
    return out


def settle_uncertain(
    items: Sequence[CheckedRequirement],
    *,
    llm: BaseChatModel,
    method: StructuredMethod,
    below: float,
    limit: int,
) -> int:
    """Re-classify the statements whose confidence is below ``below`` (least sure first, at most ``limit``);
    returns how many the model read. A statement the model calls non-functional without a class keeps the
    rules' best class when they had one."""
    unsure = sorted((r for r in items if r.confidence < below), key=lambda r: r.confidence)[:limit]
    for req in unsure:
        out = llm_classify(req.text, language=req.language, llm=llm, method=method)
        if out.kind == "non_functional":
            req.quality_class = out.quality_class or req.quality_class
        else:
            req.quality_class = None
        req.kind = out.kind
        req.classified_by = "llm"
    return len(unsure)
