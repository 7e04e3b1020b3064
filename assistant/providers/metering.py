"""Counting LLM calls and tokens, whatever the provider: a langchain callback installed for a block of code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook


class TokenMeter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **_: Any
    ) -> None:
        self.calls += 1

    def on_llm_end(self, response: LLMResult, **_: Any) -> None:
        for generations in response.generations:
            for gen in generations:
                if not (isinstance(gen, ChatGeneration) and isinstance(gen.message, AIMessage)):
                    continue
                usage = gen.message.usage_metadata
                if usage:
                    self.prompt_tokens += int(usage.get("input_tokens", 0))
                    self.completion_tokens += int(usage.get("output_tokens", 0))


# langchain adds the handler of this variable to every model call made while it is set (this thread only).
_METER: ContextVar[TokenMeter | None] = ContextVar("llm_token_meter", default=None)
register_configure_hook(_METER, inheritable=True)


@contextmanager
def metered() -> Iterator[TokenMeter]:
    """Every LLM call inside the block is counted on the meter it yields."""
    meter = TokenMeter()
    token = _METER.set(meter)
    try:
        yield meter
    finally:
        _METER.reset(token)
