"""The gate in front of the model: who goes first, yielding, deadlines, and release on every ending."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, PrivateAttr

from assistant.errors import ModelBusyError, ProviderUnavailableError
from assistant.providers.llm import ask_structured
from assistant.providers.scheduler import LLMScheduler, Priority, llm_priority


class GatedModel(BaseChatModel):
    """A model whose calls last until the test lets them finish, recording the order they ran in."""

    _release: threading.Semaphore = PrivateAttr(default_factory=lambda: threading.Semaphore(0))
    _started: list[str] = PrivateAttr(default_factory=list)
    _running: threading.Event = PrivateAttr(default_factory=threading.Event)

    @property
    def _llm_type(self) -> str:
        return "gated"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._started.append(str(messages[-1].content))
        self._running.set()
        self._release.acquire(timeout=10)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content='{"answer": "ok"}'))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Any:
        for word in ("one", "two", "three"):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))


def gated(scheduler: LLMScheduler) -> GatedModel:
    return GatedModel(callbacks=[scheduler])


def call_in_thread(model: BaseChatModel, text: str, priority: Priority) -> threading.Thread:
    def run() -> None:
        with llm_priority(priority):
            model.invoke([HumanMessage(text)])

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_until(condition: Any, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_waiting_person_goes_before_waiting_background_work() -> None:
    scheduler = LLMScheduler()
    model = gated(scheduler)
    first = call_in_thread(model, "scan 1", Priority.background)
    wait_until(lambda: model._started == ["scan 1"])
    second = call_in_thread(model, "scan 2", Priority.background)
    wait_until(lambda: scheduler.status().waiting_background == 1)
    person = call_in_thread(model, "ask", Priority.interactive)
    wait_until(lambda: scheduler.status().waiting_interactive == 1)
    for _ in range(3):
        model._release.release()
    for t in (first, second, person):
        t.join(5)
    assert model._started == ["scan 1", "ask", "scan 2"]
    assert scheduler.status().in_flight == 0 and scheduler.calls == 3


def test_a_background_pipeline_yields_between_its_calls() -> None:
    scheduler = LLMScheduler()
    model = gated(scheduler)

    def pipeline() -> None:
        with llm_priority(Priority.background):
            for n in range(3):
                model.invoke([HumanMessage(f"scan {n}")])

    worker = threading.Thread(target=pipeline)
    worker.start()
    wait_until(lambda: model._started == ["scan 0"])
    person = call_in_thread(model, "five-why", Priority.interactive)
    wait_until(lambda: scheduler.status().waiting_interactive == 1)
    for _ in range(4):
        model._release.release()
    worker.join(5)
    person.join(5)
    # The person waited for the one call in flight, not for the whole scan.
    assert model._started == ["scan 0", "five-why", "scan 1", "scan 2"]


def test_an_interactive_call_that_cannot_start_in_time_says_where_it_stood() -> None:
    scheduler = LLMScheduler(interactive_wait_s=0.2)
    model = gated(scheduler)
    busy = call_in_thread(model, "scan", Priority.background)
    wait_until(lambda: model._started == ["scan"])

    class Answer(BaseModel):
        answer: str

    started = time.monotonic()
    with pytest.raises(ModelBusyError) as refused:
        ask_structured(model, Answer, [HumanMessage("ask")])  # refused, not retried into a timeout
    assert time.monotonic() - started < 2
    assert isinstance(refused.value, ProviderUnavailableError)  # so the API answers 503
    assert refused.value.position == 2 and refused.value.retry_after_s > 0
    assert "1 call(s) ahead" in str(refused.value)
    assert scheduler.status().waiting_interactive == 0  # it left the queue
    model._release.release()
    busy.join(5)
    assert model._started == ["scan"]


def test_background_calls_wait_as_long_as_it_takes() -> None:
    scheduler = LLMScheduler(interactive_wait_s=0.05)
    model = gated(scheduler)
    first = call_in_thread(model, "scan 1", Priority.background)
    wait_until(lambda: model._started == ["scan 1"])
    second = call_in_thread(model, "scan 2", Priority.background)
    time.sleep(0.2)  # far past the interactive budget
    assert second.is_alive() and scheduler.status().waiting_background == 1
    model._release.release()
    model._release.release()
    first.join(5)
    second.join(5)
    assert model._started == ["scan 1", "scan 2"]


def test_the_slot_is_given_back_after_an_error_and_after_a_stream() -> None:
    scheduler = LLMScheduler(interactive_wait_s=1)

    class Failing(GatedModel):
        def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
            raise ConnectionError("model server down")

    with pytest.raises(ConnectionError):
        Failing(callbacks=[scheduler]).invoke([HumanMessage("x")])
    assert scheduler.status().in_flight == 0
    model = gated(scheduler)
    stream = model.stream([HumanMessage("x")])
    next(stream)
    assert scheduler.status().in_flight == 1  # held while the answer is being written
    stream.close()  # the reader went away
    assert scheduler.status().in_flight == 0
    assert "".join(str(c.content) for c in model.stream([HumanMessage("y")])) == "onetwothree"
    assert scheduler.status().in_flight == 0


def test_the_gate_holds_for_copies_the_pipelines_make() -> None:
    scheduler = LLMScheduler()
    model = gated(scheduler)
    copies = [model.model_copy(update={"max_tokens": 5}), model.bind(stop=["\n"])]
    for copy in copies:
        run = uuid.uuid4()
        scheduler.acquire(run, Priority.background)  # the slot is taken
        t = threading.Thread(target=lambda c=copy: c.invoke([HumanMessage("copy")]))
        t.start()
        time.sleep(0.1)
        assert model._started == [], "a copy went past the gate"
        scheduler.release(run)
        wait_until(lambda: model._started == ["copy"])
        model._release.release()
        t.join(5)
        model._started.clear()
