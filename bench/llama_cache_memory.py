"""Memory and speed of the local model server with its prompt cache, side by side in one run: "session 7" =
llama-cpp-python's own server and RAM cache (512 MB cache, batch 512); "session 8" = assistant/providers/
llama_child.py (a cache that counts every byte it holds, ASSISTANT_LLM_PROMPT_CACHE_MB, ASSISTANT_LLM_BATCH) with
llama-cpp-python's default of logits for every prompt token; "now" = the product's command (server_command).

Each side starts the server with the product's arguments, sends prompts that share no prefix (as ask, 5-Why and
scan prompts of different projects do), then repeats the first to show the cache still serves it, and prints
peak resident memory of the server process.

    .venv/bin/python -m bench.llama_cache_memory [--sides "session 7,session 8,now"]  # ~2 minutes a side
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx
import psutil

from assistant.providers.llama_server import _free_port, model_path, server_command
from assistant.settings import load_settings

WORDS = ["integration", "interface", "cut-over", "migration", "warehouse", "vendor", "schedule", "acceptance"]
WORDS += ["rollback", "interface"]


def prompt(n: int, words: int) -> str:
    # Distinct from the first token on, about `words` tokens long.
    body = " ".join(WORDS[(i * (n + 3)) % len(WORDS)] for i in range(words))
    return f"Case {n}: {body}. Summarise case {n} in five words."


def session7_command(port: int) -> list[str]:
    """llama-cpp-python's own server as session 7 started it (512 MB cache, batch 512, its defaults)."""
    settings = load_settings()
    return [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model_path(settings)), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", str(settings.llm.context), "--n_threads", str(settings.llm.threads),
        "--n_threads_batch", str(settings.llm.threads), "--n_batch", "512",
        "--cache", "true", "--cache_type", "ram", "--cache_size", str(512 * 1024 * 1024),
    ]  # fmt: skip


def product_command(port: int, *, logits_all: bool = False) -> list[str]:
    """What the product starts (assistant/providers/llama_server.py); ``logits_all=True`` is session 8's."""
    settings = load_settings()
    cmd = server_command(settings, model_path(settings), port)
    if logits_all:
        at = cmd.index("--logits_all")
        del cmd[at : at + 2]  # llama-cpp-python's default: true
    return cmd


def run(command: Callable[[int], list[str]], prompts: int, words: int) -> dict[str, float]:
    port = _free_port()
    cmd = command(port)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            with contextlib.suppress(psutil.Error):
                peak = max(peak, psutil.Process(proc.pid).memory_info().rss)

    threading.Thread(target=sample, daemon=True).start()
    url = f"http://127.0.0.1:{port}/v1"
    try:
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        started = time.monotonic()
        first_s = 0.0
        for n in [*range(prompts), 0]:
            t = time.monotonic()
            httpx.post(
                f"{url}/completions",
                json={"prompt": prompt(n, words), "max_tokens": 8, "temperature": 0},
                timeout=600,
            ).raise_for_status()
            if n == 0:
                first_s = time.monotonic() - t  # the last value: the repeat of prompt 0
        total = time.monotonic() - started
    finally:
        done.set()
        proc.terminate()
        proc.wait(30)
    return {"peak_rss_mb": peak / 1048576, "seconds": total, "repeat_of_first_s": first_s}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--sides", default="session 8,now", help="comma list of: session 7, session 8, now")
    args = parser.parse_args()
    llm = load_settings().llm
    sides: dict[str, Callable[[int], list[str]]] = {
        "session 7": session7_command,
        "session 8": functools.partial(product_command, logits_all=True),
        "now": product_command,
    }
    chosen = args.sides.split(",")
    out = {name: run(sides[name], args.prompts, args.words) for name in chosen}
    print(f"{args.prompts} distinct prompts of ~{args.words} words, then the first again")
    print(
        "session 7: llama_cpp.server, cache 512 MB, batch 512, logits for every token; session 8: llama_child, "
        f"cache {llm.prompt_cache_mb} MB, batch {llm.batch}, logits for every token; now: the same with "
        "--logits_all false"
    )
    print(f"{'measure':22}" + "".join(f"{name:>12}" for name in chosen))
    for key in ("peak_rss_mb", "seconds", "repeat_of_first_s"):
        print(f"{key:22}" + "".join(f"{out[name][key]:>12.1f}" for name in chosen))


if __name__ == "__main__":
    main()
