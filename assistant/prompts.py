"""Prompt templates live as files in prompts/; ``$name`` placeholders keep JSON braces literal."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"


@lru_cache(maxsize=128)
def _template(name: str) -> Template:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.exists():
        raise FileNotFoundError(f"prompt template {path} is missing")
    return Template(path.read_text(encoding="utf-8"))


def render_prompt(name: str, language: str | None = None, /, **values: object) -> str:
    """Render ``prompts/<name>.<language>.md`` if it exists, else ``prompts/<name>.md``."""
    if language and (PROMPTS_DIR / f"{name}.{language}.md").exists():
        name = f"{name}.{language}"
    return _template(name).substitute({k: str(v) for k, v in values.items()})
