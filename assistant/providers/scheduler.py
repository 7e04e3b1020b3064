"""One gate in front of the chat model: a person waiting goes before background work.

The embedded model serves one call at a time on two cores, and llama.cpp's server takes requests in arrival
order: a risk scan that queued ten calls made a 5-Why wait for all ten. The gate lets ``slots`` calls reach
the model at once; when a slot frees, the waiting call of the highest priority takes it (oldest first within
a priority). A background pipeline asks for the slot again before each call, so it yields between its calls
and an interactive call waits for at most the calls already in flight.

It is a langchain callback handler attached to the chat model, so it holds for every copy the pipelines make
(``bind``, ``model_copy``, ``with_structured_output``) and for any provider, the tests' scripted model
included. Callers say how they wait with ``llm_priority`` (a context variable, so it follows the call down
the stack without being passed around).

An interactive call that cannot start within its budget is refused at once with ModelBusyError (HTTP 503),
naming its place in the queue and an estimate, instead of being retried blindly into a timeout.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from assistant.errors import ModelBusyError


class Priority(IntEnum):
    """Lower goes first."""

    interactive = 0  # a person is waiting: ask, 5-Why, a rewrite, a plan draft
    background = 1  # nobody is waiting: document scans, warm-ups


_PRIORITY: ContextVar[Priority] = ContextVar("llm_priority", default=Priority.interactive)

# Until calls have been timed, an estimate assumes this long per call (a capped call of the local model).
FIRST_GUESS_S = 20.0
# Weight of the newest call in the running average of call durations.
SMOOTHING = 0.3


@contextmanager
def llm_priority(priority: Priority) -> Iterator[None]:
    """Every model call inside the block waits as ``priority`` says."""
    token = _PRIORITY.set(priority)
    try:
        yield
    finally:
        _PRIORITY.reset(token)


@dataclass(frozen=True)
class QueueStatus:
    in_flight: int
    waiting_interactive: int
    waiting_background: int
    average_call_s: float


class LLMScheduler(BaseCallbackHandler):
    """``slots``: calls at the model at once. ``interactive_wait_s``: how long an interactive call may wait
    for a slot before it is refused (None: as long as it takes). Background calls wait as long as it takes."""

    raise_error = True  # a refusal must reach the caller, not be logged and ignored by langchain

    def __init__(
        self,
        *,
        slots: int = 1,
        interactive_wait_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slots = slots
        self.interactive_wait_s = interactive_wait_s
        self._clock = clock
        self._cond = threading.Condition()
        self._waiting: list[tuple[int, int]] = []  # heap of (priority, ticket)
        self._tickets = itertools.count()
        self._in_flight: dict[UUID, tuple[float, Priority]] = {}  # run id -> (start, priority)
        self._average_s = FIRST_GUESS_S
        self.calls = 0

    # ---- the gate ---------------------------------------------------------------------------------------

    def acquire(self, run_id: UUID, priority: Priority | None = None) -> None:
        priority = _PRIORITY.get() if priority is None else priority
        budget = self.interactive_wait_s if priority is Priority.interactive else None
        with self._cond:
            entry = (int(priority), next(self._tickets))
            heapq.heappush(self._waiting, entry)
            deadline = None if budget is None else self._clock() + budget
            while not (len(self._in_flight) < self.slots and self._waiting[0] == entry):
                remaining = None if deadline is None else deadline - self._clock()
                if remaining is not None and remaining <= 0:
                    self._give_up(entry)
                self._cond.wait(remaining)
            heapq.heappop(self._waiting)
            self._in_flight[run_id] = (self._clock(), priority)
            self._cond.notify_all()  # with several slots, the next waiter may go too

    def _give_up(self, entry: tuple[int, int]) -> None:
        ahead = sum(1 for other in self._waiting if other < entry) + len(self._in_flight)
        self._waiting.remove(entry)
        heapq.heapify(self._waiting)
        self._cond.notify_all()
        estimate = (ahead / max(1, self.slots) + 1) * self._average_s
        raise ModelBusyError(
            f"the language model is busy: {ahead} call(s) ahead of this one, about {estimate:.0f} s; "
            "try again shortly",
            position=ahead + 1,
            retry_after_s=estimate,
        )

    def release(self, run_id: UUID) -> None:
        with self._cond:
            held = self._in_flight.pop(run_id, None)
            if held is None:
                return
            took = self._clock() - held[0]
            self._average_s = (1 - SMOOTHING) * self._average_s + SMOOTHING * took
            self.calls += 1
            self._cond.notify_all()

    def people_waiting(self) -> bool:
        """Whether a call a person waits for is at the model or in line for it (other background work that
        competes for the CPU, such as the rerank warm-up, holds back meanwhile)."""
        with self._cond:
            return any(p is Priority.interactive for _, p in self._in_flight.values()) or any(
                p == Priority.interactive for p, _ in self._waiting
            )

    def status(self) -> QueueStatus:
        with self._cond:
            waiting = [p for p, _ in self._waiting]
            return QueueStatus(
                in_flight=len(self._in_flight),
                waiting_interactive=waiting.count(Priority.interactive),
                waiting_background=waiting.count(Priority.background),
                average_call_s=round(self._average_s, 2),
            )

    def attach(self, model: BaseChatModel) -> None:
        """Put the gate on ``model`` (once); the copies pipelines make of it keep it."""
        handlers = model.callbacks
        if isinstance(handlers, BaseCallbackManager):
            if self not in handlers.handlers:
                handlers.add_handler(self, inherit=True)
        elif self not in (handlers or []):
            model.callbacks = [*(handlers or []), self]

    # ---- langchain callbacks: every chat-model run takes a slot and gives it back --------------------------

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *, run_id: UUID, **_: Any
    ) -> None:
        self.acquire(run_id)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **_: Any) -> None:
        self.release(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **_: Any) -> None:
        self.release(run_id)
