from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from api import cli_search
from assistant.settings import Settings


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # The command builds its own container from ASSISTANT_* variables: point it at the fixture's data.
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDINGS_PROVIDER", "fake")
    monkeypatch.setenv("ASSISTANT_LLM_PROVIDER", "fake")


def app() -> typer.Typer:
    a = typer.Typer()
    a.command()(cli_search.search)
    a.command("noop")(lambda: None)  # two commands, so `search` is addressed by name as it will be
    return a


def test_cli_prints_the_ranked_passages(project: str, cli_env: None) -> None:
    result = CliRunner().invoke(
        app(), ["search", "ERP 接口联调什么时候开始？", "--project", project, "-k", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "会议纪要-接口联调.txt" in result.output


def test_cli_filters_and_unknown_project(project: str, cli_env: None) -> None:
    result = CliRunner().invoke(app(), ["search", "REST work orders", "-p", project, "--type", "spec"])
    assert result.exit_code == 0, result.output
    assert "mes_interface_spec.md" in result.output and "会议纪要" not in result.output
    missing = CliRunner().invoke(app(), ["search", "ERP", "-p", "no-such-project"])
    assert missing.exit_code == 1
