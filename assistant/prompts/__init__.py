"""Prompt templates live as ``*.md`` files in this package; ``$name`` placeholders keep JSON braces literal.

They are package data, read through importlib.resources, so an installed wheel finds them as the work
tree does.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from string import Template

# The folder holding the templates (a Path for an install as files); bench/ hashes templates through it.
PROMPTS_DIR: Traversable = files(__name__)


@lru_cache(maxsize=128)
def _template(name: str) -> Template:
    resource = PROMPTS_DIR / f"{name}.md"
    if not resource.is_file():
        raise FileNotFoundError(f"prompt template {name}.md is missing from {__name__}")
    return Template(resource.read_text(encoding="utf-8"))


def render_prompt(name: str, language: str | None = None, /, **values: object) -> str:
    """Render ``<name>.<language>.md`` if the package has it, else ``<name>.md``."""
    if language and (PROMPTS_DIR / f"{name}.{language}.md").is_file():
        name = f"{name}.{language}"
    return _template(name).substitute({k: str(v) for k, v in values.items()})
