"""What the local provider really sends to llama.cpp's server, seen by a recording fake server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from assistant.providers.llm import ask_structured, make_chat_model, structured_method
from tests.conftest import make_settings


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.reply = '{"answer": "ok"}'


@pytest.fixture
def fake_server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length", 0))
            recorder.bodies.append(json.loads(self.rfile.read(length)))
            body = json.dumps(
                {
                    "id": "c1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "m",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": recorder.reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", recorder
    server.shutdown()
    server.server_close()


class FakeLlamaServer:
    def __init__(self, url: str) -> None:
        self.url = url

    def base_url(self) -> str:
        return self.url


class Answer(BaseModel):
    answer: str


def test_the_local_provider_sends_its_output_cap_as_max_tokens(
    tmp_path: Path, fake_server: tuple[str, Recorder]
) -> None:
    url, recorder = fake_server
    settings = make_settings(tmp_path, llm_provider="local", embeddings_provider="fake")
    llm = make_chat_model(settings, llama_server=FakeLlamaServer(url))  # type: ignore[arg-type]
    capped = llm.model_copy(update={"max_tokens": 77})
    out = ask_structured(capped, Answer, [HumanMessage("hi")], method=structured_method(settings))
    assert out.answer == "ok"
    [body] = recorder.bodies
    # llama-cpp-python's server reads max_tokens and ignores max_completion_tokens.
    assert body["max_tokens"] == 77 and "max_completion_tokens" not in body
    assert body["response_format"]["type"] == "json_object"


def test_an_uncapped_local_call_sends_no_cap(tmp_path: Path, fake_server: tuple[str, Recorder]) -> None:
    url, recorder = fake_server
    settings = make_settings(tmp_path, llm_provider="local", embeddings_provider="fake")
    llm = make_chat_model(settings, llama_server=FakeLlamaServer(url))  # type: ignore[arg-type]
    llm.invoke([HumanMessage("hi")])
    assert "max_tokens" not in recorder.bodies[0] and "max_completion_tokens" not in recorder.bodies[0]


def test_the_model_server_computes_logits_only_for_the_tokens_it_samples(tmp_path: Path) -> None:
    """llama-cpp-python's server defaults to logits for every prompt token (600 KB each, copied into an
    n_ctx x vocabulary array); the command the product starts must turn that off, in words its parser reads."""
    import argparse

    pytest.importorskip("llama_cpp.server")
    from llama_cpp.server.cli import add_args_from_model, parse_model_from_args
    from llama_cpp.server.settings import ModelSettings
    from llama_cpp.server.settings import Settings as CommandLine

    from assistant.providers.llama_server import server_command

    settings = make_settings(tmp_path)
    cmd = server_command(settings, tmp_path / "model.gguf", 8123)
    parser = argparse.ArgumentParser()
    add_args_from_model(parser, CommandLine)  # what llama_cpp.server's __main__ parses
    parsed = parse_model_from_args(ModelSettings, parser.parse_args(cmd[cmd.index("--model") :]))
    assert parsed.logits_all is False
    assert parsed.n_ctx == settings.llm.context and parsed.n_batch == settings.llm.batch


def test_a_model_server_that_never_answers_is_unavailable_not_confused(tmp_path: Path) -> None:
    """A timeout means the model is away (503 with a retry hint), not that it wrote nonsense (asked again
    blindly, then 502): langchain-openai raises its own subclass of openai's timeout error."""
    import contextlib
    import socket

    from assistant.errors import ProviderUnavailableError

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts connections and never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    settings = make_settings(tmp_path, llm_provider="local", embeddings_provider="fake", llm_timeout_s=0.5)
    llm = make_chat_model(settings, llama_server=FakeLlamaServer(url))  # type: ignore[arg-type]
    try:
        with pytest.raises(ProviderUnavailableError, match="unavailable"):
            ask_structured(llm, Answer, [HumanMessage("hi")], method=structured_method(settings))
        listener.setblocking(False)
        calls = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                listener.accept()[0].close()
                calls += 1
    finally:
        listener.close()
    assert calls == 1  # one timeout, not a second try
