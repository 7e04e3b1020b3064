"""The one settings object. Every value comes from an ``ASSISTANT_*`` environment variable or ``.env``."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigurationError

ENV_PREFIX = "ASSISTANT_"


class LLMProvider(StrEnum):
    local = "local"
    openai = "openai"
    fake = "fake"


class EmbeddingsProvider(StrEnum):
    local = "local"
    openai = "openai"
    fake = "fake"


class LocalEmbeddingModel(StrEnum):
    use = "use-multilingual"
    e5 = "multilingual-e5-small"


class StructuredMethod(StrEnum):
    auto = "auto"
    json_schema = "json_schema"
    function_calling = "function_calling"
    json_object = "json_object"


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "requirements-assistant"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Where everything the product stores lives by default.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file assistant.db under the data directory."
    )
    chroma_path: Path | None = Field(
        None, description="Chroma PersistentClient folder; default: data_dir/chroma."
    )
    chroma_url: str | None = Field(
        None,
        description="Chroma server URL (http://host:port); when set, HttpClient replaces the local folder.",
    )

    llm_provider: LLMProvider = Field(LLMProvider.local, description="local | openai | fake (tests).")
    llm_model: str = Field(
        "qwen2.5-coder-1.5b-instruct-q4_k_m",
        description="Model name sent to the server (openai) or local GGUF id.",
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible base URL, e.g. http://localhost:8000/v1."
    )
    llm_api_key: str | None = Field(None, description="API key for the OpenAI-compatible server.")
    llm_timeout_s: float = Field(180.0, gt=0, description="Seconds before one LLM call is abandoned.")
    llm_max_retries: int = Field(
        1, ge=0, le=5, description="Retries of an LLM call that timed out or failed."
    )
    llm_temperature: float = Field(0.1, ge=0, le=2)
    llm_structured_method: StructuredMethod = Field(
        StructuredMethod.auto, description="How typed output is asked for; auto picks per provider."
    )
    llm_model_path: Path | None = Field(
        None,
        description="GGUF file for the local provider; default: the joined model in the cache directory.",
    )
    llm_context: int = Field(4096, ge=512, description="Context window of the local model (tokens).")
    llm_threads: int = Field(2, ge=1, description="CPU threads of the local model.")
    cache_dir: Path = Field(
        default_factory=_default_cache_dir, description="Built wheels and the joined model."
    )

    embeddings_provider: EmbeddingsProvider = Field(
        EmbeddingsProvider.local, description="local | openai | fake."
    )
    embeddings_model: str = Field(
        LocalEmbeddingModel.use.value,
        description="local: use-multilingual or multilingual-e5-small; openai: the server's model name.",
    )
    embeddings_base_url: str | None = Field(
        None, description="Defaults to llm_base_url for the openai provider."
    )
    embeddings_api_key: str | None = Field(
        None, description="Defaults to llm_api_key for the openai provider."
    )
    embeddings_batch_size: int = Field(64, ge=1)

    chunk_size: int = Field(800, ge=100, le=8000, description="Target characters per chunk.")
    chunk_overlap: int = Field(100, ge=0, description="Characters repeated between neighbouring chunks.")

    max_file_mb: float = Field(50.0, gt=0, description="Largest single file accepted (MB).")
    max_upload_files: int = Field(2000, ge=1, description="Most files in one upload, archives expanded.")
    zip_max_depth: int = Field(3, ge=0, description="Deepest nesting of zips inside zips.")
    zip_max_total_mb: float = Field(512.0, gt=0, description="Most bytes one archive may expand to (MB).")
    zip_max_ratio: int = Field(200, ge=2, description="Largest expansion ratio of one archive member.")

    # Retrieval knobs; None keeps the measured default of assistant/retrieval/settings.py.
    retrieval_top_k: int | None = Field(
        None, description="Passages returned when the caller does not say (8)."
    )
    retrieval_candidates: int | None = Field(None, description="Candidates per index before fusion (50).")
    retrieval_fusion: str | None = Field(None, description="convex (default) or rrf.")
    retrieval_rrf_k: float | None = Field(None, description="Reciprocal-rank-fusion constant (60).")
    retrieval_vector_weight: float | None = Field(None, description="Weight of the vector side in fusion.")
    retrieval_keyword_weight: float | None = Field(None, description="Weight of the BM25 side in fusion.")
    retrieval_bigram_weight: float | None = Field(
        None, description="Weight of the Chinese character-pair BM25 in fusion (0.4; 0 = off)."
    )
    retrieval_coverage_power: float | None = Field(None, description="How much query-word coverage counts.")
    retrieval_translate: str | None = Field(
        None, description="never | auto | always: also search a translation."
    )
    retrieval_ask_translate: str | None = Field(None, description="never | auto | always, for /ask (auto).")
    retrieval_translation_weight: float | None = Field(None, description="Weight of the translated query.")
    retrieval_rerank: str | None = Field(
        None, description="e5 (default: multilingual-e5-small re-reads the top passages) or none."
    )
    retrieval_rerank_depth: int | None = Field(
        None, description="Top passages the rerank step re-reads (10)."
    )
    retrieval_rerank_weight: float | None = Field(None, description="Weight of the rerank cosine (8).")
    retrieval_relevance_threshold: float | None = Field(None, description="Below it, /ask refuses (0.5).")
    retrieval_min_cosine: float | None = Field(None, description="Override the embedder's calibrated cosine.")

    # Risk register knobs; None keeps the default of assistant/risks/settings.py.
    risk_webhook_url: str | None = Field(
        None, description="POSTed a JSON body when a risk is new or raised to high/critical."
    )
    risk_webhook_retries: int | None = Field(None, description="Delivery attempts after the first (3).")
    risk_webhook_backoff_s: float | None = Field(
        None, description="First back-off between attempts, doubling (1 s)."
    )
    risk_webhook_timeout_s: float | None = Field(None, description="Seconds per delivery attempt (10).")
    risk_match_threshold: float | None = Field(
        None, description="Similarity at which a finding joins an existing risk of its category."
    )
    risk_match_threshold_cross_category: float | None = Field(None, description="The same across categories.")
    risk_auto_scan: bool | None = Field(
        None, description="Scan every newly indexed or changed document for risks (true)."
    )
    risk_scan_max_passages: int | None = Field(
        None, description="Most cue passages sent to the LLM per document."
    )
    risk_scan_batch_size: int | None = Field(None, description="Passages per LLM call.")
    risk_scan_max_findings_per_call: int | None = Field(
        None, description="Most risks one LLM call may return."
    )
    risk_scan_max_output_tokens: int | None = Field(None, description="Output tokens per scan call.")
    risk_scan_passage_chars: int | None = Field(
        None, description="Characters of each passage shown to the LLM."
    )
    risk_scan_min_cue_score: int | None = Field(
        None, description="Cue score a passage needs to reach the LLM."
    )

    host: str = Field("127.0.0.1", description="Address the API server binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API server binds.")

    @field_validator("chroma_url", "llm_base_url", "embeddings_base_url", "risk_webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and value.strip() == "":
            return None
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size // 2:
            raise ValueError(
                f"{ENV_PREFIX}CHUNK_OVERLAP ({self.chunk_overlap}) must be under half of "
                f"{ENV_PREFIX}CHUNK_SIZE ({self.chunk_size})"
            )
        if self.llm_provider is LLMProvider.openai and not self.llm_base_url and not self.llm_api_key:
            raise ValueError(
                f"{ENV_PREFIX}LLM_PROVIDER=openai needs {ENV_PREFIX}LLM_API_KEY (OpenAI) or "
                f"{ENV_PREFIX}LLM_BASE_URL (an OpenAI-compatible server)"
            )
        if self.embeddings_provider is EmbeddingsProvider.local and self.embeddings_model not in {
            m.value for m in LocalEmbeddingModel
        }:
            raise ValueError(
                f"{ENV_PREFIX}EMBEDDINGS_MODEL={self.embeddings_model!r} is not a packaged model; "
                f"choose one of: {', '.join(m.value for m in LocalEmbeddingModel)}"
            )
        self._check_component_settings()
        return self

    def _check_component_settings(self) -> None:
        """The retrieval and risk packages own their defaults; a bad override still fails at start-up."""
        from assistant.retrieval.settings import retrieval_settings_from
        from assistant.risks.settings import risk_settings_from

        for prefix, build in (("retrieval_", retrieval_settings_from), ("risk_", risk_settings_from)):
            try:
                build(self)
            except ValidationError as exc:
                err = exc.errors()[0]
                name = f"{ENV_PREFIX}{prefix}{err['loc'][0]}".upper() if err["loc"] else prefix
                raise ValueError(f"{name}: {err['msg']} (got {err.get('input')!r})") from None
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{ENV_PREFIX}{prefix.upper()}*: {exc}") from None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'assistant.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation error into one sentence per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if p != "__root__"]
        msg = err["msg"].removeprefix("Value error, ")
        if loc:
            lines.append(f"{ENV_PREFIX}{loc[0].upper()}: {msg} (got {err.get('input')!r})")
        else:
            lines.append(msg)
    return "invalid settings: " + "; ".join(lines)


@lru_cache
def get_settings() -> Settings:
    return load_settings()
