"""The one settings object, made of one group per area: ``settings.llm``, ``settings.embeddings``,
``settings.chroma``, ``settings.retrieval``, ``settings.risk``, ``settings.ingest``, ``settings.server``,
``settings.access`` (who may call the API).

Each group is declared beside the code that reads it. Values come from ``ASSISTANT_*`` environment variables
or a ``.env`` file: ``ASSISTANT_<GROUP PREFIX><FIELD>`` (ASSISTANT_LLM_MODEL, ASSISTANT_RETRIEVAL_TOP_K,
ASSISTANT_CHUNK_SIZE: the names the product has always read) or pydantic-settings' nested form
``ASSISTANT_<GROUP>__<FIELD>`` (ASSISTANT_LLM__MODEL). A wrong value stops start-up with a sentence naming
the variable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources import DotEnvSettingsSource, EnvSettingsSource

from assistant.auth.settings import AccessSettings
from assistant.config import ENV_PREFIX, SettingsGroup, default_cache_dir
from assistant.documents.settings import IngestSettings
from assistant.errors import ConfigurationError
from assistant.providers.settings import ChromaSettings, EmbeddingsSettings, LLMSettings
from assistant.retrieval.settings import RetrievalSettings
from assistant.risks.settings import RiskSettings

log = logging.getLogger(__name__)

# Variables that once existed and no longer do anything: named at start-up instead of silently ignored.
REMOVED_VARIABLES = {
    "ASSISTANT_LLM_MAX_RETRIES": "nothing ever read it; a malformed answer is asked again once, a timeout is "
    "not retried",
}


class ServerSettings(SettingsGroup):
    env_prefix = ""  # ASSISTANT_HOST, ASSISTANT_PORT

    host: str = Field("127.0.0.1", description="Address `assistant serve` and `assistant demo` bind.")
    port: int = Field(8000, ge=1, le=65535, description="Port `assistant serve` and `assistant demo` bind.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Field(
        Path("data"),
        description="Where everything the product stores lives (database, Chroma folder, originals, logs).",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL (default: SQLite file `assistant.db` in the data directory); PostgreSQL: "
        "`postgresql+psycopg://user:pw@host/db`.",
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="The built llama-cpp-python wheel and the joined model (default "
        "`~/.cache/requirements-assistant`).",
    )

    llm: LLMSettings = Field(default_factory=LLMSettings)
    embeddings: EmbeddingsSettings = Field(default_factory=EmbeddingsSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    access: AccessSettings = Field(default_factory=AccessSettings)

    @classmethod
    def groups(cls) -> Iterator[tuple[str, type[SettingsGroup]]]:
        for name, info in cls.model_fields.items():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, SettingsGroup):
                yield name, kind

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest first: arguments, the environment (nested form, then the flat names), the .env file (the
        # same two forms).
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        return (
            init_settings,
            env_settings,
            FlatVariables(settings_cls, env_settings.env_vars),
            dotenv_settings,
            FlatVariables(settings_cls, dotenv_settings.env_vars),
            file_secret_settings,
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'assistant.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma.path or self.data_dir / "chroma"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"


def flat_names() -> dict[str, tuple[str, str]]:
    """``llm_model`` -> ("llm", "model") for every group field: the variables' names without the prefix."""
    out: dict[str, tuple[str, str]] = {}
    for group, kind in Settings.groups():
        for field in kind.model_fields:
            out[kind.env_var(field).removeprefix(ENV_PREFIX).lower()] = (group, field)
    return out


class FlatVariables(PydanticBaseSettingsSource):
    """Reads ASSISTANT_LLM_MODEL-style variables into the nested groups."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str | None]) -> None:
        super().__init__(settings_cls)
        self._variables = {k.lower(): v for k, v in variables.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every group at once

    def __call__(self) -> dict[str, Any]:
        out: dict[str, dict[str, Any]] = {}
        for name, (group, field) in flat_names().items():
            value = self._variables.get((ENV_PREFIX + name).lower())
            if value is not None:
                out.setdefault(group, {})[field] = value
        return out


def _nest(overrides: Mapping[str, object]) -> dict[str, Any]:
    """Keyword arguments in either form: ``llm_provider="fake"`` or ``llm={"provider": "fake"}``."""
    names = flat_names()
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in names:
            group, field = names[key]
            out.setdefault(group, {})[field] = value
        elif key in Settings.model_fields or key.startswith("_"):
            if isinstance(value, Mapping) and isinstance(out.get(key), dict):
                out[key].update(value)
            else:
                out[key] = value
        else:
            raise TypeError(f"unknown setting {key!r}")
    return out


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation error into one sentence per bad variable."""
    try:
        settings = Settings(**_nest(overrides))
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc)) from None
    _warn_removed()
    return settings


def _warn_removed() -> None:
    import os

    for name, why in REMOVED_VARIABLES.items():
        if name in os.environ:
            log.warning("%s is no longer a setting and is ignored: %s", name, why)


def variable_of(loc: tuple[int | str, ...]) -> str | None:
    """The variable behind an error location: ("llm", "timeout_s") -> ASSISTANT_LLM_TIMEOUT_S."""
    parts = [str(p) for p in loc if p != "__root__"]
    if not parts:
        return None
    groups = dict(Settings.groups())
    if parts[0] in groups:
        return groups[parts[0]].env_var(parts[1]) if len(parts) > 1 else None
    return f"{ENV_PREFIX}{parts[0]}".upper()


def describe_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        name = variable_of(tuple(err["loc"]))
        lines.append(f"{name}: {msg} (got {err.get('input')!r})" if name else msg)
    return "invalid settings: " + "; ".join(lines)


@lru_cache
def get_settings() -> Settings:
    return load_settings()


# ---- the README's settings table is generated from the models (tests/assistant/test_settings.py) ----------

TABLE_START = "<!-- settings table: generated by `python -m assistant.settings`; do not edit by hand -->"
TABLE_END = "<!-- end of settings table -->"


def _default_text(info: FieldInfo) -> str:
    if info.default_factory is not None:
        return "see meaning"
    value = info.default
    if value is None:
        return "unset"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`"


def _row(variable: str, info: FieldInfo) -> str:
    description = " ".join((info.description or "").split()).replace("|", "\\|")
    return f"| `{variable}` | {_default_text(info)} | {description} |"


def settings_table() -> str:
    """Markdown: one table per group, every variable with its default and description."""
    lines = [TABLE_START, "", "| variable | default | meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        if name not in dict(Settings.groups()):
            lines.append(_row(f"{ENV_PREFIX}{name}".upper(), info))
    for group, kind in Settings.groups():
        lines += ["", f"`settings.{group}`:", "", "| variable | default | meaning |", "|---|---|---|"]
        lines += [_row(kind.env_var(field), info) for field, info in kind.model_fields.items()]
    return "\n".join([*lines, "", TABLE_END])


def replace_table(readme: str) -> str:
    start, end = readme.index(TABLE_START), readme.index(TABLE_END) + len(TABLE_END)
    return readme[:start] + settings_table() + readme[end:]


if __name__ == "__main__":
    import sys

    readme_path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme_path.write_text(replace_table(readme_path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"settings table written to {readme_path}")
