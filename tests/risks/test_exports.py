from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.risks import edits, exports, register_exports, service
from assistant.risks import repository as repo
from assistant.risks.exports import COLUMNS, ExportFormat
from assistant.risks.models import RiskEvidence
from assistant.risks.schemas import ActionCreate, RiskCreate, RiskUpdate
from assistant.risks.scoring import Band
from assistant.risks.settings import RiskSettings

RS = RiskSettings()
ON = dt.date(2026, 4, 15)


@pytest.fixture
def register(sessions: sessionmaker[Session], project_id: str) -> str:
    with transaction(sessions) as session:
        first = edits.create_risk(
            session,
            project_id=project_id,
            data=RiskCreate(
                title='=HYPERLINK("http://evil.example","点击")',
                cause="厂商 | 未书面确认\n第二行",
                probability=4,
                impact=5,
                residual_probability=2,
                residual_impact=3,
                owner="周涛",
                category="vendor",
                next_review=dt.date(2026, 4, 1),
                actions=[
                    ActionCreate(description="书面确认 API v4.0", owner="周涛", due_date=dt.date(2026, 3, 25))
                ],
            ),
            actor="王磊",
            settings=RS,
        )
        repo.add_evidence(
            session,
            evidence=RiskEvidence(
                risk_id=first.id,
                project_id=project_id,
                document_id="doc_1",
                file_name="2026-03-16_interface-workshop-minutes.md",
                page=2,
                quote="Werkwelt has not yet confirmed API v4.0",
                quote_hash="h1",
                added_by="assistant",
            ),
        )
        edits.create_risk(
            session,
            project_id=project_id,
            data=RiskCreate(
                title="User adoption of 报工 screen", probability=2, impact=2, category="user_adoption"
            ),
            actor="王磊",
            settings=RS,
        )
    return project_id


def run(
    sessions: sessionmaker[Session], project_id: str, fmt: ExportFormat, **query: object
) -> exports.Exported:
    with transaction(sessions) as session:
        return service.export(
            session,
            project_id=project_id,
            fmt=fmt,
            query=repo.RiskQuery(**query),
            on=ON,
        )  # type: ignore[arg-type]


def test_csv_has_every_column_computed_values_and_defused_formulas(
    sessions: sessionmaker[Session], register: str
) -> None:
    out = run(sessions, register, ExportFormat.csv)
    assert out.content.startswith("\ufeff".encode()) and out.media_type.startswith("text/csv")
    assert out.file_name == f"{register}-risks-2026-04-15.csv"
    rows = list(csv.DictReader(io.StringIO(out.content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 2
    top = rows[0]
    assert top["id"] == "RSK-0001" and top["title"].startswith("'=HYPERLINK")
    assert (top["score"], top["band"], top["residual_score"], top["residual_band"]) == (
        "20",
        "critical",
        "6",
        "medium",
    )
    assert top["cause"] == "厂商 | 未书面确认\n第二行" and top["overdue"] == "yes"
    assert top["mitigation_actions"] == "书面确认 API v4.0 (周涛, 2026-03-25, planned)"
    assert top["evidence_count"] == "1"


def test_exports_take_the_list_filters(sessions: sessionmaker[Session], register: str) -> None:
    out = run(sessions, register, ExportFormat.csv, bands=(Band.low,))
    rows = list(csv.DictReader(io.StringIO(out.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["RSK-0002"]


def test_xlsx_keeps_text_as_text(sessions: sessionmaker[Session], register: str) -> None:
    out = run(sessions, register, ExportFormat.xlsx)
    wb = load_workbook(io.BytesIO(out.content))
    assert wb.sheetnames == ["Risks", "Actions", "Evidence", "Heat map"]
    ws = wb["Risks"]
    header = [c.value for c in ws[1]]
    assert header == list(COLUMNS)
    title = ws.cell(2, header.index("title") + 1)
    assert (
        title.value.startswith("=HYPERLINK") and title.data_type == "s"
    )  # stored as a string, not a formula
    assert ws.cell(2, header.index("score") + 1).value == 20
    assert ws.cell(2, header.index("band") + 1).fill.fgColor.rgb.endswith("F4B6B6")
    assert [c.value for c in wb["Actions"][2]][:3] == ["RSK-0001", "书面确认 API v4.0", "周涛"]
    assert wb["Evidence"].cell(2, 5).value == "Werkwelt has not yet confirmed API v4.0"
    heat = wb["Heat map"]
    values = [[c.value for c in row] for row in heat.iter_rows(min_row=2, max_row=7)]
    assert values[0][0].startswith("probability") and values[2][:6] == [4, 0, 0, 0, 0, 1]  # P4 x I5 before


def test_markdown_report_escapes_table_cells(sessions: sessionmaker[Session], register: str) -> None:
    text = run(sessions, register, ExportFormat.md).content.decode()
    assert text.startswith("# Risk register: 华东精密 ERP+MES")
    row = next(line for line in text.splitlines() if line.startswith("| RSK-0001"))
    assert row.count(" | ") == 10  # eleven columns, the quote's own pipe escaped
    assert "2026-04-01 (overdue)" in row and "6 (medium)" in row
    assert "厂商 \\| 未书面确认 第二行" in text
    assert (
        "> Werkwelt has not yet confirmed API v4.0 (2026-03-16_interface-workshop-minutes.md, page 2)" in text
    )
    assert "1 -> 0" in text and "By band: critical 1, low 1." in text


def test_jira_csv_imports_one_issue_per_risk(sessions: sessionmaker[Session], register: str) -> None:
    out = run(sessions, register, ExportFormat.jira)
    assert not out.content.startswith("\ufeff".encode()) and out.file_name.endswith(".jira.csv")
    rows = list(csv.reader(io.StringIO(out.content.decode("utf-8"))))
    header, issues = rows[0], rows[1:]
    assert header[:5] == ["Summary", "Issue Type", "Priority", "Due Date", "Description"]
    assert header[5:] == ["Labels"] * 4 and len(issues) == 2
    first = dict(zip(header[:5], issues[0][:5], strict=True))
    assert first["Summary"].startswith("[RSK-0001] =HYPERLINK") and "\n" not in first["Summary"]
    assert (first["Issue Type"], first["Priority"], first["Due Date"]) == ("Task", "Highest", "2026-04-01")
    assert "*Probability x impact:* 4 x 5 = 20 (critical)" in first["Description"]
    assert "bq. Werkwelt has not yet confirmed API v4.0" in first["Description"]
    labels = issues[0][5:]
    assert labels == ["risk-register", "risk-vendor", "band-critical", "status-open"]
    assert all(" " not in label for row in issues for label in row[5:])
    assert issues[1][2] == "Low" and all(len(r[0]) <= 255 for r in issues)


def test_long_titles_are_cut_for_jira(sessions: sessionmaker[Session], project_id: str) -> None:
    with transaction(sessions) as session:
        edits.create_risk(
            session,
            project_id=project_id,
            data=RiskCreate(title="-" + "长" * 299, probability=1, impact=1),
            actor="a",
            settings=RS,
        )
    rows = list(csv.reader(io.StringIO(run(sessions, project_id, ExportFormat.jira).content.decode())))
    assert len(rows[1][0]) == 255 and rows[1][0].startswith("[RSK-0001] -")
    rows = list(
        csv.reader(io.StringIO(run(sessions, project_id, ExportFormat.csv).content.decode("utf-8-sig")))
    )
    assert rows[1][1].startswith("'-")


def test_an_empty_register_exports_cleanly(sessions: sessionmaker[Session], project_id: str) -> None:
    for fmt in ExportFormat:
        out = run(sessions, project_id, fmt)
        assert out.content
    text = run(sessions, project_id, ExportFormat.md).content.decode()
    assert "0 risks" in text


def test_pmo_workbook_carries_the_register_columns_in_chinese(
    sessions: sessionmaker[Session], register: str
) -> None:
    with transaction(sessions) as session:
        edits.update_risk(
            session,
            project_id=register,
            ref="RSK-0001",
            data=RiskUpdate(
                version=1, response="escalate", planned_close=dt.date(2026, 5, 25), affected="M3 接口联调"
            ),
            actor="王磊",
            settings=RS,
        )
    out = run(sessions, register, ExportFormat.pmo)
    assert out.file_name.endswith(".register.xlsx")
    wb = load_workbook(io.BytesIO(out.content))
    ws = wb["风险登记册"]
    assert "风险登记册" in ws["A1"].value and "风险总数：2" in ws["A2"].value
    header = [c.value for c in ws[4]]
    for name in (
        "风险类别",
        "触发条件",
        "应对策略",
        "责任人",
        "识别日期",
        "计划关闭日期",
        "受影响的 WBS/里程碑",
    ):
        assert name in header
    row = dict(zip(header, (c.value for c in ws[5]), strict=True))
    assert row["风险编号"] == "RSK-0001" and row["风险类别"] == "供应商/第三方"
    assert (row["应对策略"], row["计划关闭日期"], row["受影响的 WBS/里程碑"]) == (
        "上报",
        "2026-05-25",
        "M3 接口联调",
    )
    assert (
        row["风险名称"].startswith("=HYPERLINK") and ws.cell(5, header.index("风险名称") + 1).data_type == "s"
    )
    assert (
        row["风险等级"] == register_exports.BAND_ZH[Band.critical.value] and row["责任人"] == "周涛"
    )  # 4 x 5
    evidence = [c.value for c in wb["风险依据"][2]]
    assert evidence[0] == "RSK-0001" and "API v4.0" in evidence[4]


def test_zentao_csv_uses_zentao_risk_fields_and_list_labels(
    sessions: sessionmaker[Session], register: str
) -> None:
    with transaction(sessions) as session:
        edits.update_risk(
            session,
            project_id=register,
            ref="RSK-0001",
            data=RiskUpdate(version=1, response="escalate"),
            actor="王磊",
            settings=RS,
        )
    text = run(sessions, register, ExportFormat.zentao).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(register_exports.ZENTAO_COLUMNS)
    vendor = next(r for r in rows if "HYPERLINK" in r["风险名称"])
    # ZenTao has no 上报 strategy: blank in 策略, said in 处理措施 so nothing is lost.
    assert (vendor["类型"], vendor["策略"], vendor["状态"], vendor["优先级"]) == ("管理类", "", "开放", "高")
    assert vendor["处理措施"].startswith("应对策略：上报") and "书面确认 API v4.0" in vendor["处理措施"]
    assert (vendor["影响程度"], vendor["发生概率"], vendor["风险系数"]) == ("5", "4", "20")
    assert vendor["来源"] == "供应商-外包" and vendor["指派给"] == "周涛"
    adoption = next(r for r in rows if "报工" in r["风险名称"])
    assert (adoption["类型"], adoption["优先级"]) == ("业务类", "低")
