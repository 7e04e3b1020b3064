"""The web app's API types are generated from the OpenAPI document, so the contract cannot drift silently: this
fails when web/openapi.json or web/src/api/schema.d.ts is older than the API. Regenerate both with
`.venv/bin/python web/scripts/export_openapi.py && (cd web && npm run api-types)`, then rebuild the web app."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

WEB = REPO / "web"
REGENERATE = "run `.venv/bin/python web/scripts/export_openapi.py && (cd web && npm run api-types)`"


def _export() -> ModuleType:
    spec = importlib.util.spec_from_file_location("export_openapi", WEB / "scripts" / "export_openapi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_openapi_document_is_the_apis() -> None:
    export = _export()
    current = export.render(export.openapi_document())
    committed = (WEB / "openapi.json").read_text(encoding="utf-8")
    assert committed == current, f"web/openapi.json is stale: {REGENERATE}"


def test_the_typescript_types_are_generated_from_it(tmp_path: Path) -> None:
    cli = WEB / "node_modules" / ".bin" / "openapi-typescript"
    if shutil.which("node") is None or not cli.exists():
        pytest.fail("the web app's packages are not installed: run scripts/setup.sh (npm ci in web/)")
    out = tmp_path / "schema.d.ts"
    subprocess.run([str(cli), "openapi.json", "-o", str(out)], cwd=WEB, check=True, capture_output=True)
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, f"web/src/api/schema.d.ts is stale: {REGENERATE}"
