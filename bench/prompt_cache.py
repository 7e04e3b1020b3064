"""Prompt processing of the local model with and without llama-cpp-python's prompt cache, in one run.

The product's calls alternate between prompt families (a person's question, a background risk scan, a 5-Why),
and llama-cpp-python's server by default only reuses the previous call's prefix, so every switch re-reads
the whole prompt at 30-70 tokens/s on two cores. With ``--cache true`` it keeps states and starts each call
from the longest prefix it has seen. This sends the real prompts (built by the pipelines' own functions from
the demo's passages) in the order they interleave, with one output token each, so the time is prompt
processing, and prints the two modes side by side.

    .venv/bin/python -m bench.prompt_cache [--calls 16] [--cache-mb 1024]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.prompts import render_prompt
from assistant.providers.llama_server import LlamaServer
from assistant.qa.pipeline import format_passages as qa_passages
from assistant.risks.cues import Passage
from assistant.risks.scan import build_messages as scan_messages
from assistant.settings import Settings, load_settings
from ingest.readers import read_document

DEMO = Path(__file__).resolve().parents[1] / "demo" / "project"
QUESTIONS = [
    ("en", "Who owns the ERP data migration?"),
    ("zh", "接口联调什么时候开始？"),
    ("en", "Which protocol does IF-01 use and how often does it send orders?"),
    ("zh", "灰度上线分几个阶段？回滚的触发条件是什么？"),
    ("en", "When is the cut-over rehearsal planned?"),
    ("zh", "PLC 网关什么时候交货？"),
    ("en", "What did the security officer ask for?"),
    ("zh", "谁负责 WMS 的库存初始化？"),
]


@dataclass
class PassageText:
    chunk_id: str
    document_id: str
    file_name: str
    page: int | None
    section: str | None
    text: str
    score: float = 1.0


def demo_paragraphs() -> list[PassageText]:
    out = []
    for path in sorted(DEMO.glob("*.md")) + sorted(DEMO.glob("*.txt")):
        text = "\n".join(s.text for s in read_document(path.name, path.read_bytes()).segments)
        for n, para in enumerate(p.strip() for p in text.split("\n\n")):
            if len(para) > 80:
                out.append(PassageText(f"{path.name}:{n}", path.name, path.name, None, None, para[:800]))
    return out


def workload(calls: int) -> list[tuple[str, list[BaseMessage]]]:
    """Interactive questions and background scan calls, alternating as they do when a person asks while the
    register is being filled."""
    paragraphs = demo_paragraphs()
    settings = load_settings(_env_file=None)
    out: list[tuple[str, list[BaseMessage]]] = []
    for i in range(calls):
        if i % 2 == 0:
            language, question = QUESTIONS[(i // 2) % len(QUESTIONS)]
            passages = paragraphs[(i * 3) % len(paragraphs) :][:4]
            user = render_prompt(
                "qa_user", None, passages=qa_passages(passages, max_chars=600), question=question
            )
            out.append(
                (f"ask {language}", [SystemMessage(render_prompt("qa_system", language)), HumanMessage(user)])
            )
        else:
            p = paragraphs[(i * 5) % len(paragraphs)]
            passage = Passage(p.chunk_id, None, None, p.text[:360], 2, (), i)
            out.append(("scan", scan_messages([passage], settings.risk)))
    return out


def _role(m: BaseMessage) -> str:
    return "system" if isinstance(m, SystemMessage) else "user"


def run(settings: Settings, calls: list[tuple[str, list[BaseMessage]]]) -> list[tuple[str, int, float]]:
    server = LlamaServer(settings)
    url = server.base_url() + "/chat/completions"
    try:
        httpx.post(url, json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}, timeout=600)
        out = []
        for kind, messages in calls:
            body = {
                "messages": [{"role": _role(m), "content": str(m.content)} for m in messages],
                "max_tokens": 1,
                "temperature": 0,
            }
            started = time.monotonic()
            reply = httpx.post(url, json=body, timeout=600).json()
            out.append((kind, int(reply["usage"]["prompt_tokens"]), time.monotonic() - started))
        return out
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=16)
    parser.add_argument("--cache-mb", type=int, default=1024)
    args = parser.parse_args()
    calls = workload(args.calls)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, cache_mb in (("no cache", 0), (f"cache {args.cache_mb} MB", args.cache_mb)):
            settings = load_settings(data_dir=Path(tmp), llm_prompt_cache_mb=cache_mb, _env_file=None)
            results[label] = run(settings, calls)
    (a, first), (b, second) = results.items()
    print(f"{'call':>4}  {'kind':8} {'tokens':>6}  {a:>12}  {b:>16}")
    for n, ((kind, tokens, s1), (_, _, s2)) in enumerate(zip(first, second, strict=True), 1):
        print(f"{n:>4}  {kind:8} {tokens:>6}  {s1:>10.2f} s  {s2:>14.2f} s")
    for label, rows in results.items():
        secs = [s for _, _, s in rows]
        tokens = sum(t for _, t, _ in rows)
        print(
            f"{label:>16}: total {sum(secs):6.1f} s, median {statistics.median(secs):5.2f} s per call, "
            f"{tokens / sum(secs):5.0f} prompt tokens/s effective ({tokens} tokens)"
        )


if __name__ == "__main__":
    main()
