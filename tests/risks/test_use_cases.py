"""One use case, one function (assistant.risks.service): the route and the CLI command store the same result
for the same input."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli_risks
from api.container import Container
from assistant.providers.fakes import ScriptedChatModel
from tests.risks.conftest import add_document, finding, findings
from tests.risks.test_scan import GATEWAY, GATEWAY_FINDING, PEOPLE, PEOPLE_FINDING

LATER = "PLC 网关交货延期到5月8日，IF-05 联调推迟，SIT 开始推迟。"
LATER_FINDING = finding(
    "PLC 网关交货延期到5月8日",
    "PLC 网关交货延期",
    event="IF-05 联调推迟",
    cause="网关交货晚",
    effect="SIT 开始推迟",
    probability=5,
    impact=4,
)


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(cli_risks.risks_app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def new_project(api: TestClient, name: str, api_container: Container) -> str:
    """A project with the same indexed document as every other (one document: a scan of the whole project
    reads documents in no set order, passages of one document in order)."""
    response = api.post("/projects", json={"name": name})
    assert response.status_code == 201, response.text
    project_id = response.json()["id"]
    add_document(api_container.sessions, project_id, "周例会纪要.txt", [GATEWAY, PEOPLE])
    return project_id


def stored(api: TestClient, project_id: str) -> list[dict[str, Any]]:
    """What the register holds, without ids of rows and times."""
    base = f"/projects/{project_id}/risks"
    out = []
    for item in api.get(base, params={"sort": "id"}).json()["items"]:
        risk = api.get(f"{base}/{item['id']}").json()
        keep = ("id", "title", "category", "status", "source", "probability", "impact", "cause", "event")
        out.append(
            {k: risk[k] for k in (*keep, "effect", "owner", "confidence", "person_fields")}
            | {
                "evidence": [(e["file_name"], e["quote"]) for e in risk["evidence"]],
                "actions": [(a["description"], a["owner"], a["source"]) for a in risk["actions"]],
                "history": [
                    (h["kind"], h["actor"], h["field"], h["old_value"], h["new_value"], h["note"])
                    for h in risk["history"]
                ],
            }
        )
    return out


def scripted_scans(chat: ScriptedChatModel, scan: Any, api_container: Container, project_id: str) -> None:
    """Scan the whole project twice: two new drafts (one LLM call per passage), then a later document that adds
    to the first."""
    chat.enqueue(findings(GATEWAY_FINDING), findings(PEOPLE_FINDING | {"passage": 1}))
    scan()
    add_document(api_container.sessions, project_id, "周报.txt", [LATER])
    chat.enqueue(findings(LATER_FINDING))
    scan()


def test_a_scan_from_the_route_and_the_cli_stores_the_same_risks(
    api: TestClient, api_container: Container, chat: ScriptedChatModel, cli_container: Container
) -> None:
    by_route = new_project(api, "从接口扫描", api_container)
    by_cli = new_project(api, "从命令行扫描", api_container)

    def route_scan() -> None:
        response = api.post(f"/projects/{by_route}/risks/scan")
        assert response.status_code == 200, response.text

    scripted_scans(chat, route_scan, api_container, by_route)
    scripted_scans(chat, lambda: run_cli("scan", "-p", by_cli), api_container, by_cli)

    from_route, from_cli = stored(api, by_route), stored(api, by_cli)
    assert from_cli == from_route
    assert [(r["title"], r["category"], r["status"]) for r in from_route] == [
        ("PLC 网关交货延期", "schedule", "draft"),
        ("关键人员离职", "resource", "draft"),
    ]
    gateway = from_route[0]
    assert [quote for _, quote in gateway["evidence"]] == [
        "HK-GW200 网关交货日期为5月8日",
        "PLC 网关交货延期到5月8日",
    ]
    assert [h[0] for h in gateway["history"]] == ["created", "action", "evidence", "changed", "changed"]
    assert (gateway["probability"], gateway["effect"]) == (5, "SIT 开始推迟")


def test_an_export_from_the_route_and_the_cli_is_the_same_file(
    api: TestClient, api_container: Container, chat: ScriptedChatModel, cli_container: Container
) -> None:
    project_id = new_project(api, "导出", api_container)
    chat.enqueue(findings(GATEWAY_FINDING), findings(PEOPLE_FINDING | {"passage": 1}))
    assert api.post(f"/projects/{project_id}/risks/scan").status_code == 200
    filters = {"status": "draft,open", "band": "high"}
    by_route = api.get(f"/projects/{project_id}/risks/export", params={"format": "csv"} | filters)
    result = CliRunner().invoke(
        cli_risks.risks_app,
        ["export", "-p", project_id, "-f", "csv", "--status", "draft,open", "--band", "high"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == by_route.content
    assert by_route.content.decode("utf-8-sig").count("RSK-") == 2  # both drafts are 12 or 16: high
