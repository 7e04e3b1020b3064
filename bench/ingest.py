"""Ingestion benchmark: our pipeline against a plain langchain pipeline on the same embedder, in one run.

    .venv/bin/python bench/ingest.py                    # 75-page PDF + DOCX + 35 QMSum meetings, 2 rounds
    .venv/bin/python bench/ingest.py --quick            # PDF + DOCX + 3 meetings, 1 round (about 3 minutes)
    .venv/bin/python bench/ingest.py --embedder e5 --quick
    .venv/bin/python bench/ingest.py --threads 1        # BLAS threads of the USE embedder (default: the product's)

Ours is the real path: ``ingest.pipeline.ingest_file`` over a fresh data folder (SQLite + FTS5, a Chroma
folder), default settings (800-character chunks, 100 overlap), no post-index hooks. Its stages are timed by
wrapping the functions the pipeline calls (``read_document``, ``prepare_chunks``, the embedder, jieba's
``tokenize`` for the keyword index, ``add_chunks``, ``VectorIndex.add``); "other" is the rest (hashing,
transactions, document type and language). The plain pipeline is what a langchain tutorial does: PyPDFLoader
(python-docx paragraphs and tables for the DOCX, TextLoader for the meetings), RecursiveCharacterTextSplitter
(1000 / 200) and Chroma.from_documents, with the same embedder object. The two alternate (ours first in odd
rounds, plain first in even ones) so load from other processes falls on both; the machine load is printed.
Then the embedder alone embeds our chunks in one call: the throughput that sets the floor.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, bench/ is first on sys.path and this file would shadow the ``ingest`` package.
_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from assistant.providers.embeddings import NamedEmbeddings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
PDF = EVAL / "openetcs_api" / "OETCS_API_Requirements_v1.2.pdf"
DOCX = EVAL / "openetcs_api" / "OETCS_API_Requirements_v1.3.docx"
QMSUM = EVAL / "qmsum_test" / "test.jsonl"
GROUPS = ("pdf", "docx", "qmsum")
PLAIN_CHUNK, PLAIN_OVERLAP = 1000, 200


# ------------------------------------------------------------------------------------------------ corpus
@dataclass(frozen=True)
class Doc:
    name: str
    group: str
    data: bytes
    pages: int = 0  # PDF pages; 0 for the others


def load_corpus(meetings: int) -> list[Doc]:
    from pypdf import PdfReader

    for path in (PDF, DOCX, QMSUM):
        if not path.exists():
            raise SystemExit(f"missing {path}: the benchmark reads ../shared/eval (see its README.txt)")
    pdf = PDF.read_bytes()
    import io

    docs = [
        Doc(PDF.name, "pdf", pdf, pages=len(PdfReader(io.BytesIO(pdf)).pages)),
        Doc(DOCX.name, "docx", DOCX.read_bytes()),
    ]
    with QMSUM.open(encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            if i >= meetings:
                break
            meeting = json.loads(line)
            text = "\n".join(
                f"{u['speaker']}: {' '.join(u['content'].split())}" for u in meeting["meeting_transcripts"]
            )
            docs.append(Doc(f"meeting_{i:02d}.txt", "qmsum", text.encode("utf-8")))
    return docs


# ------------------------------------------------------------------------------------------- measuring
class Clock:
    """Seconds per (group, stage), plus counters; ``group`` is the corpus part being ingested now."""

    def __init__(self) -> None:
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self.group = ""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[(self.group, name)] += time.perf_counter() - started

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return fn(*args, **kwargs)

        return timed

    def count(self, name: str, n: int) -> None:
        self.counts[(self.group, name)] += n


class TimedEmbeddings(NamedEmbeddings):
    """The embedder both pipelines use, timing every call (ours calls embed_array, langchain embed_documents)."""

    def __init__(self, inner: NamedEmbeddings, clock: Clock) -> None:
        self.inner, self.clock = inner, clock
        self.name, self.dimensions = inner.name, inner.dimensions

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        self.clock.count("embedded", len(texts))
        self.clock.count("embedded_chars", sum(map(len, texts)))
        with self.clock.stage("embed"):
            return self.inner.embed_array(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.clock.count("embedded", len(texts))
        self.clock.count("embedded_chars", sum(map(len, texts)))
        with self.clock.stage("embed"):
            return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class RssPeak:
    """Peak resident memory of this process while the block runs, sampled every 20 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


@contextmanager
def patched(obj: object, name: str, value: object) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


@dataclass
class Run:
    pipeline: str
    round: int
    seconds: dict[tuple[str, str], float]
    counts: dict[tuple[str, str], int]
    totals: dict[str, float]  # group -> wall seconds
    cpu_s: float
    rss_start: int
    rss_peak: int
    load: tuple[float, float]
    chunk_texts: list[str] = field(default_factory=list)

    def total(self, groups: Sequence[str] = GROUPS) -> float:
        return sum(self.totals.get(g, 0.0) for g in groups)

    def stage(self, stage: str, groups: Sequence[str] = GROUPS) -> float:
        return sum(self.seconds.get((g, stage), 0.0) for g in groups)

    def n(self, counter: str, groups: Sequence[str] = GROUPS) -> int:
        return sum(self.counts.get((g, counter), 0) for g in groups)


@contextmanager
def measured(pipeline: str, round_no: int, clock: Clock) -> Iterator[Run]:
    gc.collect()
    load0 = os.getloadavg()[0]
    run = Run(pipeline, round_no, clock.seconds, clock.counts, {}, 0.0, 0, 0, (load0, load0))
    cpu = time.process_time()
    with RssPeak() as rss:
        yield run
    run.cpu_s = time.process_time() - cpu
    run.rss_start, run.rss_peak = rss.start, rss.peak
    run.load = (load0, os.getloadavg()[0])


def release_chroma() -> None:
    """Chroma keeps every PersistentClient's system in a process-wide cache; drop it between runs so one
    run's memory does not count in the next one's peak RSS."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    gc.collect()


# ----------------------------------------------------------------------------------------------- ours
def run_ours(embeddings: NamedEmbeddings, docs: list[Doc], round_no: int) -> Run:
    import assistant.index.chunks as chunk_store
    import ingest.pipeline as pipeline
    from assistant.db import make_engine, make_session_factory, migrate, transaction
    from assistant.index.vector import VectorIndex
    from assistant.projects import repository as projects
    from assistant.providers.store import make_chroma_client
    from assistant.settings import load_settings

    clock = Clock()

    class TimedVectorIndex(VectorIndex):
        def add(self, *args: Any, **kwargs: Any) -> None:
            with clock.stage("chroma"):
                super().add(*args, **kwargs)

    chunk_texts: list[str] = []

    def prepare_chunks(*args: Any, **kwargs: Any) -> list[Any]:
        with clock.stage("split"):
            out = real_prepare(*args, **kwargs)
        clock.count("chunks", len(out))
        chunk_texts.extend(c.text for c in out)
        return out

    real_prepare = pipeline.prepare_chunks
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-ours-"))
    try:
        settings = load_settings(data_dir=tmp, _env_file=None)
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        sessions = make_session_factory(engine)
        vectors = TimedVectorIndex(make_chroma_client(settings), TimedEmbeddings(embeddings, clock))
        ingestor = pipeline.Ingestor(settings=settings, sessions=sessions, vectors=vectors)
        with transaction(sessions) as session:
            project_id = projects.create_project(session, name="bench").id
        with (
            patched(pipeline, "read_document", clock.wrap("read", pipeline.read_document)),
            patched(pipeline, "prepare_chunks", prepare_chunks),
            patched(pipeline, "tokenize", clock.wrap("fts_tokens", pipeline.tokenize)),
            patched(chunk_store, "add_chunks", clock.wrap("sql", chunk_store.add_chunks)),
            measured("ours", round_no, clock) as run,
        ):
            for doc in docs:
                clock.group = doc.group
                started = time.perf_counter()
                outcome = pipeline.ingest_file(
                    ingestor, project_id=project_id, file_name=doc.name, data=doc.data
                )
                run.totals[doc.group] = run.totals.get(doc.group, 0.0) + time.perf_counter() - started
                if outcome.status.value != "indexed":
                    raise RuntimeError(f"ours: {doc.name}: {outcome.status.value} {outcome.reason}")
                clock.count("files", 1)
                clock.count("pages", doc.pages)
        run.chunk_texts = chunk_texts
        engine.dispose()
        return run
    finally:
        release_chroma()
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- plain
def _docx_documents(path: Path) -> list[Any]:
    """What a plain pipeline does without docx2txt: python-docx paragraphs, then table rows."""
    import docx
    from langchain_core.documents import Document

    d = docx.Document(str(path))
    lines = [p.text for p in d.paragraphs]
    for table in d.tables:
        lines.extend(" | ".join(cell.text for cell in row.cells) for row in table.rows)
    return [Document(page_content="\n".join(lines), metadata={"source": str(path)})]


def run_plain(embeddings: NamedEmbeddings, docs: list[Doc], round_no: int) -> Run:
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_community.document_loaders import PyPDFLoader, TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    clock = Clock()
    timed = TimedEmbeddings(embeddings, clock)
    splitter = RecursiveCharacterTextSplitter(chunk_size=PLAIN_CHUNK, chunk_overlap=PLAIN_OVERLAP)
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-plain-"))
    try:
        files = tmp / "files"
        files.mkdir()
        for doc in docs:  # a plain pipeline loads from paths; writing them is not timed
            (files / doc.name).write_bytes(doc.data)
        store = None
        chunk_texts: list[str] = []
        with measured("plain", round_no, clock) as run:
            for doc in docs:
                clock.group = doc.group
                path = files / doc.name
                started = time.perf_counter()
                with clock.stage("read"):
                    if doc.group == "pdf":
                        loaded = PyPDFLoader(str(path)).load()
                    elif doc.group == "docx":
                        loaded = _docx_documents(path)
                    else:
                        loaded = TextLoader(str(path), encoding="utf-8").load()
                with clock.stage("split"):
                    chunks = splitter.split_documents(loaded)
                with clock.stage("chroma+embed"):
                    if store is None:
                        store = Chroma.from_documents(
                            chunks,
                            embedding=timed,
                            collection_name="bench",
                            persist_directory=str(tmp / "chroma"),
                            client_settings=ChromaSettings(anonymized_telemetry=False),
                        )
                    else:
                        store.add_documents(chunks)
                run.totals[doc.group] = run.totals.get(doc.group, 0.0) + time.perf_counter() - started
                clock.count("files", 1)
                clock.count("pages", doc.pages)
                clock.count("chunks", len(chunks))
                chunk_texts.extend(c.page_content for c in chunks)
        for g in GROUPS:  # the store's own share is what from_documents took beyond the embedder
            both = clock.seconds.pop((g, "chroma+embed"), 0.0)
            if both:
                clock.seconds[(g, "chroma")] = both - clock.seconds.get((g, "embed"), 0.0)
        run.chunk_texts = chunk_texts
        return run
    finally:
        release_chroma()
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------- embedder
def make_embedder(kind: str, threads: int | None) -> NamedEmbeddings:
    from assistant.providers.embeddings import E5SmallEmbeddings, UseMultilingualEmbeddings
    from assistant.settings import load_settings

    if kind == "e5":
        return E5SmallEmbeddings()
    settings = load_settings(_env_file=None)
    return UseMultilingualEmbeddings(
        threads=threads or settings.llm.threads, batch_size=settings.embeddings.batch_size
    )


def use_tokens(embeddings: NamedEmbeddings, texts: Sequence[str]) -> int | None:
    """USE's own token count (what its cost is linear in); None for other embedders."""
    try:
        tokenizer = embeddings._model._model.sp  # type: ignore[attr-defined]
    except AttributeError:
        return None
    return sum(len(tokenizer.encode(t, out_type=int, add_bos=True, add_eos=True)) for t in texts)


def embed_only(embeddings: NamedEmbeddings, texts: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds for one embed_array call over ``texts``."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    embeddings.embed_array(texts)
    return time.perf_counter() - wall, time.process_time() - cpu


def chunk_size_scan(embeddings: NamedEmbeddings, docs: list[Doc], log: Callable[[str], None]) -> None:
    """Does the embedder's cost grow faster than linearly with chunk length? Same text, other chunk sizes."""
    from ingest.readers import read_document
    from ingest.splitter import split_text

    text = "\n".join(s.text for s in read_document(PDF.name, docs[0].data).segments)
    log("\nEmbedder cost against chunk length (the PDF's text, no overlap, one embed_array call each):")
    log(f"  {'size':>5} {'chunks':>6} {'tokens':>7} {'s':>6} {'ms/1k tokens':>12} {'ms/chunk':>8}")
    for size in (200, 400, 800, 1600, 3200):
        texts = [p.text for p in split_text(text, size=size, overlap=0)]
        tokens = use_tokens(embeddings, texts)
        seconds, _ = embed_only(embeddings, texts)
        per_token = f"{1000 * seconds / tokens * 1000:12.1f}" if tokens else f"{'-':>12}"
        log(
            f"  {size:>5} {len(texts):>6} {tokens or 0:>7} {seconds:6.2f} {per_token} {1000 * seconds / len(texts):8.1f}"
        )


# -------------------------------------------------------------------------------------------- report
STAGES = ("read", "split", "embed", "fts_tokens", "sql", "other", "chroma")


def stage_row(run: Run, groups: Sequence[str]) -> dict[str, float]:
    row = {s: run.stage(s, groups) for s in STAGES if s != "other"}
    row["other"] = max(0.0, run.total(groups) - sum(row.values()))
    return row


def table(runs: list[Run], log: Callable[[str], None]) -> None:
    head = (
        f"{'round':>5} {'pipeline':8} {'part':6} {'files':>5} {'pages':>5} {'chunks':>6} "
        + " ".join(f"{s:>10}" for s in STAGES)
        + f" {'total s':>8} {'pages/s':>7} {'chunks/s':>8} {'cpu s':>6} {'peak RSS':>9} {'load':>9}"
    )
    log(head)
    log("-" * len(head))
    for run in runs:
        parts = [(g, (g,)) for g in GROUPS if run.n("files", (g,))] + [("all", GROUPS)]
        for label, groups in parts:
            row = stage_row(run, groups)
            total = run.total(groups)
            pages, chunks = run.n("pages", groups), run.n("chunks", groups)
            tail = (
                f" {run.cpu_s:6.1f} {run.rss_peak / 2**20:7.0f}MB {run.load[0]:4.1f}-{run.load[1]:<4.1f}"
                if label == "all"
                else ""
            )
            rate = f"{pages / total:7.2f}" if pages else " " * 7
            log(
                f"{run.round:>5} {run.pipeline:8} {label:6} {run.n('files', groups):>5} {pages or '':>5} "
                f"{chunks:>6} "
                + " ".join(f"{row[s]:10.2f}" for s in STAGES)
                + f" {total:8.2f} {rate} {chunks / total:8.1f}{tail}"
            )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summary(
    runs: list[Run],
    throughput: list[tuple[float, float]],
    n_texts: int,
    tokens: int | None,
    log: Callable[[str], None],
) -> dict[str, Any]:
    ours = [r for r in runs if r.pipeline == "ours"]
    plain = [r for r in runs if r.pipeline == "plain"]
    out: dict[str, Any] = {}
    log("\nMedians over rounds (wall seconds; speed-up = plain / ours):")
    log(
        f"  {'part':6} {'ours s':>8} {'plain s':>8} {'speed-up':>8}   ours read/embed/rest    plain read/embed/rest"
    )
    for label, groups in [(g, (g,)) for g in GROUPS if ours[0].n("files", (g,))] + [("all", GROUPS)]:
        o, p = median([r.total(groups) for r in ours]), median([r.total(groups) for r in plain])

        def split3(rs: list[Run], groups: tuple[str, ...] = groups) -> str:
            read = median([r.stage("read", groups) for r in rs])
            embed = median([r.stage("embed", groups) for r in rs])
            rest = median([r.total(groups) - r.stage("read", groups) - r.stage("embed", groups) for r in rs])
            return f"{read:6.1f} {embed:6.1f} {rest:6.1f}"

        log(f"  {label:6} {o:8.1f} {p:8.1f} {p / o:7.2f}x   {split3(ours)}    {split3(plain)}")
        out[label] = {"ours_s": o, "plain_s": p, "speedup": p / o}
    walls = [w for w, _ in throughput]
    emb = median(walls)
    read = median([r.stage("read") for r in ours])
    floor = max(emb, read)
    total = median([r.total() for r in ours])
    log(
        f"\nEmbedder alone on our {n_texts} chunks, one embed_array call (median of {len(walls)}): {emb:.1f} s = "
        f"{n_texts / emb:.1f} chunks/s"
        + (f", {tokens / emb:,.0f} tokens/s ({tokens:,} tokens)" if tokens else "")
        + f"; cpu {median([c for _, c in throughput]):.1f} s"
    )
    log(
        f"Floor (slowest stage alone: max(read {read:.1f} s, embed-only {emb:.1f} s)) = {floor:.1f} s; "
        f"ours took {total:.1f} s = {total / floor:.2f}x the floor "
        f"(sequential stages: read + embed-only = {read + emb:.1f} s)"
    )
    out.update(
        embed_only_s=emb,
        embed_chunks_per_s=n_texts / emb,
        tokens=tokens,
        floor_s=floor,
        ours_over_floor=total / floor,
    )
    return out


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="PDF + DOCX + 3 meetings, 1 round, no size scan")
    parser.add_argument(
        "--rounds", type=int, help="alternating rounds of both pipelines (default 2, quick 1)"
    )
    parser.add_argument("--meetings", type=int, help="QMSum meetings to ingest (default 35, quick 3)")
    parser.add_argument("--embedder", choices=("use", "e5"), default="use")
    parser.add_argument("--threads", type=int, help="BLAS threads of USE (default: ASSISTANT_LLM_THREADS, 2)")
    parser.add_argument("--no-scan", action="store_true", help="skip the chunk-length scan")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 2)
    meetings = args.meetings if args.meetings is not None else (3 if args.quick else 35)

    def log(line: str = "") -> None:
        print(line, flush=True)

    log(f"start: {uptime()}  ({os.cpu_count()} cores)")
    docs = load_corpus(meetings)
    log(
        f"corpus: {PDF.name} ({docs[0].pages} pages), {DOCX.name}, {meetings} QMSum meetings "
        f"({sum(len(d.data) for d in docs if d.group == 'qmsum') / 1e6:.1f} MB of text)"
    )
    started = time.perf_counter()
    embeddings = make_embedder(args.embedder, args.threads)
    embeddings.embed_array(["warm-up: loads the weights"])
    threads = getattr(embeddings, "_threads", None)
    log(
        f"embedder: {embeddings.name}"
        + (
            f" (BLAS threads {threads}, {getattr(embeddings, 'token_budget', '?')} tokens per pass)"
            if threads
            else ""
        )
        + f", loaded in {time.perf_counter() - started:.1f} s; RSS {psutil.Process().memory_info().rss / 2**20:.0f} MB"
    )

    started = time.perf_counter()
    from assistant.text import tokenize

    tokenize("warm-up: jieba loads its dictionary once per process")
    log(f"jieba (keyword index) loaded in {time.perf_counter() - started:.1f} s")

    runs: list[Run] = []
    throughput: list[tuple[float, float]] = []
    our_texts: list[str] = []
    for r in range(1, rounds + 1):
        order = (run_ours, run_plain) if r % 2 else (run_plain, run_ours)
        for fn in order:
            run = fn(embeddings, docs, r)
            runs.append(run)
            log(
                f"round {r} {run.pipeline}: {run.total():.1f} s, peak RSS {run.rss_peak / 2**20:.0f} MB "
                f"(+{(run.rss_peak - run.rss_start) / 2**20:.0f} MB), load {run.load[0]:.1f}-{run.load[1]:.1f}"
            )
            if run.pipeline == "ours":
                our_texts = list(dict.fromkeys(run.chunk_texts))  # what embed_unique embeds
        throughput.append(embed_only(embeddings, our_texts))
        log(f"round {r} embedder alone on our {len(our_texts)} chunks: {throughput[-1][0]:.1f} s")

    log("\nPer run (wall seconds per stage; 'other' = hashing, transactions, type/language detection):")
    table(runs, log)
    tokens = use_tokens(embeddings, our_texts)
    plain_texts = next(r.chunk_texts for r in runs if r.pipeline == "plain")
    plain_tokens = use_tokens(embeddings, plain_texts)
    log(
        f"\nChunks: ours {len(our_texts)} unique ({sum(map(len, our_texts)):,} characters"
        + (f", {tokens:,} USE tokens" if tokens else "")
        + f"), plain {len(plain_texts)} ({sum(map(len, plain_texts)):,} characters"
        + (f", {plain_tokens:,} USE tokens" if plain_tokens else "")
        + ")"
    )
    figures = summary(runs, throughput, len(our_texts), tokens, log)
    if not args.quick and not args.no_scan:
        chunk_size_scan(embeddings, docs, log)
    log(
        f"\npeak RSS of the whole process (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    log(f"end: {uptime()}")
    if args.json:
        figures["runs"] = [
            {
                "pipeline": r.pipeline,
                "round": r.round,
                "total_s": r.total(),
                "stages": stage_row(r, GROUPS),
                "per_group_s": r.totals,
                "chunks": r.n("chunks"),
                "cpu_s": r.cpu_s,
                "rss_peak_mb": r.rss_peak / 2**20,
                "load": r.load,
            }
            for r in runs
        ]
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
