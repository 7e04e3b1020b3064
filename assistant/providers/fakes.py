"""A scripted chat model for tests and the ``fake`` provider: queue replies, read what was asked."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

# Characters per streamed piece of a scripted reply.
STREAM_PIECE = 6


class ScriptedChatModel(BaseChatModel):
    """Replies come from ``enqueue()`` in order; ``history`` keeps every prompt with its bound kwargs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    default_reply: str | None = Field(default=None)
    # An output cap as real chat models have one: pipelines cap with model_copy(max_tokens=...), and the
    # history shows the cap each call was made with.
    max_tokens: int | None = Field(default=None)
    _queue: deque[str | Exception] = PrivateAttr(default_factory=deque)
    _history: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def enqueue(self, *replies: str | dict | BaseModel | Exception) -> ScriptedChatModel:
        for reply in replies:
            if isinstance(reply, BaseModel):
                reply = reply.model_dump_json()
            elif isinstance(reply, dict):
                reply = json.dumps(reply, ensure_ascii=False)
            self._queue.append(reply)
        return self

    @property
    def history(self) -> list[dict[str, Any]]:
        return self._history

    def _next_reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        capped = {"max_tokens": self.max_tokens} if self.max_tokens is not None else {}
        self._history.append({"messages": messages, "kwargs": {**kwargs, **capped}})
        if self._queue:
            reply = self._queue.popleft()
        elif self.default_reply is not None:
            reply = self.default_reply
        else:
            raise RuntimeError("ScriptedChatModel: no reply queued")
        if isinstance(reply, Exception):
            raise reply
        return reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._next_reply(messages, kwargs)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """The reply in pieces of a few characters, as a real model streams it."""
        reply = self._next_reply(messages, kwargs)
        for i in range(0, len(reply), STREAM_PIECE):
            yield ChatGenerationChunk(message=AIMessageChunk(content=reply[i : i + STREAM_PIECE]))
