"""Ctrl-C or SIGTERM: the server stops within seconds, the model child with it, and work resumes later."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from api.container import Container
from assistant.background import repository as tasks
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.providers.llama_server import LlamaServer
from tests.conftest import make_settings

STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"


def stubborn_child() -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"up\n"  # its SIGTERM handler is set
    return proc


def test_a_model_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    server = LlamaServer(make_settings(tmp_path))
    server._proc = child = stubborn_child()
    started = time.monotonic()
    server.stop(grace_s=0.5)
    assert child.poll() is not None and time.monotonic() - started < 3
    assert not server.running


class FakeLlama:
    """Stands for the model child: while it lives, a call in flight blocks; stopping it fails the call."""

    def __init__(self) -> None:
        self.gone = threading.Event()

    def stop(self, grace_s: float = 2.0) -> None:
        self.gone.set()


def test_close_stops_within_its_time_and_the_interrupted_scan_resumes_at_the_next_start(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    container = Container(settings, embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel())
    llama = FakeLlama()
    container._llama = llama  # type: ignore[assignment]
    calling = threading.Event()

    def scan(payload: dict[str, object]) -> None:
        calling.set()
        llama.gone.wait(30)  # a model call that would run for another minute
        raise ConnectionError("connection refused")

    container.background.register("risk-scan", "doc", scan)
    container.background.submit("risk-scan", "doc", {})
    container.start_background()
    assert calling.wait(5)
    started = time.monotonic()
    container.close(timeout=4)
    assert time.monotonic() - started < 4.5 and llama.gone.is_set()

    again = Container(settings, embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel())
    resumed: list[dict[str, object]] = []
    again.background.register("risk-scan", "doc", resumed.append)
    again.start_background(["risk-scan"])
    try:
        assert again.background.wait_idle(["risk-scan"], timeout=10)
    finally:
        again.close()
    assert resumed == [{}]
    with again.sessions() as session:
        [task] = tasks.recent_tasks(session, queue="risk-scan")
    assert task.status == "done" and task.attempts == 2


def test_the_served_app_stops_within_five_seconds_of_ctrl_c(tmp_path: Path) -> None:
    import os
    import signal
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")},
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "ASSISTANT_LLM_PROVIDER": "fake",
        "ASSISTANT_EMBEDDINGS_PROVIDER": "fake",
    }
    cli = Path(sys.executable).with_name("assistant")
    proc = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
