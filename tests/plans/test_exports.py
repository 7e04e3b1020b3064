"""Plan exports read back by the programs' own libraries: python-docx, openpyxl, and the Markdown text."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from assistant.plans import exports, facts
from assistant.plans.exports import EAST_ASIAN_FONT, LABELS, PlanExportFormat, label, plan_tables
from assistant.plans.facts import (
    Conflict,
    ConflictValue,
    Cutover,
    CutoverStage,
    Evidence,
    Handover,
    Interface,
    Milestone,
    OpenQuestion,
    Phase,
    PlanRequirement,
    PlanRisk,
    RollbackTrigger,
    System,
    Training,
)
from assistant.plans.schemas import PlanPublic, PlanStatus

NOW = dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC)


def ev(quote: str, file_name: str = "2026-03-02_接口评审纪要.md", page: int | None = None) -> Evidence:
    return Evidence(
        document_id="doc_" + file_name[:4], file_name=file_name, page=page, section="3.2", quote=quote
    )


def hospital_plan(language: str = "zh") -> PlanPublic:
    """A fictional hospital integration: HIS, LIS and PACS, one proposed interface and one undated phase."""
    return PlanPublic(
        id="plan_1",
        project_id="hospital",
        status=PlanStatus.ready,
        version=3,
        title="市立医院 HIS/LIS/PACS 集成方案",
        language=language,  # type: ignore[arg-type]
        created_at=NOW,
        updated_at=NOW,
        systems=[
            System(name="HIS", role="医院信息系统", owner="东软", evidence=[ev("HIS 由东软负责")]),
            System(name="LIS", role="检验信息系统", owner="迪安", evidence=[ev("LIS 厂商为迪安")]),
        ],
        interfaces=[
            Interface(
                id="IF-01",
                source="HIS",
                target="LIS",
                protocol="HL7 v2",
                data="检验申请单",
                frequency="实时",
                direction="HIS->LIS",
                owner="东软",
                evidence=[ev("IF-01 HIS 通过 HL7 v2 向 LIS 发送检验申请", page=4)],
            ),
            Interface(
                id="IF-02",
                source="PACS",
                target="HIS",
                protocol="DICOM | WADO",
                data="影像报告",
                frequency="每 5 分钟",
                direction="PACS->HIS",
                owner=None,
                evidence=[ev("IF-02 PACS 每 5 分钟回传影像报告")],
            ),
            Interface(id="IF-G1", source="LIS", target="HIS", protocol="REST", data="=危急值", proposed=True),
        ],  # fmt: skip
        phases=[
            Phase(
                name="需求细化",
                start=dt.date(2026, 3, 1),
                end=dt.date(2026, 3, 31),
                deliverables=["需求清单"],
                milestones=[
                    Milestone(name="需求评审", date=dt.date(2026, 3, 20), deliverables=["需求规格说明书"])
                ],
                evidence=[ev("需求细化 3月1日至3月31日")],
            ),
            Phase(
                name="测试: SIT/UAT",
                start=dt.date(2026, 4, 1),
                end=None,
                milestones=[Milestone(name="UAT 通过", date=dt.date(2026, 5, 15), deliverables=["UAT 报告"])],
            ),
            Phase(name="培训移交", proposed=True),
        ],  # fmt: skip
        milestones=[Milestone(name="上线验收", date=dt.date(2026, 7, 1), deliverables=["验收报告"])],
        tests=[
            facts.TestItem(
                id="T-IT-01",
                level=facts.TestLevel.integration,
                title="HIS→LIS 检验申请联调",
                requirements=["REQ-007"],
                interfaces=["IF-01"],
                acceptance="申请单 2 秒内到达 LIS",
                proposed=True,
            ),
            facts.TestItem(
                id="T-UAT-01", level=facts.TestLevel.uat, title="门诊检验全流程", requirements=["FR-012"]
            ),
        ],  # fmt: skip
        cutover=Cutover(
            stages=[
                CutoverStage(
                    name="灰度一：门诊",
                    scope="门诊楼",
                    date=dt.date(2026, 6, 1),
                    entry_criteria="UAT 通过",
                    exit_criteria="7 天无 P1 故障",
                    observation_period="7 天",
                    evidence=[ev("先在门诊楼灰度，观察 7 天")],
                )
            ],
            rollback_triggers=[
                RollbackTrigger(
                    condition="接口失败率",
                    threshold="> 0.5%",
                    action="回滚到旧接口",
                    evidence=[ev("接口失败率超过 0.5% 即回滚")],
                )
            ],
            rollback_procedure="切回旧版 HIS 接口服务",
            rollback_procedure_proposed=True,
            rollback_time_limit="30 分钟",
        ),  # fmt: skip
        training=[Training(audience="检验科", content="新申请单流程", date=dt.date(2026, 5, 25))],
        handover=[Handover(document="接口说明书", to="信息科")],
        risks=[
            PlanRisk(risk_id=1, title="LIS 厂商接口延期", band="high"),
            PlanRisk(risk_id=12, ref="RSK-0012", title="=cmd|' /C calc'!A0", band=None),
        ],
        requirements=[PlanRequirement(requirement_id="REQ-007", text="HIS 应实时向 LIS 发送检验申请。")],
        open_questions=[OpenQuestion(question="IF-02 的负责人是谁？", about="IF-02")],
        conflicts=[
            Conflict(
                field="milestone UAT 通过 date",
                values=[
                    ConflictValue(
                        value="2026-05-10", document_id="d1", file_name="周报1.md", quote="UAT 5月10日"
                    ),
                    ConflictValue(
                        value="2026-05-15", document_id="d2", file_name="周报2.md", quote="UAT 5月15日"
                    ),
                ],
                chosen="2026-05-15",
            )
        ],
    )


def _header_keys(keys: list[str], language: str) -> list[str]:
    return [label(k, language) for k in keys]


def test_docx_has_real_tables_with_the_plans_rows_and_a_cjk_font() -> None:
    plan = hospital_plan("zh")
    doc = Document(io.BytesIO(exports.render_docx(plan)))
    tables = {tuple(c.text for c in t.rows[0].cells): t for t in doc.tables}
    expected = {t.key: t for t in plan_tables(plan)}

    interfaces = tables[tuple(expected["interfaces"].header)]
    body = [[c.text for c in row.cells] for row in interfaces.rows[1:]]
    assert [r[0] for r in body] == [i.id for i in plan.interfaces]
    assert body[1][3] == "DICOM | WADO" and body[0][1:3] == ["HIS", "LIS"]
    assert "第4页" in body[0][-1] and "2026-03-02_接口评审纪要.md" in body[0][-1]
    assert body[0][-1].endswith("“IF-01 HIS 通过 HL7 v2 向 LIS 发送检验申请”")
    assert body[2][-1].startswith(LABELS["proposal"][0])  # the proposed interface says so

    for key, count in (
        ("phases", len(plan.phases)),
        ("phases", len(plan.phases)),
        ("milestones", 3),
        ("tests", len(plan.tests)),
        ("stages", 1),
        ("rollback_triggers", 1),
        ("risks", len(plan.risks)),
    ):
        assert len(tables[tuple(expected[key].header)].rows) == count + 1, key
    risks = [[c.text for c in r.cells] for r in tables[tuple(expected["risks"].header)].rows[1:]]
    assert [r[0] for r in risks] == ["RSK-0001", "RSK-0012"] and risks[0][2] == "高"
    levels = [r.cells[1].text for r in tables[tuple(expected["tests"].header)].rows[1:]]
    assert levels == ["集成测试", "用户验收测试（UAT）"]  # codes in the plan's language
    phases = [[c.text for c in r.cells] for r in tables[tuple(expected["phases"].header)].rows[1:]]
    assert phases[0][:4] == ["需求细化", "2026-03-01", "2026-03-31", "需求清单"]
    trigger = [c.text for c in tables[tuple(expected["rollback_triggers"].header)].rows[1].cells]
    assert trigger[:3] == ["接口失败率", "> 0.5%", "回滚到旧接口"]

    for style in ("Normal", "Heading 1", "Title"):
        fonts = doc.styles[style].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in (EAST_ASIAN_FONT, exports.EAST_ASIAN_HEADING_FONT), style
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the named one
        assert fonts.get(qn("w:ascii")) == exports.LATIN_FONT
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == EAST_ASIAN_FONT
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert label("interfaces", "zh") in headings and label("open_questions", "zh") in headings
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{LABELS['proposal_short'][0]} 切回旧版 HIS 接口服务" in text and "30 分钟" in text


def test_xlsx_has_one_sheet_per_table_with_a_frozen_styled_header() -> None:
    plan = hospital_plan("zh")
    wb = load_workbook(io.BytesIO(exports.render_xlsx(plan)))
    tables = plan_tables(plan)
    assert wb.sheetnames == [label(t.key, "zh") for t in tables]
    assert len(set(wb.sheetnames)) == len(tables)
    for table in tables:
        ws = wb[label(table.key, "zh")]
        assert [c.value for c in ws[1]] == table.header
        assert ws.max_row == len(table.rows) + 1, table.key
        assert ws.freeze_panes == "B2" and ws["A1"].font.b
        assert ws["A1"].fill.fgColor.rgb.endswith(exports.HEADER_FILL)
    ws = wb[label("interfaces", "zh")]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == [i.id for i in plan.interfaces]
    data = ws.cell(4, 5)
    assert data.value == "=危急值" and data.data_type == "s"  # text from a document never runs as a formula
    assert ws.column_dimensions["I"].width > ws.column_dimensions["A"].width  # the evidence column is wider
    milestones = wb[label("milestones", "zh")]
    assert milestones.cell(2, 3).value.date() == dt.date(2026, 3, 20)  # a real date, not text
    assert [milestones.cell(4, c).value for c in (1, 2)] == [None, "上线验收"]  # no phase holds it


def test_markdown_has_a_gantt_of_every_phase_and_marks_proposals() -> None:
    plan = hospital_plan("zh")
    md = exports.render_markdown(plan)
    block = re.search(r"```mermaid\n(gantt\n.*?)```", md, re.S)
    assert block is not None
    gantt = block.group(1)
    assert "dateFormat YYYY-MM-DD" in gantt
    dated = [p for p in plan.phases if p.start or p.end or any(m.date for m in p.milestones)]
    for phase in dated:
        assert f"section {exports._mermaid_name(phase.name)}" in gantt
    # The SIT/UAT phase has no end: its bar ends with its last milestone (Mermaid's end is exclusive).
    assert "测试 SIT/UAT :p2, 2026-04-01, 2026-05-16" in gantt
    assert "需求细化 :p1, 2026-03-01, 2026-04-01" in gantt
    assert "需求评审 :milestone, m1_1, 2026-03-20, 0d" in gantt
    # a milestone no phase holds has a section of its own
    assert "section 里程碑\n    上线验收 :milestone, m0_1, 2026-07-01, 0d" in gantt
    assert not any(":" in line.split(" :")[0] for line in gantt.splitlines()[4:])  # names cannot break syntax
    undated = [p.name for p in plan.phases if p not in dated]
    assert undated == ["培训移交"] and "培训移交" not in gantt
    assert f"{label('not_in_chart', 'zh')}: 培训移交" in md

    for key in ("systems", "interfaces", "tests", "stages", "rollback_triggers", "risks", "conflicts"):
        assert label(key, "zh") in md, key
    row = next(line for line in md.splitlines() if line.startswith("| IF-02"))
    assert "DICOM \\| WADO" in row and row.count(" | ") == 8  # nine columns, the cell's own pipe escaped
    assert (
        next(line for line in md.splitlines() if line.startswith("| IF-G1")).count(LABELS["proposal"][0]) == 1
    )
    assert "2026-03-02_接口评审纪要.md, 第4页, §3.2: “IF-01 HIS 通过 HL7 v2 向 LIS 发送检验申请”" in md
    assert "周报1.md" in md and "2026-05-15" in md


def test_an_english_plan_has_english_labels_only() -> None:
    plan = hospital_plan("en")
    md = exports.render_markdown(plan)
    assert "Interface catalogue" in md and "| ID | Source | Target | Protocol |" in md
    zh_labels = {zh for zh, _ in LABELS.values()}
    assert not any(f"## {zh}" in md or f"| {zh} |" in md for zh in zh_labels)
    wb = load_workbook(io.BytesIO(exports.render_xlsx(plan)))
    assert "Interface catalogue" in wb.sheetnames and "接口清单" not in wb.sheetnames
    doc = Document(io.BytesIO(exports.render_docx(plan)))
    assert doc.tables[0].rows[0].cells[0].text == "Name"


def test_an_empty_plan_exports_cleanly() -> None:
    plan = PlanPublic(
        id="p", project_id="x", status=PlanStatus.ready, version=1, title="Empty", language="en",
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    md = exports.render_markdown(plan)
    assert md.count(label("none", "en")) == len(plan_tables(plan))
    assert "```mermaid" not in md and label("no_dates", "en") in md  # no empty chart
    assert Document(io.BytesIO(exports.render_docx(plan))).tables == []
    assert len(load_workbook(io.BytesIO(exports.render_xlsx(plan))).sheetnames) == len(plan_tables(plan))


@pytest.mark.parametrize("fmt", list(PlanExportFormat))
def test_render_names_the_file_and_media_type(fmt: PlanExportFormat) -> None:
    out = exports.render(hospital_plan(), fmt)
    assert out.file_name == f"hospital-plan-plan_1-v3.{fmt.value}" and out.content
    assert out.media_type == exports.MEDIA_TYPES[fmt]
