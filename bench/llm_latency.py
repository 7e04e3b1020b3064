"""What a person waits for on the embedded default: before and after, side by side, from one run.

Each side is a real server (`assistant serve`, local model, packaged embedders) on a fresh data directory,
driven over HTTP exactly as a user would: the demo project is uploaded, then searches, questions (plain and
streamed), 5-Whys on an idle machine and while a risk scan of the whole project runs, a restart, and the
server's memory is sampled throughout. "before" is a git revision (default: the last landing before the
LLM-runtime work) run from a temporary worktree; "after" is this working tree.

    .venv/bin/python -m bench.llm_latency                 # both sides, ~40 minutes on 2 cores
    .venv/bin/python -m bench.llm_latency --quick         # fewer questions
    .venv/bin/python -m bench.llm_latency --sides after   # one side
    .venv/bin/python -m bench.llm_latency --sides after,before  # this tree first: a broken run fails early

Run it on an idle machine: the figures are wall-clock seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo" / "project"
RESULTS = REPO / "bench" / "results"
BEFORE_REV = "ce9792c"  # the last landing before the architecture pass and the LLM runtime work

ASK_EN = [
    "Who owns the ERP data migration?",
    "Which protocol does IF-05 use?",
    "When is the cut-over weekend?",
    "What is the status of the MES API version?",
    "Who is the MES vendor's project manager?",
]
ASK_ZH = [
    "接口联调什么时候开始？",
    "PLC 网关什么时候交货？",
    "灰度上线第一批是哪个车间？",
    "谁负责等保测评？",
    "生产订单接口多久同步一次？",
]
SEARCHES = ASK_EN + ASK_ZH + ["IF-02 Kafka topic", "物料主数据重复", "rollback trigger", "培训移交"]
FIVE_WHY = [
    "希望生产订单实时下发到 MES",
    "The warehouse wants stock figures in the ERP to be exact at all times",
]

TARGETS = {
    "ask_en_median_s": "≤ 12",
    "ask_zh_median_s": "≤ 15",
    "ask_p90_s": "≤ 25",
    "first_token_median_s": "≤ 5",
    "five_why_median_s": "≤ 45",
    "five_why_during_scan_failures": "0",
    "five_why_during_scan_ratio": "≤ 1.3",
    "search_p95_ms": "≤ 200",
    "search_p95_after_restart_ms": "≤ 200",
    "search_p95_cold_ms": "≤ 1500",
    "peak_rss_mb": "≤ 3072",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Side:
    name: str
    source: Path  # the tree whose code runs
    data: Path
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen[bytes] | None = None
    peak_rss: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        env.update(
            PYTHONPATH=str(self.source),
            ASSISTANT_DATA_DIR=str(self.data),
            ASSISTANT_RISK_AUTO_SCAN="false",  # scans run when this benchmark says
        )
        if "ASSISTANT_CACHE_DIR" in os.environ:
            env["ASSISTANT_CACHE_DIR"] = os.environ["ASSISTANT_CACHE_DIR"]
        return env

    def start(self) -> float:
        started = time.monotonic()
        log = (self.data / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(self.port)],
            cwd=self.source,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited: see {self.data / 'server.log'}")
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} server did not start")

    def stop(self) -> float:
        """SIGINT, as Ctrl-C; the seconds until the server (and its model child) are gone."""
        if self.proc is None:
            return 0.0
        started = time.monotonic()
        children = psutil.Process(self.proc.pid).children(recursive=True)
        self.proc.send_signal(2)
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        psutil.wait_procs(children, timeout=30)
        self.proc = None
        return time.monotonic() - started

    def headers(self) -> dict[str, str]:
        """The admin key the first start wrote (sides from before authentication have none)."""
        key = self.data / "admin.key"
        return {"Authorization": f"Bearer {key.read_text().strip()}"} if key.exists() else {}

    def sample_rss(self) -> None:
        if self.proc is None:
            return
        try:
            procs = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
            self.peak_rss = max(self.peak_rss, sum(p.memory_info().rss for p in procs))
        except psutil.Error:
            pass


@contextmanager
def sampling(side: Side) -> Iterator[None]:
    done = threading.Event()

    def loop() -> None:
        while not done.wait(0.5):
            side.sample_rss()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def upload_demo(client: httpx.Client) -> tuple[str, float]:
    pid = client.post("/projects", json={"name": "demo"}).json()["id"]
    files = [("files", (p.name, p.read_bytes())) for p in sorted(DEMO.iterdir()) if p.is_file()]
    started = time.monotonic()
    job = client.post(f"/projects/{pid}/documents", files=files).json()["job_id"]
    while client.get(f"/jobs/{job}").json()["status"] not in ("done", "failed"):
        time.sleep(0.5)
    return pid, time.monotonic() - started


def wait_rerank_ready(client: httpx.Client, pid: str, timeout: float = 1200) -> float | None:
    """Seconds until every document says rerank_ready; None where the server has no such field."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        items = client.get(f"/projects/{pid}/documents").json()["items"]
        states = [d.get("background") for d in items if d["status"] == "indexed"]
        if any(s is None for s in states):
            return None
        if all(s["rerank_ready"] for s in states):
            return time.monotonic() - started
        time.sleep(1)
    return float("nan")


def search_ms(client: httpx.Client, pid: str) -> list[float]:
    out = []
    for q in SEARCHES:
        started = time.monotonic()
        client.post(f"/projects/{pid}/search", json={"query": q, "top_k": 8}).raise_for_status()
        out.append((time.monotonic() - started) * 1000)
    return out


def ask(client: httpx.Client, pid: str, question: str) -> dict[str, Any]:
    """One streamed question: seconds to the first answer token (the whole answer where the server does not
    stream tokens) and to the checked answer."""
    started = time.monotonic()
    first = None
    answer: dict[str, Any] = {}
    with client.stream("POST", f"/projects/{pid}/ask", json={"question": question, "stream": True}) as r:
        if r.status_code != 200:
            return {"ok": False, "status": r.status_code, "seconds": time.monotonic() - started}
        kind = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
                if kind in ("token", "answer") and first is None:
                    first = time.monotonic() - started
            elif line.startswith("data: ") and kind == "answer":
                answer = json.loads(line.removeprefix("data: "))
            elif line.startswith("data: ") and kind == "error":
                return {"ok": False, "error": line, "seconds": time.monotonic() - started}
    return {
        "ok": True,
        "seconds": time.monotonic() - started,
        "first_token": first,
        "refused": answer.get("refused"),
        "supported": answer.get("citations_supported"),
    }


def five_why(client: httpx.Client, pid: str, statement: str) -> dict[str, Any]:
    started = time.monotonic()
    r = client.post(f"/projects/{pid}/five-why", json={"statement": statement})
    return {"ok": r.status_code == 201, "status": r.status_code, "seconds": time.monotonic() - started}


def run_side(side: Side, asks: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with sampling(side):
        out["start_s"] = side.start()
        client = httpx.Client(base_url=side.url, timeout=1800, headers=side.headers())
        pid, out["ingest_s"] = upload_demo(client)
        out["search_cold_ms"] = search_ms(client, pid)
        out["rerank_ready_s"] = wait_rerank_ready(client, pid)
        out["search_warm_ms"] = search_ms(client, pid)
        out["ask_en"] = [ask(client, pid, q) for q in ASK_EN[:asks]]
        out["ask_zh"] = [ask(client, pid, q) for q in ASK_ZH[:asks]]
        out["five_why_idle"] = [five_why(client, pid, s) for s in FIVE_WHY]
        scan: dict[str, Any] = {}

        def scan_all() -> None:
            started = time.monotonic()
            r = client.post(f"/projects/{pid}/risks/scan", json={})
            scan.update(r.json() if r.status_code == 200 else {"error": r.status_code})
            scan["wall_s"] = time.monotonic() - started

        scanner = threading.Thread(target=scan_all)
        scanner.start()
        time.sleep(10)  # the scan has its first call at the model
        out["five_why_during_scan"] = [five_why(client, pid, s) for s in FIVE_WHY]
        scanner.join()
        out["scan"] = scan
        out["stop_s"] = side.stop()
        side.start()
        out["search_after_restart_ms"] = search_ms(client, pid)
        side.stop()
    out["peak_rss_mb"] = side.peak_rss / 1048576
    return out


def summary(r: dict[str, Any]) -> dict[str, float | str]:
    def secs(rows: list[dict[str, Any]], key: str = "seconds") -> list[float]:
        return [row[key] for row in rows if row.get("ok") and row.get(key) is not None]

    asks = r["ask_en"] + r["ask_zh"]
    idle = secs(r["five_why_idle"])
    busy = secs(r["five_why_during_scan"])
    scan = r["scan"]
    passages = scan.get("passages_sent", 0)
    return {
        "ask_en_median_s": statistics.median(secs(r["ask_en"])) if secs(r["ask_en"]) else float("nan"),
        "ask_zh_median_s": statistics.median(secs(r["ask_zh"])) if secs(r["ask_zh"]) else float("nan"),
        "ask_p90_s": pct(secs(asks), 0.9),
        "first_token_median_s": statistics.median(secs(asks, "first_token")) if asks else float("nan"),
        "ask_failures": sum(not a["ok"] for a in asks),
        "ask_refused": sum(bool(a.get("refused")) for a in asks),
        "five_why_median_s": statistics.median(idle) if idle else float("nan"),
        "five_why_failures_idle": sum(not f["ok"] for f in r["five_why_idle"]),
        "five_why_during_scan_failures": sum(not f["ok"] for f in r["five_why_during_scan"]),
        "five_why_during_scan_ratio": (statistics.median(busy) / statistics.median(idle))
        if busy and idle
        else float("nan"),
        "scan_passages_per_min": passages / (scan["seconds"] / 60)
        if passages and scan.get("seconds")
        else 0.0,
        "scan_prompt_tokens_per_call": scan.get("prompt_tokens", 0) / max(1, scan.get("llm_calls", 0)),
        "search_p95_cold_ms": pct(r["search_cold_ms"], 0.95),
        "search_p95_ms": pct(r["search_warm_ms"], 0.95),
        "search_p95_after_restart_ms": pct(r["search_after_restart_ms"], 0.95),
        "rerank_ready_s": r["rerank_ready_s"] if r["rerank_ready_s"] is not None else "n/a",
        "stop_s": r["stop_s"],
        "peak_rss_mb": r["peak_rss_mb"],
    }


def worktree(rev: str) -> Path:
    path = Path(tempfile.gettempdir()) / f"llm-latency-{rev}"
    if not path.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), rev], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default=BEFORE_REV, help="git revision of the 'before' side")
    parser.add_argument("--sides", default="before,after")
    parser.add_argument("--quick", action="store_true", help="2 questions per language instead of 5")
    args = parser.parse_args()
    asks = 2 if args.quick else 5
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="llm-latency-") as tmp:
        for name in args.sides.split(","):
            source = REPO if name == "after" else worktree(args.before)
            side = Side(name, source, Path(tmp) / name)
            side.data.mkdir(parents=True)
            print(f"== {name} ({source})", flush=True)
            try:
                results[name] = run_side(side, asks)
            finally:
                side.stop()
    sums = {name: summary(r) for name, r in results.items()}
    keys = list(next(iter(sums.values())))
    names = sorted(sums, key=lambda n: n != "before")  # before first, whichever side ran first
    print(f"{'measure':32}" + "".join(f"{n:>14}" for n in names) + f"{'target':>12}")
    for key in keys:
        cells = "".join(
            f"{v:>14.2f}" if isinstance(v, float) else f"{v!s:>14}" for v in (sums[n][key] for n in names)
        )
        print(f"{key:32}{cells}{TARGETS.get(key, ''):>12}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "llm_latency.json").write_text(
        json.dumps({"summary": sums, "raw": results}, indent=1, ensure_ascii=False, default=str),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
