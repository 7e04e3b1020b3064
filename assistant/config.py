"""What every settings group shares: the variable prefix and the naming of each knob's variable.

A leaf module (it imports nothing of the product), so each package can declare its own settings group beside
the code that reads it and ``assistant.settings`` can assemble them without an import cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict

ENV_PREFIX = "ASSISTANT_"


def default_cache_dir() -> Path:
    """ASSISTANT_CACHE_DIR's default: the built wheel, the joined model, jieba's dictionary cache."""
    return Path.home() / ".cache" / "requirements-assistant"


class SettingsGroup(BaseModel):
    """One area's knobs (``settings.llm``, ``settings.retrieval`` ...), each declared once with its default,
    bounds and description. ``env_prefix`` names the variables: ``ASSISTANT_<env_prefix><FIELD>``, the names
    the product has always read (ASSISTANT_LLM_MODEL, ASSISTANT_CHUNK_SIZE); the nested form
    ``ASSISTANT_<GROUP>__<FIELD>`` works too."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    env_prefix: ClassVar[str] = ""

    @classmethod
    def env_var(cls, field: str) -> str:
        return f"{ENV_PREFIX}{cls.env_prefix}{field}".upper()


def http_url(value: str | None) -> str | None:
    """A blank URL means unset; anything else must be http(s)."""
    if value is not None and value.strip() == "":
        return None
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


OptionalURL = Annotated[str | None, AfterValidator(http_url)]
