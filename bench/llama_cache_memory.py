"""Memory of the local model server with its prompt cache, in one run: before = llama-cpp-python's own server and
RAM cache with the session-7 defaults (512 MB cache, batch 512); after = assistant/providers/llama_child.py with
today's settings (a cache that counts every byte it holds, ASSISTANT_LLM_PROMPT_CACHE_MB, ASSISTANT_LLM_BATCH).

Each side starts the server with the product's arguments, sends prompts that share no prefix (as ask, 5-Why and
scan prompts of different projects do), then repeats the first to show the cache still serves it, and prints
peak resident memory of the server process.

    .venv/bin/python -m bench.llama_cache_memory             # 8 prompts per side, ~5 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import threading
import time

import httpx
import psutil

from assistant.providers.llama_server import _free_port, model_path
from assistant.settings import load_settings

WORDS = ["integration", "interface", "cut-over", "migration", "warehouse", "vendor", "schedule", "acceptance"]
WORDS += ["rollback", "interface"]


def prompt(n: int, words: int) -> str:
    # Distinct from the first token on, about `words` tokens long.
    body = " ".join(WORDS[(i * (n + 3)) % len(WORDS)] for i in range(words))
    return f"Case {n}: {body}. Summarise case {n} in five words."


def run(module: str, prompts: int, words: int, cache_mb: int, batch: int) -> dict[str, float]:
    settings = load_settings()
    port = _free_port()
    cmd = [
        sys.executable, "-m", module, "--model", str(model_path(settings)), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", str(settings.llm.context), "--n_threads", str(settings.llm.threads),
        "--n_threads_batch", str(settings.llm.threads), "--n_batch", str(batch),
        "--cache", "true", "--cache_type", "ram", "--cache_size", str(cache_mb * 1024 * 1024),
    ]  # fmt: skip
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
    args = parser.parse_args()
    llm = load_settings().llm
    sides = {
        "before": ("llama_cpp.server", 512, 512),
        "after": ("assistant.providers.llama_child", llm.prompt_cache_mb, llm.batch),
    }
    out = {
        name: run(module, args.prompts, args.words, mb, batch) for name, (module, mb, batch) in sides.items()
    }
    print(f"{args.prompts} distinct prompts of ~{args.words} words, then the first again")
    print(
        f"before: llama_cpp.server, cache 512 MB, batch 512; after: llama_child, cache {llm.prompt_cache_mb} MB, "
        f"batch {llm.batch}"
    )
    print(f"{'measure':22}{'before':>12}{'after':>12}")
    for key in ("peak_rss_mb", "seconds", "repeat_of_first_s"):
        print(f"{key:22}{out['before'][key]:>12.1f}{out['after'][key]:>12.1f}")


if __name__ == "__main__":
    main()
