"""Retrieval benchmark: XQuAD zh/en (recall@1/5/10, MRR) and QMSum (recall@5 of gold utterance spans).

    .venv/bin/python -m bench.retrieval                      # both embedders, XQuAD + QMSum, cached vectors
    .venv/bin/python -m bench.retrieval --embedders use --no-qmsum
    .venv/bin/python -m bench.retrieval --fresh              # ignore every cache (embeddings, translations)
    .venv/bin/python -m bench.retrieval --translate-live     # translate uncached sample queries with the LLM

Every paragraph (and every QMSum meeting) is ingested as a .txt document through ``ingest_file``, the product's
real path (reader, splitter, both indexes); only the embedder is wrapped in a cache of vectors by text hash
(``--cache-dir``), so a second run skips the model. Rankings come from ``assistant.retrieval.hybrid``: the
BM25 row is the keyword candidates, the vector row the vector candidates, the hybrid row their fusion, all
from one ``gather`` per query, exactly what ``search`` does. For USE the hybrid row includes the product's
default rerank step (e5 re-reads the top passages, its vectors from the same cache); the row "hybrid without
rerank" leaves it out. ``--rerank-timing N`` times that step with an empty cache on N searches.

Translation (query expansion) is measured on a fixed sample (every 20th question, the same questions in both
languages) because the local 1.5B model needs seconds to tens of seconds per query on 2 shared cores; the
table prints the sample's hybrid figures without translation beside them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.db import transaction
from assistant.prompts import PROMPTS_DIR
from assistant.providers.embeddings import NamedEmbeddings
from assistant.retrieval.fusion import Fused, FusionMethod
from assistant.retrieval.hybrid import Candidates, gather, rank_candidates
from assistant.retrieval.models import SearchFilters
from assistant.retrieval.relevance import RelevanceModel, relevance_model
from assistant.retrieval.rerank import EmbeddingReranker, Reranker, make_reranker
from assistant.retrieval.settings import RetrievalSettings, TranslateMode

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
XQUAD = EVAL / "xquad_zh_en"
QMSUM = EVAL / "qmsum_test"
DEFAULT_CACHE = Path.home() / ".cache" / "requirements-assistant" / "bench"
EMBEDDERS = {"use": "use-multilingual", "e5": "multilingual-e5-small"}
TRANSLATION_SAMPLE_STEP = 20
DIRECTIONS = [("zh", "zh"), ("en", "en"), ("zh", "en"), ("en", "zh")]
PLAIN_RRF = RetrievalSettings(
    fusion=FusionMethod.rrf, vector_weight=1, keyword_weight=1, coverage_power=0, bigram_weight=0
)
RRF_COVERAGE = RetrievalSettings(
    fusion=FusionMethod.rrf, vector_weight=1, keyword_weight=1, coverage_power=1, bigram_weight=0
)
NO_RERANK = "  hybrid without rerank"


# ----------------------------------------------------------------------------------------------- caches
class CachedEmbeddings(NamedEmbeddings):
    """Vectors by (kind, text) hash in one .npz per model; counts the time the real model spent."""

    def __init__(self, inner: NamedEmbeddings, path: Path | None) -> None:
        self.inner, self.path = inner, path
        self.name, self.dimensions = inner.name, inner.dimensions
        self._store: dict[str, np.ndarray] = {}
        self.model_seconds = 0.0
        self.model_passages = 0
        if path is not None and path.exists():
            data = np.load(path)
            self._store = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    @staticmethod
    def _key(kind: str, text: str) -> str:
        return kind + hashlib.sha1(text.encode()).hexdigest()

    def save(self) -> None:
        if self.path is None or not self._store:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self._store)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.vstack([self._store[k] for k in keys]))
        tmp.replace(self.path)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key("p", t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._store))
        if missing:
            started = time.perf_counter()
            vectors = self.inner.embed_array(missing)
            self.model_seconds += time.perf_counter() - started
            self.model_passages += len(missing)
            for t, v in zip(missing, vectors, strict=True):
                self._store[self._key("p", t)] = np.asarray(v, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self._store[k] for k in keys])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        key = self._key("q", text)
        if key not in self._store:
            self._store[key] = np.asarray(self.inner.embed_query(text), dtype=np.float32)
        return self._store[key].tolist()


class CachedTranslations:
    """Translations of the local LLM by (model, prompt hash, target, query) in a JSONL file; optionally asks
    the live model for the ones missing."""

    def __init__(self, path: Path | None, model: str, live: Callable[[str, str], str | None] | None) -> None:
        self.path, self.model, self.live = path, model, live
        self.prompt = hashlib.sha256((PROMPTS_DIR / "query_translate.md").read_bytes()).hexdigest()[:12]
        self._store: dict[tuple[str, str], str | None] = {}
        self.seconds: list[float] = []
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row["model"] == model and row["prompt"] == self.prompt:
                    self._store[(row["target"], row["query"])] = row["translation"]
                    self.seconds.append(float(row.get("seconds", 0.0)))

    def has(self, query: str, target: str) -> bool:
        # search() translates the query with its whitespace collapsed, so that is the key stored.
        return (target, " ".join(query.split())) in self._store or self.live is not None

    def translate(self, query: str, target: str | None = None) -> str | None:
        assert target is not None
        if (target, query) in self._store:
            return self._store[(target, query)]
        if self.live is None:
            return None
        started = time.perf_counter()
        out = self.live(query, target)
        seconds = time.perf_counter() - started
        self._store[(target, query)] = out
        self.seconds.append(seconds)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                row = {"model": self.model, "prompt": self.prompt, "target": target, "query": query}
                f.write(
                    json.dumps({**row, "translation": out, "seconds": round(seconds, 2)}, ensure_ascii=False)
                )
                f.write("\n")
        return out


# ----------------------------------------------------------------------------------------------- metrics
@dataclass
class Scores:
    ranks: list[int | None] = field(default_factory=list)  # 1-based rank of the gold, None if not found

    def add(self, rank: int | None) -> None:
        self.ranks.append(rank)

    def recall(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= k) / max(1, len(self.ranks))

    def mrr(self) -> float:
        return sum(1.0 / r for r in self.ranks if r is not None) / max(1, len(self.ranks))


def gold_rank(chunk_ids: Iterable[str], gold: set[str]) -> int | None:
    for i, cid in enumerate(chunk_ids, start=1):
        if cid in gold:
            return i
    return None


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ----------------------------------------------------------------------------------------------- building
@dataclass
class Bench:
    container: object
    project_ids: dict[str, str]
    chunks_of: dict[tuple[str, str], set[str]]  # (project, paper doc id) -> chunk ids
    ingest_seconds: float


def make_container(tmp: Path, embeddings: NamedEmbeddings, chunk_size: int) -> object:
    from api.container import Container
    from assistant.providers.fakes import ScriptedChatModel
    from assistant.settings import load_settings

    settings = load_settings(
        data_dir=tmp / "data",
        cache_dir=tmp / "cache",
        embeddings_provider="fake",  # the real model comes in through `embeddings`
        llm_provider="fake",
        chunk_size=chunk_size,
        chunk_overlap=min(100, chunk_size // 4),
        _env_file=None,
    )
    return Container(settings, embeddings=embeddings, chat_model=ScriptedChatModel())


def ingest_texts(
    container: object, project: str, docs: list[tuple[str, str]]
) -> tuple[str, dict[str, set[str]]]:
    """Ingest (file name, text) pairs through the real pipeline; returns project id and chunk ids per file."""
    from assistant.index import chunks as chunk_store
    from assistant.projects import repository as projects
    from ingest.pipeline import Ingestor, ingest_file

    # A bare Ingestor: the app's one also queues requirement extraction and LLM risk scans per document.
    ingestor = Ingestor(
        settings=container.settings,  # type: ignore[attr-defined]
        sessions=container.sessions,  # type: ignore[attr-defined]
        vectors=container.vectors,  # type: ignore[attr-defined]
    )
    with transaction(container.sessions) as session:  # type: ignore[attr-defined]
        project_id = projects.create_project(session, name=project).id
    out: dict[str, set[str]] = {}
    for file_name, text in docs:
        outcome = ingest_file(
            ingestor,
            project_id=project_id,
            file_name=file_name,
            data=text.encode("utf-8"),
        )
        if outcome.document_id is None or outcome.status.value != "indexed":
            raise RuntimeError(f"{file_name}: {outcome.status} {outcome.reason}")
        with transaction(container.sessions) as session:  # type: ignore[attr-defined]
            out[file_name] = {
                c.id for c in chunk_store.document_chunks(session, document_id=outcome.document_id)
            }
    return project_id, out


# ----------------------------------------------------------------------------------------------- XQuAD
@dataclass
class QueryRun:
    qid: str
    article: (
        int  # XQuAD article (5 paragraphs each): calibration is fitted on some articles, checked on others
    )
    direction: str
    gold: set[str]
    candidates: Candidates
    translated: Candidates | None = None


def xquad_runs(
    embeddings: CachedEmbeddings,
    conf: RetrievalSettings,
    translations: CachedTranslations | None,
    limit: int | None,
    log: Callable[[str], None],
    *,
    sample_only: bool = False,
    sample_offset: int = 0,
) -> tuple[list[QueryRun], float, float]:
    corpus = {lang: load_jsonl(XQUAD / f"corpus_{lang}.jsonl") for lang in ("en", "zh")}
    queries = {lang: load_jsonl(XQUAD / f"queries_{lang}.jsonl") for lang in ("en", "zh")}
    runs: list[QueryRun] = []
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        # One paragraph per chunk, as the gold labels are per paragraph (the longest is 3.3k characters).
        container = make_container(Path(tmp), embeddings, chunk_size=4000)
        started = time.perf_counter()
        projects, chunks = {}, {}
        for lang in ("en", "zh"):
            docs = [(f"{d['doc_id']}.txt", d["text"]) for d in corpus[lang]]
            projects[lang], chunks[lang] = ingest_texts(container, f"xquad-{lang}", docs)
        ingest_seconds = time.perf_counter() - started
        embeddings.save()
        log(f"  ingested 480 paragraphs in {ingest_seconds:.1f} s ({embeddings.model_passages} embedded now)")
        started = time.perf_counter()
        for q_lang, c_lang in DIRECTIONS:
            qs = queries[q_lang][:limit] if limit else queries[q_lang]
            for i, q in enumerate(qs):
                sampled = i % TRANSLATION_SAMPLE_STEP == sample_offset and q_lang != c_lang
                if sample_only and not sampled:
                    continue
                gold = set().union(*(chunks[c_lang][f"{g}.txt"] for g in q["gold_doc_ids"]))
                cands = gather(
                    container.vectors,  # type: ignore[attr-defined]
                    container.sessions,  # type: ignore[attr-defined]
                    projects[c_lang],
                    q["question"],
                    settings=conf,
                )
                article = int(q["gold_doc_ids"][0].split("_")[1][1:])
                run = QueryRun(q["qid"], article, f"{q_lang}->{c_lang}", gold, cands)
                if translations is not None and sampled and translations.has(q["question"], c_lang):
                    run.translated = gather(
                        container.vectors,  # type: ignore[attr-defined]
                        container.sessions,  # type: ignore[attr-defined]
                        projects[c_lang],
                        q["question"],
                        settings=conf.model_copy(update={"translate": TranslateMode.always}),
                        translator=translations,
                    )
                runs.append(run)
            embeddings.save()
        query_seconds = time.perf_counter() - started
        container.close()  # type: ignore[attr-defined]
    return runs, ingest_seconds, query_seconds


def only_form(c: Candidates, kind: str) -> list[str]:
    hits = c.vector[0] if kind == "vector" else c.keyword[0]
    return [cid for cid, _ in hits]


def without(c: Candidates, drop: set[str]) -> Candidates:
    return Candidates(
        forms=c.forms,
        vector=[[h for h in hits if h[0] not in drop] for hits in c.vector],
        keyword=[[h for h in hits if h[0] not in drop] for hits in c.keyword],
        bigram=[[h for h in hits if h[0] not in drop] for hits in c.bigram],
        chunks=c.chunks,
        documents=c.documents,
        embedder=c.embedder,
    )


def is_cross(run: QueryRun) -> bool:
    a, b = run.direction.split("->")
    return a != b


def best_relevance(fused: list[Fused], k: int, model: RelevanceModel, cross: bool) -> float:
    """What is_relevant looks at: the highest relevance among the top ``k`` results (0 when none)."""
    return max((model.probability(f.vector_score, f.keyword_coverage, cross) for f in fused[:k]), default=0.0)


# ------------------------------------------------------------------------------------- translation gate
TRANSLATION_GATES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def translation_gate(
    direction: str,
    sample: list[QueryRun],
    runs: list[QueryRun],
    conf: RetrievalSettings,
    reranker: Reranker | None,
    embedder: str,
) -> list[str]:
    """Translate only when the untranslated search is unsure: when its best relevance (what is_relevant reads)
    is below a gate. Per gate: recall of the sample's cross-language questions when only those below it are
    translated, the share of them that pay for a translation, and the share of same-language questions
    (whose answer is in their own language) that would pay for one in a mixed project."""
    model = relevance_model(embedder)
    same = [r for r in runs if not is_cross(r) and r.direction.split("->")[0] == direction.split("->")[0]]
    same_best = [best_relevance(rank_candidates(r.candidates, conf, reranker), 6, model, False) for r in same]
    lines = []
    for gate in TRANSLATION_GATES:
        scores, paid = Scores(), 0
        for r in sample:
            fused = rank_candidates(r.candidates, conf, reranker)
            if best_relevance(fused, 6, model, True) < gate and r.translated is not None:
                fused = rank_candidates(r.translated, conf, reranker)
                paid += 1
            scores.add(gold_rank([f.chunk_id for f in fused], r.gold))
        same_paid = sum(b < gate for b in same_best) / len(same_best) if same_best else float("nan")
        lines.append(
            f"{embedder} {direction} translate when best relevance < {gate:.2f}: R@1 {fmt(scores.recall(1))} "
            f"R@5 {fmt(scores.recall(5))}, cross-language questions translated {paid / len(sample):.2f}, "
            f"same-language questions translated {same_paid:.2f} (n={len(same_best)})"
        )
    return lines


# ----------------------------------------------------------------------------------------------- calibration
def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iters: int = 50) -> np.ndarray:
    """Newton's method on the log-loss with a little L2; x gets a bias column. Returns the weights."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + l2 * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w


def calibration_rows(
    runs: list[QueryRun], conf: RetrievalSettings, reranker: Reranker | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(cosine, coverage, cross-lingual) of the top result with the gold paragraph in the index (label 1) and
    left out of it (label 0: the question is not answerable, but the other paragraphs of its article stay)."""
    feats, labels = [], []
    for run in runs:
        for label, cands in ((1, run.candidates), (0, without(run.candidates, run.gold))):
            fused = rank_candidates(cands, conf, reranker)
            top = fused[0] if fused else None
            cos = top.vector_score if top is not None and top.vector_score is not None else 0.0
            cov = top.keyword_coverage or 0.0 if top is not None else 0.0
            feats.append((cos, cov, float(is_cross(run))))
            labels.append(label)
    return np.array(feats), np.array(labels, dtype=float)


def model_from_weights(w: np.ndarray) -> RelevanceModel:
    return RelevanceModel(
        cosine_weight=float(w[0]),
        coverage_weight=float(w[1]),
        cross_lingual_weight=float(w[2]),
        bias=float(w[3]),
    )


def answerable_pr(
    runs: list[QueryRun], conf: RetrievalSettings, model: RelevanceModel, reranker: Reranker | None = None
) -> tuple[float, float, float]:
    """Precision and recall of "answerable", and accuracy, by is_relevant's rule (the most relevant of the
    top_k results reaches the threshold), each question asked with its gold paragraph present and left out."""
    tp = fp = fn = tn = 0
    for run in runs:
        for present, cands in ((True, run.candidates), (False, without(run.candidates, run.gold))):
            said = best_relevance(rank_candidates(cands, conf, reranker), conf.top_k, model, is_cross(run))
            said_yes = said >= conf.relevance_threshold
            tp += said_yes and present
            fp += said_yes and not present
            fn += (not said_yes) and present
            tn += (not said_yes) and not present
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    return precision, recall, (tp + tn) / max(1, tp + tn + fp + fn)


def refusal_tradeoff(
    runs: list[QueryRun],
    conf: RetrievalSettings,
    model: RelevanceModel,
    thresholds: Sequence[float],
    reranker: Reranker | None = None,
) -> list[tuple[float, float, float]]:
    """Per threshold: share of held-out questions is_relevant turns away, and share of answerable ones it lets
    through. Each question is ranked once; only the cut moves."""
    pairs = []
    for run in runs:
        cross = is_cross(run)
        held_out = best_relevance(
            rank_candidates(without(run.candidates, run.gold), conf, reranker), conf.top_k, model, cross
        )
        present = best_relevance(rank_candidates(run.candidates, conf, reranker), conf.top_k, model, cross)
        pairs.append((held_out, present))
    n = max(1, len(pairs))
    return [(t, sum(h < t for h, _ in pairs) / n, sum(p >= t for _, p in pairs) / n) for t in thresholds]


# ----------------------------------------------------------------------------------------------- QMSum
def qmsum_recall(
    embeddings: CachedEmbeddings,
    conf: RetrievalSettings,
    log: Callable[[str], None],
    reranker: Reranker | None = None,
) -> dict[str, float]:
    meetings = load_jsonl(QMSUM / "test.jsonl")
    docs, offsets = [], []
    for i, m in enumerate(meetings):
        lines, starts, pos = [], [], 0
        for u in m["meeting_transcripts"]:
            line = f"{u['speaker']}: {' '.join(u['content'].split())}"
            starts.append(pos)
            lines.append(line)
            pos += len(line) + 1
        docs.append((f"meeting_{i:02d}.txt", "\n".join(lines)))
        offsets.append(starts)
    names = ("bm25", "vector", "hybrid", NO_RERANK, "  plain rrf (k=60)", "  rrf + coverage")
    scores = {name: Scores() for name in names}
    with tempfile.TemporaryDirectory(prefix="bench-qmsum-") as tmp:
        from assistant.index import chunks as chunk_store

        container = make_container(Path(tmp), embeddings, chunk_size=800)  # the product's default chunking
        started = time.perf_counter()
        project_id, _ = ingest_texts(container, "qmsum", docs)
        embeddings.save()
        log(f"  QMSum: ingested {len(docs)} meetings in {time.perf_counter() - started:.1f} s")
        with transaction(container.sessions) as session:  # type: ignore[attr-defined]
            from assistant.documents import repository as documents

            doc_ids = {d.file_name: d.id for d in documents.list_documents(session, project_id=project_id)}
        for i, m in enumerate(meetings):
            starts = offsets[i]
            for q in m["specific_query_list"]:
                spans = [(int(a), int(b)) for a, b in q.get("relevant_text_span") or []]
                if not spans:
                    continue
                cands = gather(
                    container.vectors,  # type: ignore[attr-defined]
                    container.sessions,  # type: ignore[attr-defined]
                    project_id,
                    q["query"],
                    settings=conf,
                    filters=SearchFilters(document_ids=[doc_ids[f"meeting_{i:02d}.txt"]]),
                )

                def overlaps(
                    cid: str,
                    cands: Candidates = cands,
                    starts: list[int] = starts,
                    spans: list[tuple[int, int]] = spans,
                ) -> bool:
                    chunk = cands.chunks[cid]
                    first = int(np.searchsorted(starts, chunk.char_start, side="right")) - 1
                    last = (
                        int(np.searchsorted(starts, max(chunk.char_start, chunk.char_end - 1), side="right"))
                        - 1
                    )
                    return any(first <= b and last >= a for a, b in spans)

                rankings = {
                    "bm25": only_form(cands, "keyword"),
                    "vector": only_form(cands, "vector"),
                    "hybrid": [f.chunk_id for f in rank_candidates(cands, conf, reranker)],
                    NO_RERANK: [f.chunk_id for f in rank_candidates(cands, conf)],
                    "  plain rrf (k=60)": [f.chunk_id for f in rank_candidates(cands, PLAIN_RRF)],
                    "  rrf + coverage": [f.chunk_id for f in rank_candidates(cands, RRF_COVERAGE)],
                }
                for name, ids in rankings.items():
                    hit = next((r for r, cid in enumerate(ids[:5], start=1) if overlaps(cid)), None)
                    scores[name].add(hit)
        embeddings.save()
        with transaction(container.sessions) as session:  # type: ignore[attr-defined]
            n_chunks = sum(len(chunk_store.document_chunks(session, document_id=d)) for d in doc_ids.values())
        container.close()  # type: ignore[attr-defined]
    log(f"  QMSum: {len(scores['hybrid'].ranks)} queries over {n_chunks} chunks")
    return {name: s.recall(5) for name, s in scores.items()}


# ----------------------------------------------------------------------------------------------- main
def make_embedder(key: str, cache_dir: Path | None) -> CachedEmbeddings:
    from assistant.providers.embeddings import E5SmallEmbeddings, UseMultilingualEmbeddings

    inner: NamedEmbeddings = UseMultilingualEmbeddings() if key == "use" else E5SmallEmbeddings()
    return CachedEmbeddings(inner, cache_dir / f"emb-{inner.name}.npz" if cache_dir else None)


def live_translator() -> Callable[[str, str], str | None]:
    from assistant.providers.llm import make_chat_model, structured_method
    from assistant.retrieval.query_expansion import QueryTranslator
    from assistant.settings import load_settings

    settings = load_settings(
        llm_provider="local", data_dir=Path(tempfile.mkdtemp(prefix="bench-llm-")), _env_file=None
    )
    # One model (and one llama.cpp server) for the whole run: make_chat_model starts a server per call.
    model = make_chat_model(settings)
    translator = QueryTranslator(lambda: model, method=structured_method(settings))
    return lambda query, target: translator.translate(query, target)


def bench_reranker(conf: RetrievalSettings, embedder: str, cache_dir: Path | None) -> Reranker | None:
    """The product's rerank step, its model's vectors served from the bench cache like the embedder's."""
    return make_reranker(conf.rerank, embedder, model=lambda: make_embedder("e5", cache_dir))


def rerank_timing(runs: list[QueryRun], conf: RetrievalSettings, n: int) -> list[str]:
    """Seconds the rerank step adds to a search: with the model's cache empty (a passage never re-read
    before) and warm (the same searches again), over ``n`` searches spread across the directions."""
    reranker = make_reranker(conf.rerank, EMBEDDERS["use"])
    if reranker is None:
        return []
    picked = runs[:: max(1, len(runs) // n)][:n]
    out = []
    for label in ("cold", "warm"):
        secs = []
        for run in picked:
            started = time.perf_counter()
            rank_candidates(run.candidates, conf, reranker)
            secs.append(time.perf_counter() - started)
        out.append(
            f"    rerank {label}: {len(secs)} searches, median {statistics.median(secs):.2f} s, "
            f"max {max(secs):.2f} s per search (top {conf.rerank_depth}, fusion included)"
        )
    return out


def fmt(x: float) -> str:
    return f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--embedders", default="use,e5", help="comma list of: use, e5")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--fresh", action="store_true", help="use no cache (embeddings nor translations)")
    parser.add_argument("--no-qmsum", action="store_true")
    parser.add_argument("--qmsum-embedders", default="use", help="embedders for QMSum (e5 takes ~20 min)")
    parser.add_argument("--no-translation", action="store_true")
    parser.add_argument(
        "--translate-live", action="store_true", help="ask the local LLM for missing translations"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="first N questions per direction (quick runs)"
    )
    parser.add_argument(
        "--translation-sample-only",
        action="store_true",
        help="search only the cross-language questions of the translation sample (every "
        f"{TRANSLATION_SAMPLE_STEP}th): the translation rows in minutes, e.g. for e5",
    )
    parser.add_argument(
        "--translation-sample-offset",
        type=int,
        default=0,
        choices=range(TRANSLATION_SAMPLE_STEP),
        metavar=f"0..{TRANSLATION_SAMPLE_STEP - 1}",
        help="which questions form the translation sample: those whose index modulo "
        f"{TRANSLATION_SAMPLE_STEP} is this (0: the documented sample; another value: a second, disjoint one)",
    )
    parser.add_argument(
        "--rerank-timing",
        type=int,
        default=0,
        metavar="N",
        help="also time the rerank step on N searches with an empty cache, then again warm",
    )
    parser.add_argument("--rerank-weight", type=float, default=None, help="override the rerank weight")
    parser.add_argument("--rerank-depth", type=int, default=None, help="override the rerank depth")
    args = parser.parse_args(argv)
    cache_dir = None if args.fresh else args.cache_dir
    overrides = {"rerank_weight": args.rerank_weight, "rerank_depth": args.rerank_depth}
    conf = RetrievalSettings(**{k: v for k, v in overrides.items() if v is not None})

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    translations = None
    if not args.no_translation:
        from assistant.settings import load_settings

        model = load_settings(_env_file=None).llm.model
        path = cache_dir / "translations.jsonl" if cache_dir else None
        translations = CachedTranslations(path, model, live_translator() if args.translate_live else None)

    table: list[list[str]] = []
    extra: list[str] = []
    for key in [k.strip() for k in args.embedders.split(",") if k.strip()]:
        embeddings = make_embedder(key, cache_dir)
        log(f"{embeddings.name}: XQuAD")
        runs, ingest_s, query_s = xquad_runs(
            embeddings,
            conf,
            translations,
            args.limit,
            log,
            sample_only=args.translation_sample_only,
            sample_offset=args.translation_sample_offset,
        )
        if embeddings.model_passages:
            extra.append(
                f"{embeddings.name}: embedded {embeddings.model_passages} XQuAD paragraphs in "
                f"{embeddings.model_seconds:.1f} s ({embeddings.model_passages / embeddings.model_seconds:.1f}/s)"
            )
        extra.append(
            f"{embeddings.name}: fusion weights (vector, keyword) {conf.fusion_weights(embeddings.name)}"
        )
        reranker = bench_reranker(conf, embeddings.name, cache_dir)
        if reranker is not None:
            extra.append(
                f"{embeddings.name}: rerank by {reranker.name}, top {conf.rerank_depth}, "
                f"weight {conf.rerank_weight}"
            )
            if args.rerank_timing:
                extra.extend(rerank_timing(runs, conf, args.rerank_timing))
        extra.append(f"{embeddings.name}: {len(runs)} searches (gather + fuse) in {query_s:.1f} s "
                     f"({1000 * query_s / max(1, len(runs)):.0f} ms each, query embedding included)")  # fmt: skip
        for direction in [f"{a}->{b}" for a, b in DIRECTIONS]:
            sel = [r for r in runs if r.direction == direction]
            if not sel:
                continue
            rows = {"bm25": Scores(), "vector": Scores(), "hybrid": Scores()}
            # The alternatives the default was chosen over, from the same candidates.
            others = {"  plain rrf (k=60)": PLAIN_RRF, "  rrf + coverage": RRF_COVERAGE}
            if reranker is not None:
                others = {NO_RERANK: conf, **others}
            rows.update({name: Scores() for name in others})
            for r in sel:
                rows["bm25"].add(gold_rank(only_form(r.candidates, "keyword"), r.gold))
                rows["vector"].add(gold_rank(only_form(r.candidates, "vector"), r.gold))
                ranked = [f.chunk_id for f in rank_candidates(r.candidates, conf, reranker)]
                rows["hybrid"].add(gold_rank(ranked, r.gold))
                for name, setting in others.items():
                    ranked = [f.chunk_id for f in rank_candidates(r.candidates, setting)]
                    rows[name].add(gold_rank(ranked, r.gold))
            sample = [r for r in sel if r.translated is not None]
            if sample:
                base, trans = Scores(), Scores()
                for r in sample:
                    ranked = [f.chunk_id for f in rank_candidates(r.candidates, conf, reranker)]
                    base.add(gold_rank(ranked, r.gold))
                    assert r.translated is not None
                    ranked = [f.chunk_id for f in rank_candidates(r.translated, conf, reranker)]
                    trans.add(gold_rank(ranked, r.gold))
                rows[f"hybrid, sample n={len(sample)}"] = base
                rows[f"hybrid+translation, n={len(sample)}"] = trans
                extra.extend(translation_gate(direction, sample, runs, conf, reranker, embeddings.name))
            for name, s in rows.items():
                table.append([embeddings.name, direction, name, str(len(s.ranks)),
                              fmt(s.recall(1)), fmt(s.recall(5)), fmt(s.recall(10)), fmt(s.mrr())])  # fmt: skip
        # Relevance calibration: fit on even articles, check on odd ones; then fit on all (what ships).
        shipped = relevance_model(embeddings.name)
        even = [r for r in runs if r.article % 2 == 0]
        odd = [r for r in runs if r.article % 2 == 1]
        fitted_even = model_from_weights(fit_logistic(*calibration_rows(even, conf, reranker)))
        fitted_all = model_from_weights(fit_logistic(*calibration_rows(runs, conf, reranker)))
        for label, m, subset in (
            ("fitted on even articles, tested on odd", fitted_even, odd),
            ("fitted on all, tested on all", fitted_all, runs),
            ("shipped constants, all", shipped, runs),
        ):
            p, r, acc = answerable_pr(subset, conf, m, reranker)
            extra.append(
                f"{embeddings.name} is_relevant ({label}): precision {p:.3f} recall {r:.3f} accuracy {acc:.3f}"
                f"  [{_show(m)}]"
            )
        # The price of refusing more: what each threshold does to held-out and to answerable questions.
        for threshold, refused, answered in refusal_tradeoff(
            runs, conf, shipped, (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9), reranker
        ):
            extra.append(
                f"    threshold {threshold:.1f} (shipped constants, all): held-out refused {refused:.3f}, "
                f"answerable passed on to the model {answered:.3f}"
            )
        for direction in [f"{a}->{b}" for a, b in DIRECTIONS]:
            sel = [r for r in odd if r.direction == direction]
            if not sel:
                continue
            p, r, acc = answerable_pr(sel, conf, fitted_even, reranker)
            extra.append(
                f"    {direction} (odd articles): precision {p:.3f} recall {r:.3f} accuracy {acc:.3f}"
            )
        if not args.no_qmsum and key in args.qmsum_embedders.split(","):
            log(f"{embeddings.name}: QMSum")
            q = qmsum_recall(embeddings, conf, log, reranker)
            for name in q:
                table.append([embeddings.name, "QMSum en", name, "", "", fmt(q[name]), "", ""])
        embeddings.save()
        if reranker is not None and isinstance(reranker, EmbeddingReranker):
            reranker.embeddings.save()  # type: ignore[attr-defined]  # the e5 vectors it had to compute

    if translations is not None and translations.seconds:
        secs = translations.seconds
        extra.append(f"translation (local LLM): {len(secs)} queries, median {statistics.median(secs):.1f} s, "
                     f"p90 {sorted(secs)[math.ceil(0.9 * len(secs)) - 1]:.1f} s")  # fmt: skip
    header = ["embedder", "direction", "retriever", "n", "R@1", "R@5", "R@10", "MRR"]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in table:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()
    print(f"settings: {conf.model_dump_json()}")
    for line in extra:
        print(line)
    return 0


def _show(m: RelevanceModel) -> str:
    return (
        f"cosine_weight={m.cosine_weight:.2f}, coverage_weight={m.coverage_weight:.2f}, "
        f"cross_lingual_weight={m.cross_lingual_weight:.2f}, bias={m.bias:.2f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
