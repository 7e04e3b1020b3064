"""The traceability matrix of a small fictional logistics project (TMS + WMS + ERP), through the API and the CLI:
requirements from an uploaded spec, a ready plan, a risk and 5-Why analyses linked to requirements."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from api import cli_common
from api.cli import app as cli
from api.container import Container
from assistant.db import transaction
from assistant.five_why import repository as five_why_store
from assistant.plans import facts
from assistant.plans import repository as plans
from assistant.plans.facts import Interface, PlanContent
from assistant.plans.models import Plan
from assistant.providers.embeddings import HashingEmbeddings
from assistant.settings import Settings
from assistant.traceability.exports import COLUMNS, LABELS
from tests.api.test_access import bearer, make_key
from tests.api.test_projects_documents import make_project, upload

# Two versions of one spec: the later one rewords FR-013. Every requirement is stated twice, once per version.
SPEC_V1 = """# 顺达物流 TMS/WMS 集成需求规格说明书

## 2 功能需求

REQ-001 WMS 应在出库单确认后 2 分钟内通过 REST 接口将发货信息推送至 TMS。优先级：高

REQ-002 承运商平台应通过 SFTP 上传运单对账文件。

FR-012 TMS 应每 15 分钟回传运费结算数据（接口 IF-03）。

FR-013 系统应提供运输轨迹查询。
"""
SPEC_V2 = SPEC_V1.replace("FR-013 系统应提供运输轨迹查询。", "FR-013 系统宜提供运输轨迹的地图查询。")

# The plan: four interfaces, one of which (IF-04) no requirement names; two integration tests.
INTERFACES = [
    Interface(id="IF-01", source="仓储管理系统(WMS)", target="TMS", protocol="REST", data="发货信息"),
    Interface(id="IF-02", source="承运商平台", target="TMS", protocol="SFTP/file", data="运单对账文件"),
    Interface(id="IF-03", source="TMS", target="ERP", protocol="SOAP/WebService", data="运费结算"),
    Interface(id="IF-04", source="TMS", target="短信平台", protocol="HTTP", data="到货短信"),
]
TESTS = [
    facts.TestItem(
        id="T-IT-01",
        level=facts.TestLevel.integration,
        title="WMS→TMS 发货信息联调",
        requirements=["REQ-001"],
        interfaces=["IF-01"],
        acceptance="出库确认后 2 分钟内 TMS 收到发货信息",
    ),
    facts.TestItem(
        id="T-IT-03", level=facts.TestLevel.integration, title="运费结算回传", requirements=["FR-12"]
    ),
]


def add_plan(container: Container, project_id: str, *, status: str = "ready", title: str = "集成方案") -> str:
    content = PlanContent(interfaces=INTERFACES, tests=TESTS)
    with transaction(container.sessions) as session:
        plan = plans.add_plan(
            session,
            plan=Plan(
                id=plans.new_plan_id(),
                project_id=project_id,
                title=title,
                language="zh",
                status=status,
                content=content.model_dump(mode="json"),
                created_by="tester",
            ),
        )
        return plan.id


def add_analysis(container: Container, project_id: str, statement: str, root_need: str, restated: str) -> str:
    result = {
        "whys": [],
        "stop_reason": None,
        "root_need": root_need,
        "requirements": [{"text": restated, "acceptance_criteria": [], "score": 90, "findings": []}],
        "solutions": [],
        "open_questions": [],
        "confidence": 0.5,
    }
    with transaction(container.sessions) as session:
        row = five_why_store.save_analysis(
            session,
            project_id=project_id,
            statement=statement,
            context=None,
            language="zh",
            result=result,
            actor="tester",
        )
        return row.id


@pytest.fixture
def logistics(client: TestClient, container: Container) -> dict[str, str]:
    pid = make_project(client, "顺达物流 TMS 集成")
    job = upload(
        client,
        pid,
        ("2026-03-01_需求规格说明书_v1.md", SPEC_V1.encode()),
        ("2026-04-01_需求规格说明书_v2.md", SPEC_V2.encode()),
    )
    assert {f["status"] for f in job["files"]} == {"indexed"}, job
    v2 = next(f["document_id"] for f in job["files"] if "v2" in f["file_name"])
    risk = client.post(
        f"/projects/{pid}/risks",
        json={
            "title": "ERP 结算接口厂商未确认",
            "probability": 4,
            "impact": 4,
            "linked_requirements": ["FR-12"],
        },
    )
    assert risk.status_code == 201, risk.text
    plan_id = add_plan(container, pid)
    restates = add_analysis(
        container,
        pid,
        "客户总是催问货物发出没有",
        "及时掌握发货状态，减少客户催单",
        "WMS 应在出库单确认后 2 分钟内通过 REST 接口将发货信息推送至 TMS。",
    )
    mentions = add_analysis(
        container, pid, "FR-013 的轨迹查询是否必要", "客户自助查询在途货物", "系统应支持轨迹查询。"
    )
    return {
        "project": pid,
        "plan": plan_id,
        "v2": v2,
        "risk": risk.json()["id"],
        "restates": restates,
        "mentions": mentions,
    }


def test_the_matrix_traces_each_requirement_once_with_links_and_gaps(
    client: TestClient, logistics: dict[str, str]
) -> None:
    r = client.get(f"/projects/{logistics['project']}/traceability")
    assert r.status_code == 200, r.text
    matrix = r.json()
    rows = {row["requirement_id"]: row for row in matrix["rows"]}
    # Each requirement once although both versions of the spec state it, in natural id order.
    assert [row["requirement_id"] for row in matrix["rows"]] == ["FR-012", "FR-013", "REQ-001", "REQ-002"]
    assert matrix["total"] == 4 and matrix["plan_id"] == logistics["plan"] and matrix["language"] == "zh"
    # The later document's wording wins, and its file is the source.
    assert rows["FR-013"]["requirement"] == "系统宜提供运输轨迹的地图查询。"
    assert rows["FR-013"]["source"]["document_id"] == logistics["v2"]
    assert rows["FR-013"]["source"]["file_name"] == "2026-04-01_需求规格说明书_v2.md"
    assert rows["FR-013"]["source"]["quote"] == rows["FR-013"]["requirement"]

    # Interfaces: both systems and the protocol (REQ-001), one system and the protocol (REQ-002), the id.
    assert rows["REQ-001"]["interfaces"] == ["IF-01"]
    assert rows["REQ-002"]["interfaces"] == ["IF-02"]
    assert rows["FR-012"]["interfaces"] == ["IF-03"]
    assert rows["FR-013"]["interfaces"] == []
    # Tests by the ids they cover, however written (FR-12 is FR-012).
    assert rows["REQ-001"]["tests"] == ["T-IT-01"] and rows["FR-012"]["tests"] == ["T-IT-03"]
    assert [row["status"] for row in matrix["rows"]] == [
        "test_planned",
        "identified",
        "test_planned",
        "designed",
    ]
    # Gaps: no test; no acceptance criterion (no test states one, the stored ones are skeletons).
    assert rows["REQ-001"]["gaps"] == [] and rows["REQ-001"]["acceptance_criteria"] == [TESTS[0].acceptance]
    # FR-012's test states no criterion, but its statement is measurable ("每 15 分钟"): it is its own.
    assert rows["FR-012"]["gaps"] == [] and rows["FR-012"]["acceptance_criteria"] == [
        rows["FR-012"]["requirement"]
    ]
    assert rows["FR-013"]["gaps"] == ["no_test", "no_acceptance"]
    assert rows["REQ-002"]["gaps"] == ["no_test", "no_acceptance"]
    assert [g["interface_id"] for g in matrix["interface_gaps"]] == ["IF-04"]
    assert matrix["interface_gaps"][0]["gap"] == "no_requirement"

    # Risks whose linked requirements name it, however written; 5-Why root needs.
    assert [x["risk_id"] for x in rows["FR-012"]["risks"]] == [logistics["risk"]]
    assert rows["FR-012"]["risks"][0]["band"] == "high"
    assert [n["analysis_id"] for n in rows["REQ-001"]["needs"]] == [logistics["restates"]]
    assert [n["analysis_id"] for n in rows["FR-013"]["needs"]] == [logistics["mentions"]]
    assert rows["REQ-002"]["needs"] == [] and rows["REQ-002"]["risks"] == []
    # Priority as stated, else from the modal verb: 应 (an obligation) high, 宜 (a wish) low.
    assert rows["REQ-001"]["priority"] == "high" and rows["FR-013"]["priority"] == "low"


def test_csv_has_the_columns_of_a_traceability_matrix(client: TestClient, logistics: dict[str, str]) -> None:
    r = client.get(f"/projects/{logistics['project']}/traceability", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith(
        f'attachment; filename="{logistics["project"]}-traceability-'
    )
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head, body = lines[0], lines[1:]
    assert head[:8] == ["编号", "需求描述", "来源", "优先级", "状态", "验收标准", "关联接口/设计", "测试用例"]
    assert head[8:] == ["关联风险", "根本需求", "缺口"]
    by_id = {line[0]: dict(zip(head, line, strict=True)) for line in body}
    assert set(by_id) == {"FR-012", "FR-013", "REQ-001", "REQ-002", "IF-04"}
    assert by_id["REQ-001"]["关联接口/设计"] == "IF-01" and by_id["REQ-001"]["测试用例"] == "T-IT-01"
    assert by_id["REQ-001"]["优先级"] == "高" and by_id["REQ-001"]["状态"] == "已规划测试"
    assert by_id["REQ-002"]["缺口"] == "无测试覆盖\n无验收标准"
    assert by_id["FR-012"]["关联风险"].startswith(logistics["risk"])
    assert by_id["FR-013"]["来源"].startswith("2026-04-01_需求规格说明书_v2.md")
    # The interface no requirement names is a gap line of its own, the requirement's columns empty.
    assert by_id["IF-04"]["需求描述"] == "" and by_id["IF-04"]["缺口"] == "接口无对应需求"
    assert "TMS → 短信平台" in by_id["IF-04"]["关联接口/设计"]


def test_xlsx_reads_back_with_the_matrix_and_the_interface_gaps(
    client: TestClient, logistics: dict[str, str]
) -> None:
    r = client.get(f"/projects/{logistics['project']}/traceability", params={"format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [LABELS["matrix"][0], LABELS["interface_gaps"][0]]
    ws = wb[LABELS["matrix"][0]]
    assert [c.value for c in ws[1]] == [LABELS[c][0] for c in COLUMNS] and ws.freeze_panes == "B2"
    json_rows = client.get(f"/projects/{logistics['project']}/traceability").json()["rows"]
    assert [ws.cell(n, 1).value for n in range(2, ws.max_row + 1)] == [
        row["requirement_id"] for row in json_rows
    ]
    gaps = wb[LABELS["interface_gaps"][0]]
    assert [c.value for c in gaps[2]][:1] == ["IF-04"] and gaps.max_row == 2


def test_without_a_ready_plan_every_requirement_lacks_a_test(
    client: TestClient, container: Container, logistics: dict[str, str]
) -> None:
    pid = logistics["project"]
    with transaction(container.sessions) as session:
        plans.delete_plan(session, plan=plans.get_plan(session, project_id=pid, plan_id=logistics["plan"]))
    add_plan(container, pid, status="drafting", title="还在起草")
    matrix = client.get(f"/projects/{pid}/traceability").json()
    assert matrix["plan_id"] is None and matrix["interface_gaps"] == []
    assert all("no_test" in row["gaps"] and row["interfaces"] == [] for row in matrix["rows"])
    # FR-012 still mentions IF-03, but with no plan there is no interface to name.


def test_an_english_project_gets_english_headers(client: TestClient) -> None:
    pid = make_project(client, "Harbor hospital LIS")
    spec = b"# LIS integration spec\n\nREQ-7 The HIS shall send lab orders to the LIS over HL7 within 2 seconds.\n"
    upload(client, pid, ("lis-spec.md", spec))
    matrix = client.get(f"/projects/{pid}/traceability").json()
    assert matrix["language"] == "en" and [r["requirement_id"] for r in matrix["rows"]] == ["REQ-7"]
    text = client.get(f"/projects/{pid}/traceability", params={"format": "csv"}).content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(LABELS[c][1] for c in COLUMNS)


def test_viewers_may_read_it_other_projects_are_not_found_and_reads_are_audited(
    client: TestClient, logistics: dict[str, str]
) -> None:
    pid = logistics["project"]
    other = make_project(client, "Another project")
    viewer = bearer(make_key(client, "viewer", projects=[pid], owner="wei"))
    with TestClient(client.app) as anonymous:
        assert anonymous.get(f"/projects/{pid}/traceability", headers=viewer).status_code == 200
        csv_r = anonymous.get(f"/projects/{pid}/traceability?format=csv", headers=viewer)
        assert csv_r.status_code == 200
        assert anonymous.get(f"/projects/{other}/traceability", headers=viewer).status_code == 404
        assert anonymous.get(f"/projects/{pid}/traceability").status_code == 401
    assert client.get("/projects/no-such-project/traceability").status_code == 404
    assert client.get(f"/projects/{pid}/traceability", params={"format": "pdf"}).status_code == 422
    audit = client.get("/audit", params={"project": pid}).json()["items"]
    seen = {(a["actor"], a["route"], a["status"]) for a in audit}
    assert ("wei", "/projects/{project}/traceability", 200) in seen


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Each command opens (and closes) its own container over the test's database."""
    monkeypatch.setattr(
        cli_common, "make_container", lambda: Container(settings, embeddings=HashingEmbeddings())
    )
    return settings


def test_the_cli_writes_the_matrix(cli_settings: Settings, logistics: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "matrix.xlsx"
    result = CliRunner().invoke(
        cli, ["trace", "-p", logistics["project"], "--format", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[0] == LABELS["matrix"][0]
    result = CliRunner().invoke(cli, ["trace", "-p", logistics["project"], "--format", "csv"])
    assert result.exit_code == 0 and "REQ-001" in result.stdout
    result = CliRunner().invoke(cli, ["trace", "-p", logistics["project"], "--format", "xlsx"])
    assert result.exit_code != 0  # a binary file needs --output
    result = CliRunner().invoke(cli, ["trace", "-p", "no-such-project"])
    assert result.exit_code == 1
