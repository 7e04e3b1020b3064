"""Who may call the API and how a browser stays signed in: the ``access`` settings group."""

from __future__ import annotations

from typing import Literal

from limits import parse as parse_rate_limit
from pydantic import Field, field_validator

from assistant.config import SettingsGroup


class AccessSettings(SettingsGroup):
    env_prefix = ""  # ASSISTANT_AUTH, ASSISTANT_CORS_ORIGINS ...

    auth: Literal["on", "off"] = Field(
        "on",
        description="`on`: every request needs an API key (or a browser session made from one). `off`: a "
        "single-user laptop, no keys, everyone is admin; the server warns at start and on `/health`.",
    )
    session_hours: int = Field(12, ge=1, le=720, description="How long a browser sign-in lasts.")
    secure_cookie: bool = Field(
        False, description="Mark the session cookie `Secure` (set it when the server is reached over HTTPS)."
    )
    cors_origins: str = Field(
        "",
        description="Comma-separated origins other web pages may call the API from (CORS); empty: none, and "
        "writes that a browser sends from another origin are refused.",
    )
    llm_rate_limit: str = Field(
        "30/minute",
        description="Per key, for the endpoints that use the language model (ask, 5-Why, requirement "
        "rewrites, plan drafts); `limits` notation such as `30/minute` or `500/day`. Over it: 429 with "
        "Retry-After.",
    )
    max_request_kb: int = Field(
        2048,
        ge=1,
        le=1048576,
        description="Largest request body other than a document upload, refused with 413 before it is read.",
    )

    @field_validator("llm_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        try:
            parse_rate_limit(value)
        except ValueError:
            raise ValueError("must read like 30/minute or 500/day") from None
        return value

    @property
    def enabled(self) -> bool:
        return self.auth == "on"

    @property
    def allowed_origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]
