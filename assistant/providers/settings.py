"""Settings of the providers: the chat model, the embedder and the vector store (``settings.llm``,
``settings.embeddings``, ``settings.chroma``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator

from assistant.config import OptionalURL, SettingsGroup


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


class LLMSettings(SettingsGroup):
    env_prefix = "LLM_"

    provider: LLMProvider = Field(
        LLMProvider.local,
        description="`local` (packaged model, llama.cpp child server), `openai` (any OpenAI-compatible "
        "server), `fake` (tests).",
    )
    model: str = Field(
        "qwen2.5-coder-1.5b-instruct-q4_k_m",
        description="Model name; for `local`, also `qwen2.5-coder-0.5b-instruct-q4_k_m` if prepared with "
        "`scripts/prepare_model.py`.",
    )
    base_url: OptionalURL = Field(
        None, description="OpenAI-compatible base URL, e.g. `http://localhost:11434/v1`."
    )
    api_key: str | None = Field(None, description="API key of that server.")
    timeout_s: float = Field(
        180.0, gt=0, description="Seconds before an LLM call is abandoned (then HTTP 503)."
    )
    temperature: float = Field(0.1, ge=0, le=2, description="Sampling temperature of every call.")
    structured_method: StructuredMethod = Field(
        StructuredMethod.auto,
        description="How typed output is asked for: `json_schema`, `function_calling` or `json_object` (auto: "
        "json_object with a schema for llama.cpp, json_schema otherwise).",
    )
    model_path: Path | None = Field(
        None,
        description="A GGUF file of your own for the local provider (default: the joined model in the cache "
        "directory).",
    )
    slots: int = Field(
        1,
        ge=1,
        le=64,
        description="Calls the model serves at once; more wait in line, a person before background work. 1 "
        "for the local model (it serves one at a time); an OpenAI-compatible server may take more.",
    )
    interactive_wait_s: float = Field(
        120.0,
        gt=0,
        description="How long a call a person waits for (ask, 5-Why, a rewrite) may wait for the model before "
        "it is refused with 503, its place in the queue and an estimate.",
    )
    # Measured by bench/prompt_cache.py (docs/performance.md): with questions and scan calls interleaved, a
    # scan call falls from ~13 s to ~4 s once its instructions are cached, and the sequence takes 27 % less
    # time. A state of ~1,000 tokens is ~28 MB, so 512 MB keeps every prompt family's prefix.
    prompt_cache_mb: int = Field(
        256,
        ge=0,
        description="RAM the local model may keep its states in, to start a call from the longest prompt "
        "prefix it has read before (0: only the previous call's).",
    )
    context: int = Field(4096, ge=512, description="Context window of the local model (tokens).")
    batch: int = Field(
        256,
        ge=32,
        le=4096,
        description="Prompt tokens the local model reads per step. 256 reads as fast as 512 on two cores and "
        "keeps about 280 MB less resident (its buffers grow with batch x vocabulary).",
    )
    threads: int = Field(2, ge=1, description="CPU threads of the local model (and of the local embedder).")

    @model_validator(mode="after")
    def _reachable(self) -> LLMSettings:
        if self.provider is LLMProvider.openai and not self.base_url and not self.api_key:
            raise ValueError(
                f"{self.env_var('provider')}=openai needs {self.env_var('api_key')} (OpenAI) or "
                f"{self.env_var('base_url')} (an OpenAI-compatible server)"
            )
        return self


class EmbeddingsSettings(SettingsGroup):
    env_prefix = "EMBEDDINGS_"

    provider: EmbeddingsProvider = Field(EmbeddingsProvider.local, description="`local`, `openai`, `fake`.")
    model: str = Field(
        LocalEmbeddingModel.use.value,
        description="local: `use-multilingual` (USE multilingual v3, 512-d) or `multilingual-e5-small` "
        "(384-d); openai: the server's model. Changing it needs a re-index.",
    )
    base_url: OptionalURL = Field(
        None, description="For the openai embeddings provider (default: the LLM's base URL)."
    )
    api_key: str | None = Field(
        None, description="For the openai embeddings provider (default: the LLM's key)."
    )
    batch_size: int = Field(64, ge=1, description="Texts embedded per call of the local embedder.")

    @model_validator(mode="after")
    def _packaged(self) -> EmbeddingsSettings:
        packaged = {m.value for m in LocalEmbeddingModel}
        if self.provider is EmbeddingsProvider.local and self.model not in packaged:
            raise ValueError(
                f"{self.env_var('model')}={self.model!r} is not a packaged model; "
                f"choose one of: {', '.join(sorted(packaged, reverse=True))}"
            )
        return self


class ChromaSettings(SettingsGroup):
    env_prefix = "CHROMA_"

    path: Path | None = Field(
        None, description="Chroma PersistentClient folder (default: `<data dir>/chroma`)."
    )
    url: OptionalURL = Field(
        None,
        description="A Chroma server (`chroma run --path DIR --port N`); replaces the local folder.",
    )
