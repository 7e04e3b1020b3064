"""The screen: one short question per candidate sentence, "does this sentence raise a risk?", before the scan
asks for a register entry. The small model answers a yes/no question about one sentence far more reliably than
it finds risks while filling a dozen fields (it falls back on "no risks" there), and a "no" costs a handful of
output tokens instead of a hundred, so the scan can afford to put many more sentences to it.
"""

from __future__ import annotations

import re

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, field_validator

from assistant.language import question_language
from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured
from assistant.providers.settings import StructuredMethod

# {"risk": false} is 6 tokens; the cap only stops a model that rambles past the JSON.
SCREEN_OUTPUT_TOKENS = 16
_TAG = re.compile(r"<\s*/?\s*(?:context|sentence|passage)", re.IGNORECASE)


def defuse(text: str) -> str:
    """Marker look-alikes inside document text are defused, so a document cannot close its quote early and
    speak outside it."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "‹"), text)


class ScreenAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra=lambda s: s.update(required=["risk"]))

    risk: bool = False

    @field_validator("risk", mode="before")
    @classmethod
    def _yes(cls, value: object) -> bool:
        if isinstance(value, str):
            return value.strip().lower() in {"true", "yes", "y", "1", "是"}
        return bool(value)


def screen_messages(sentence: str, context: str) -> list[BaseMessage]:
    """The static system text first (the server's prompt cache keeps it), then the sentence in its context."""
    language = question_language(sentence + " " + context)
    return [
        SystemMessage(content=render_prompt("risks_screen", language)),
        HumanMessage(
            content=render_prompt(
                "risks_screen_item", language, context=defuse(context), sentence=defuse(sentence)
            )
        ),
    ]


def raises_risk(llm: BaseChatModel, method: StructuredMethod, sentence: str, context: str) -> bool:
    """The model's yes or no for one sentence; ModelOutputError when it answers nonsense twice."""
    return ask_structured(llm, ScreenAnswer, screen_messages(sentence, context), method=method).risk
