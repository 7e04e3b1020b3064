"""What the reliability tests share: a real HTTP server around the app, a stand-in OpenAI-compatible model
server on loopback, and the consistency rules every state of the database must keep."""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.documents.models import Chunk, Document
from assistant.providers.embeddings import HashingEmbeddings
from assistant.risks.models import Risk, RiskEvidence, RiskHistory, RiskSource

# ---- the app behind a real socket ----------------------------------------------------------------------


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread: requests from several client threads
    really run at once (the routes' worker threads, the database, the background workers). Yields the URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", backlog=256))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


# ---- a stand-in for an OpenAI-compatible model server ----------------------------------------------------

_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)
_SENTENCE = re.compile(r"[^。！？；!?;\n]+")
EMBEDDING_DIMENSIONS = 64


def findings_for(prompt: str) -> dict[str, Any]:
    """What a model that does its job returns for a risk-scan prompt: one finding per passage, its quote copied
    from inside one sentence of that passage (so the scan's quote check keeps it)."""
    risks = []
    for n, text in _PASSAGE.findall(prompt):
        sentence = max(_SENTENCE.findall(text), key=len, default="").strip()
        if len(sentence) < 6:
            continue
        quote = sentence[:40]
        risks.append(
            {
                "passage": int(n),
                "quote": quote,
                "title": f"Risk in {quote[:24]}",
                "category": "schedule",
                "cause": "a supplier date is not confirmed",
                "event": "integration testing slips",
                "effect": "go-live moves",
                "probability": 3,
                "impact": 4,
                "owner": "",
                "mitigation": "confirm the date with the supplier",
                "contingency": "",
                "trigger": "",
            }
        )
    return {"risks": risks[:1]}


@dataclass
class Hold:
    """Requests whose text contains ``marker`` are held (never answered) once ``reached`` is set, until the
    server stops: the process that sent them is killed while it waits."""

    marker: str
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class FakeOpenAI:
    """``/v1/chat/completions`` (yes to the risk screen, risk findings quoted from the prompt's passages) and ``/v1/embeddings``
    (the tests' hashing vectors) on 127.0.0.1, counting calls; ``hold_*`` makes a chosen call hang."""

    def __init__(self) -> None:
        self.chat_calls = 0
        self.embedding_calls = 0
        self.chat_hold: Hold | None = None
        self.embedding_hold: Hold | None = None
        self._lock = threading.Lock()
        self._embedder = HashingEmbeddings(EMBEDDING_DIMENSIONS)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path.endswith("/chat/completions"):
                    reply = fake._chat(body)
                elif self.path.endswith("/embeddings"):
                    reply = fake._embeddings(body)
                else:
                    self.send_error(404)
                    return
                data = json.dumps(reply, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for hold in (self.chat_hold, self.embedding_hold):
            if hold is not None:
                hold.release.set()
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def _wait_if_held(hold: Hold | None, text: str) -> None:
        if hold is not None and hold.marker in text and not hold.release.is_set():
            hold.reached.set()
            hold.release.wait(120)

    def _chat(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        with self._lock:
            self.chat_calls += 1
        self._wait_if_held(self.chat_hold, prompt)
        schema = (body.get("response_format") or {}).get("schema") or {}
        # The screen's yes/no question (a schema of one "risk" flag): every candidate sentence is a risk here,
        # so each goes on to the register question, whose findings quote the prompt's passages.
        answer = {"risk": True} if "risk" in schema.get("properties", {}) else findings_for(prompt)
        content = json.dumps(answer, ensure_ascii=False)
        return {
            "id": "chatcmpl-reliability",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "fake"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": 50, "total_tokens": 0},
        }

    def _embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        texts = body.get("input", [])
        texts = [texts] if isinstance(texts, str) else [str(t) for t in texts]
        with self._lock:
            self.embedding_calls += 1
        self._wait_if_held(self.embedding_hold, "\n".join(texts))
        vectors = self._embedder.embed_array(texts).astype(np.float32)
        as_base64 = body.get("encoding_format") == "base64"
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": base64.b64encode(v.tobytes()).decode() if as_base64 else v.tolist(),
            }
            for i, v in enumerate(vectors)
        ]
        return {"object": "list", "data": data, "model": body.get("model", "fake"), "usage": {}}


# ---- what every state of the database must keep ----------------------------------------------------------


def half_written(session: Session, *, finished: bool) -> list[str]:
    """Records that break the product's promises, as sentences (empty: none). At any moment, even right
    after a kill: an indexed document has exactly its ``chunk_count`` chunk rows of its active version; no
    chunk row lacks its document; every risk has its 'created' history row, and a risk the assistant found
    has its evidence; no evidence or history row lacks its risk. Once work has ``finished``, no chunk rows of
    an inactive version (an unfinished attempt's leftovers) remain either."""
    problems = []
    docs = {d.id: d for d in session.scalars(select(Document))}
    chunks: dict[tuple[str, str], int] = {}
    for doc_id, version in session.execute(select(Chunk.document_id, Chunk.version)):
        chunks[(doc_id, version)] = chunks.get((doc_id, version), 0) + 1
    for (doc_id, version), n in chunks.items():
        doc = docs.get(doc_id)
        if doc is None:
            problems.append(f"{n} chunk rows of version {version} have no document {doc_id}")
        elif version != doc.active_version and finished:
            problems.append(f"{n} chunk rows of {doc.file_name} belong to inactive version {version}")
    for doc in docs.values():
        active = chunks.get((doc.id, doc.active_version or ""), 0)
        if doc.status == "indexed" and (active == 0 or active != doc.chunk_count):
            problems.append(
                f"{doc.file_name} is indexed with {active} chunk rows, chunk_count {doc.chunk_count}"
            )
    risks = {r.id: r for r in session.scalars(select(Risk))}
    created = {
        rid
        for rid, kind in session.execute(select(RiskHistory.risk_id, RiskHistory.kind))
        if kind == "created"
    }
    evidence = set(session.scalars(select(RiskEvidence.risk_id)))
    for risk in risks.values():
        if risk.id not in created:
            problems.append(f"{risk.project_id}/RSK-{risk.number:04d} has no 'created' history row")
        if risk.source == RiskSource.ai.value and risk.id not in evidence:
            problems.append(
                f"{risk.project_id}/RSK-{risk.number:04d} was found by the assistant without evidence"
            )
    for rid in evidence | set(session.scalars(select(RiskHistory.risk_id))):
        if rid not in risks:
            problems.append(f"evidence or history rows of a risk that does not exist (id {rid})")
    return problems
