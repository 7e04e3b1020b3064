"""Integration plans over HTTP, end to end on a fictional logistics project (WMS, TMS, ERP): documents in, a plan
out whose stated items quote their documents verbatim; model down means 503 and no plan; locks, roles, other
projects, redrafts and exports as a user meets them."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

from docx import Document as DocxDocument
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli_common
from api.cli import app as cli
from api.container import Container
from api.main import create_app
from assistant.plans.evidence import every_quote
from assistant.plans.schemas import PlanDetail
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from tests.api.test_access import bearer, make_key
from tests.api.test_projects_documents import make_project, upload
from tests.conftest import make_settings, wait_for_job

MINUTES = """# 接口评审会议纪要

日期：2026年4月7日
参会：物流公司信息部、WMS 厂商、TMS 厂商

| 接口编号 | 源系统 | 目标系统 | 协议 | 数据 | 频率 | 负责人 |
|---|---|---|---|---|---|---|
| IF-01 | WMS | TMS | REST | 出库单 | 每15分钟 | 张伟 |
| IF-02 | TMS | WMS | Kafka | 运单状态 | 实时 | 李娜 |

决议：SIT 测试于2026年5月11日开始，5月29日结束。UAT 于2026年6月8日开始。
"""
MAIL = """From: 王强 <wang@example.com>
To: 项目组 <team@example.com>
Subject: RE: 上线安排
Date: Mon, 20 Apr 2026 10:00:00 +0800
Content-Type: text/plain; charset=utf-8

各位：

灰度上线分两步：2026年6月22日先切换华东仓，2026年7月6日全部仓库上线。
如果出库单同步失败率超过2%持续30分钟，立即回滚到旧系统。

王强
"""
WEEKLY = """# 周例会纪要

日期：2026年5月6日

接口清单更新（以本表为准）：

| 接口编号 | 源系统 | 目标系统 | 协议 | 数据 | 频率 | 负责人 |
|---|---|---|---|---|---|---|
| IF-01 | WMS | TMS | REST | 出库单 | 每5分钟 | 张伟 |
| IF-03 | WMS | ERP | SFTP | 库存日结 | 每日 | 陈晨 |
"""
FILES = {
    "2026-04-07_接口评审会议纪要.md": MINUTES,
    "2026-04-20_RE_上线安排.eml": MAIL,
}
# One reply fits both calls: the test-prose call reads `tests`, the gaps call the rest.
REPLY = {
    "tests": [],
    "rollback_procedure": "停止新接口推送，恢复旧系统出库单流程，补录切换期间的单据。",
    "rollback_time_limit": None,
    "passage": None,
    "quote": None,
    "open_questions": ["UAT 由哪些仓库的业务人员参加？"],
}


def drafted(client: TestClient, pid: str, **body: object) -> PlanDetail:
    resp = client.post(f"/projects/{pid}/plans", json=body)
    assert resp.status_code == 202, resp.text
    accepted = resp.json()
    assert set(accepted) == {"plan_id", "job_id"}
    job = wait_for_job(client, accepted["job_id"])
    assert job["status"] == "done", job
    plan = client.get(f"/projects/{pid}/plans/{accepted['plan_id']}")
    assert plan.status_code == 200
    return PlanDetail.model_validate(plan.json())


def logistics(client: TestClient, chat_model: ScriptedChatModel) -> str:
    chat_model.default_reply = json.dumps(REPLY, ensure_ascii=False)
    pid = make_project(client, "华南物流 WMS-TMS 集成")
    upload(client, pid, *((name, text.encode()) for name, text in FILES.items()))
    return pid


def test_a_plan_is_drafted_from_the_documents_with_verbatim_evidence(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    pid = logistics(client, chat_model)
    plan = drafted(client, pid)
    assert plan.status == "ready" and plan.language == "zh" and plan.version >= 1
    # The plan existed from the request on, drafting; the job wrote it whole.
    assert [(h.kind, h.new_value) for h in plan.history[:2]] == [
        ("created", "drafting"),
        ("drafted", "ready"),
    ]
    assert plan.draft_stats is not None and plan.draft_stats.llm_calls == len(chat_model.history)
    # The catalogue comes from the minutes' table; every stated item quotes its document word for word.
    ids = {i.id for i in plan.interfaces}
    assert {"IF-01", "IF-02"} <= ids
    texts = dict(FILES)
    quotes = every_quote(plan)
    assert quotes and all(q.quote in texts[q.file_name] for q in quotes), [
        (q.file_name, q.quote) for q in quotes if q.quote not in texts[q.file_name]
    ]
    assert all(i.evidence for i in plan.interfaces if not i.proposed)
    # An integration test for every interface; what the model wrote is a proposal.
    covered = {i for t in plan.tests if t.level == "integration" for i in t.interfaces}
    assert covered == ids
    assert plan.cutover.rollback_procedure_proposed and plan.cutover.rollback_procedure
    assert "UAT 由哪些仓库的业务人员参加？" in [q.question for q in plan.open_questions]
    # Few calls: the draft of a small project is two short ones at most.
    assert 1 <= len(chat_model.history) <= 2
    listed = client.get(f"/projects/{pid}/plans").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == plan.id


def test_a_project_without_documents_gets_open_questions_not_an_invented_catalogue(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    pid = make_project(client, "Retail POS rollout")
    plan = drafted(client, pid, title="POS plan", language="en")
    assert plan.title == "POS plan" and plan.language == "en"
    assert plan.interfaces == [] and plan.systems == [] and plan.phases == [] and plan.tests == []
    assert plan.open_questions and "no indexed documents" in plan.open_questions[0].question
    assert chat_model.history == []


def test_model_unavailable_is_503_and_leaves_no_plan(tmp_path: Path) -> None:
    # The local model whose file is missing: what a machine without the set-up's model sees.
    settings = make_settings(
        tmp_path, llm_provider="local", llm_model_path=tmp_path / "missing.gguf", auth="off"
    )
    container = Container(settings, embeddings=HashingEmbeddings())
    try:
        with TestClient(create_app(container=container)) as c:
            pid = make_project(c, "Hospital HIS")
            resp = c.post(f"/projects/{pid}/plans", json={})
            assert resp.status_code == 503, resp.text
            assert "unavailable" in resp.json()["detail"] or "missing" in resp.json()["detail"]
            assert c.get(f"/projects/{pid}/plans").json()["total"] == 0
            assert c.get(f"/projects/{pid}/jobs").json()["total"] == 0
    finally:
        container.close()


def test_a_stale_edit_is_409_and_a_redraft_keeps_the_persons_edit_and_suggests(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    pid = logistics(client, chat_model)
    plan = drafted(client, pid)
    url = f"/projects/{pid}/plans/{plan.id}"
    interfaces = [i.model_dump(mode="json") for i in plan.interfaces]
    for item in interfaces:
        if item["id"] == "IF-02":
            item["owner"] = "赵敏"
    resp = client.patch(url, json={"version": plan.version, "interfaces": interfaces})
    assert resp.status_code == 200, resp.text
    edited = resp.json()
    assert edited["version"] > plan.version and edited["person_fields"] == ["interfaces"]
    last = edited["history"][-1]
    assert last["kind"] == "changed" and last["field"] == "interfaces" and "赵敏" in last["new_value"]
    stale = client.patch(url, json={"version": plan.version, "title": "x"})
    assert stale.status_code == 409 and f"version {edited['version']}" in stale.json()["detail"]

    upload(client, pid, ("2026-05-06_周例会纪要.md", WEEKLY.encode()))
    resp = client.post(f"{url}/redraft")
    assert resp.status_code == 202, resp.text
    assert wait_for_job(client, resp.json()["job_id"])["status"] == "done"
    after = client.get(url).json()
    by_id = {i["id"]: i for i in after["interfaces"]}
    assert by_id["IF-02"]["owner"] == "赵敏"  # the person's edit stands
    assert "IF-03" in by_id and by_id["IF-03"]["evidence"]  # newly stated, with its evidence
    pending = [s for s in after["suggestions"] if s["status"] == "pending"]
    assert any(s["field"] == "interfaces" and s["item_key"] == "IF-01" for s in pending), after["suggestions"]
    one = pending[0]
    refused = client.post(f"{url}/suggestions/{one['id']}/reject", json={"version": after["version"] - 1})
    assert refused.status_code == 409
    taken = client.post(f"{url}/suggestions/{one['id']}/accept", json={"version": after["version"]})
    assert taken.status_code == 200, taken.text
    assert taken.json()["history"][-1]["kind"] == "accepted"


def test_roles_and_projects_bound_what_a_key_does_with_plans(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    pid = logistics(client, chat_model)
    plan = drafted(client, pid)
    url = f"/projects/{pid}/plans/{plan.id}"
    with TestClient(client.app) as anonymous:
        viewer = bearer(make_key(client, "viewer"))
        assert anonymous.get(url, headers=viewer).status_code == 200
        refused = anonymous.patch(url, json={"version": plan.version, "title": "x"}, headers=viewer)
        assert refused.status_code == 403 and "manager" in refused.json()["detail"]
        assert anonymous.post(f"/projects/{pid}/plans", json={}, headers=viewer).status_code == 403
        assert anonymous.delete(url, headers=viewer).status_code == 403
    other = make_project(client, "另一个项目")
    missing = client.get(f"/projects/{other}/plans/{plan.id}")
    assert missing.status_code == 404 and plan.id in missing.json()["detail"]
    assert (
        client.patch(f"/projects/{other}/plans/{plan.id}", json={"version": plan.version}).status_code == 404
    )
    assert client.delete(f"/projects/{other}/plans/{plan.id}").status_code == 404
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_a_plan_exports_as_a_word_file_that_opens(client: TestClient, chat_model: ScriptedChatModel) -> None:
    pid = logistics(client, chat_model)
    plan = drafted(client, pid)
    resp = client.get(f"/projects/{pid}/plans/{plan.id}/export", params={"format": "docx"})
    assert resp.status_code == 200 and "attachment" in resp.headers["content-disposition"]
    doc = DocxDocument(io.BytesIO(resp.content))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"IF-01", "IF-02"} <= cells
    md = client.get(f"/projects/{pid}/plans/{plan.id}/export", params={"format": "md"})
    assert md.status_code == 200 and "IF-01" in md.text
    assert client.get(f"/projects/{pid}/plans/{plan.id}/export", params={"format": "pdf"}).status_code == 422


def test_every_plans_operation_is_described(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operations = [op for path, ops in paths.items() if "/plans" in path for op in ops.values()]
    assert len(operations) == 9
    assert all(op.get("summary") and op.get("description") for op in operations)


def test_the_command_line_drafts_lists_shows_and_exports(
    tmp_path: Path,
    monkeypatch: object,
    client: TestClient,
    container: Container,
    chat_model: ScriptedChatModel,
) -> None:
    pid = logistics(client, chat_model)
    monkeypatch.setattr(  # type: ignore[attr-defined]
        cli_common,
        "make_container",
        lambda: Container(container.settings, embeddings=HashingEmbeddings(), chat_model=chat_model),
    )
    runner = CliRunner()
    started = time.monotonic()
    drafted_out = runner.invoke(cli, ["plan", "draft", "-p", pid, "--wait"])
    assert drafted_out.exit_code == 0, drafted_out.output
    assert "IF-01" in drafted_out.stdout and time.monotonic() - started < 60
    listed = runner.invoke(cli, ["plan", "list", "-p", pid])
    plan_id = client.get(f"/projects/{pid}/plans").json()["items"][0]["id"]
    assert listed.exit_code == 0 and plan_id in listed.stdout
    shown = runner.invoke(cli, ["plan", "show", plan_id, "--json"])
    assert shown.exit_code == 0 and '"IF-02"' in shown.stdout
    out = tmp_path / "plan.docx"
    exported = runner.invoke(cli, ["plan", "export", plan_id, "--format", "docx", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert {"IF-01"} <= {c.text for t in DocxDocument(str(out)).tables for r in t.rows for c in r.cells}
    binary = runner.invoke(cli, ["plan", "export", plan_id, "--format", "xlsx"])
    assert binary.exit_code == 2 and "--output" in binary.output
