from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from api import cli_risks
from api.container import Container
from assistant.db import transaction
from assistant.projects.repository import create_project
from assistant.providers.fakes import ScriptedChatModel
from assistant.risks import edits
from assistant.risks.schemas import RiskCreate
from assistant.risks.settings import RiskSettings
from tests.risks.conftest import add_document, finding, findings

runner = CliRunner()


@pytest.fixture
def cli_container(cli_container: Container, monkeypatch: pytest.MonkeyPatch) -> Container:
    """The CLI's container (conftest.py), a wide console and a project "demo" with one risk."""
    container = cli_container
    monkeypatch.setattr(cli_risks, "console", Console(width=200))
    with transaction(container.sessions) as session:
        create_project(session, name="demo")
        edits.create_risk(
            session,
            project_id="demo",
            settings=RiskSettings(scan_screen=False),
            actor="王磊",
            data=RiskCreate(
                title="等保测评与 UAT 重叠", probability=4, impact=4, owner="郑凯", next_review="2026-01-01"
            ),
        )
    return container


def test_list_and_show(cli_container: Container) -> None:
    listed = runner.invoke(cli_risks.risks_app, ["list", "-p", "demo", "--band", "high"])
    assert listed.exit_code == 0, listed.output
    assert "RSK-0001" in listed.output and "1 of 1 risks" in listed.output
    assert "0 of 0" in runner.invoke(cli_risks.risks_app, ["list", "-p", "demo", "--status", "closed"]).output
    shown = runner.invoke(cli_risks.risks_app, ["show", "RSK-0001", "-p", "demo"])
    assert shown.exit_code == 0 and "郑凯" in shown.output and "created" in shown.output
    missing = runner.invoke(cli_risks.risks_app, ["show", "RSK-0009", "-p", "demo"])
    assert missing.exit_code == 1 and "no risk" in missing.output
    bad = runner.invoke(cli_risks.risks_app, ["list", "-p", "demo", "--band", "huge"])
    assert bad.exit_code == 2


def test_export(cli_container: Container, tmp_path: Path) -> None:
    out = runner.invoke(cli_risks.risks_app, ["export", "-p", "demo", "--format", "jira"])
    assert out.exit_code == 0
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0][0] == "Summary" and rows[1][0].startswith("[RSK-0001]")
    target = tmp_path / "r.xlsx"
    assert (
        runner.invoke(
            cli_risks.risks_app, ["export", "-p", "demo", "-f", "xlsx", "-o", str(target)]
        ).exit_code
        == 0
    )
    assert load_workbook(target)["Risks"].cell(2, 1).value == "RSK-0001"
    assert runner.invoke(cli_risks.risks_app, ["export", "-p", "demo", "-f", "xlsx"]).exit_code == 2


def test_scan(cli_container: Container, chat: ScriptedChatModel) -> None:
    doc = add_document(
        cli_container.sessions,
        "demo",
        "周例会纪要.txt",
        ["PLC 网关延期：交货日期推迟到5月8日，联调可能推迟。"],
    )
    chat.enqueue(findings(finding("交货日期推迟到5月8日", "PLC 网关延期")))
    out = runner.invoke(cli_risks.risks_app, ["scan", "-p", "demo", "--document", doc])
    assert out.exit_code == 0, out.output
    assert "drafts_created" in out.output and "new drafts: RSK-0002" in out.output
    again = runner.invoke(cli_risks.risks_app, ["scan", "-p", "demo"])
    assert again.exit_code == 0
    line = next(x for x in again.output.splitlines() if "passages_already_scanned" in x)
    assert line.split("│")[2].strip() == "1"
