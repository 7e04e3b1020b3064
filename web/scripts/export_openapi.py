"""Writes the API's OpenAPI document to web/openapi.json, from which the web app's types are generated
(`npm run api-types`). tests/e2e/test_api_types.py fails when either file is stale.

Usage: .venv/bin/python web/scripts/export_openapi.py [OUTPUT]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from api.main import create_app
from assistant.settings import load_settings

WEB = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = WEB / "openapi.json"


def openapi_document() -> dict[str, Any]:
    """The schema as the app publishes it; a throw-away data directory and the fakes, so nothing is loaded."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            data_dir=Path(tmp) / "data",
            cache_dir=Path(tmp) / "cache",
            embeddings_provider="fake",
            llm_provider="fake",
            _env_file=None,
        )
        app = create_app(settings)
        try:
            return app.openapi()
        finally:
            app.state.container.close()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> None:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    output.write_text(render(openapi_document()), encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main(sys.argv[1:])
