"""A plan as a file: Markdown (with a Mermaid Gantt of its phases), DOCX (real tables, CJK fonts set) and XLSX
(one sheet per table).

The three formats render the same tables, built once by ``plan_tables``, so they cannot disagree about what a
plan holds. Every label is taken from ``LABELS`` in the plan's language (zh or en). Items the assistant proposed
say so in their "basis" column; stated items carry their evidence there (file name, page/section, quote).
Spreadsheet cells follow the register's rule against formula injection (assistant/risks/exports.py).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.styles.style import BaseStyle
from docx.table import _Cell
from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill

from assistant.plans.facts import Evidence, Item, Milestone, Phase
from assistant.plans.schemas import PlanPublic
from assistant.risks.exports import Exported
from assistant.risks.exports import _sheet as xlsx_sheet  # the register's text-stays-text sheet writer
from assistant.risks.models import format_ref

Cell = str | dt.date | None

# Every text the exports write that is not the plan's own: key -> (zh, en).
LABELS: dict[str, tuple[str, str]] = {
    # sections and tables
    "systems": ("系统清单", "Systems"),
    "interfaces": ("接口清单", "Interface catalogue"),
    "schedule": ("进度计划", "Schedule"),
    "phases": ("阶段", "Phases"),
    "milestones": ("里程碑", "Milestones"),
    "tests": ("测试策略", "Test strategy"),
    "cutover": ("切换与灰度上线", "Cut-over and gray release"),
    "stages": ("灰度阶段", "Cut-over stages"),
    "rollback_triggers": ("回滚触发条件", "Rollback triggers"),
    "rollback_procedure": ("回滚步骤", "Rollback procedure"),
    "rollback_time_limit": ("回滚时限", "Rollback time limit"),
    "training": ("培训", "Training"),
    "handover": ("移交", "Hand-over"),
    "risks": ("关联风险", "Linked risks"),
    "requirements": ("关联需求", "Requirements"),
    "needs": ("根本需求（5-Why）", "Root needs (5-Why)"),
    "conflicts": ("文档间冲突", "Conflicts between documents"),
    "open_questions": ("待确认问题", "Open questions"),
    # columns
    "id": ("编号", "ID"),
    "name": ("名称", "Name"),
    "role": ("职责", "Role"),
    "owner": ("负责人/厂商", "Owner/vendor"),
    "source": ("源系统", "Source"),
    "target": ("目标系统", "Target"),
    "protocol": ("协议", "Protocol"),
    "data": ("数据", "Data"),
    "frequency": ("频率", "Frequency"),
    "direction": ("方向", "Direction"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "phase": ("阶段", "Phase"),
    "date": ("日期", "Date"),
    "deliverables": ("交付物", "Deliverables"),
    "level": ("测试级别", "Level"),
    "title": ("标题", "Title"),
    "requirement_ids": ("覆盖需求", "Requirements"),
    "interface_ids": ("覆盖接口", "Interfaces"),
    "acceptance": ("验收标准", "Acceptance criteria"),
    "scope": ("范围", "Scope"),
    "entry_criteria": ("进入条件", "Entry criteria"),
    "exit_criteria": ("退出条件", "Exit criteria"),
    "observation_period": ("观察期", "Observation period"),
    "condition": ("触发条件", "Condition"),
    "threshold": ("阈值", "Threshold"),
    "action": ("动作", "Action"),
    "audience": ("对象", "Audience"),
    "content": ("内容", "Content"),
    "document": ("文档/成果", "Document"),
    "to": ("接收方", "To"),
    "risk_id": ("风险编号", "Risk"),
    "band": ("等级", "Band"),
    "requirement_id": ("需求编号", "Requirement"),
    "text": ("描述", "Text"),
    "kind": ("类型", "Kind"),
    "analysis": ("分析编号", "Analysis"),
    "need": ("根本需求", "Root need"),
    "field": ("冲突项", "Field"),
    "values": ("各文档的值", "Values in the documents"),
    "chosen": ("采用值（较新文档）", "Value used (later document)"),
    "question": ("问题", "Question"),
    "about": ("涉及", "About"),
    "basis": ("依据", "Basis"),
    "requirements_and_needs": ("需求与根本需求", "Requirements and root needs"),
    # values the plan stores as codes
    "level_unit": ("单元测试", "Unit"),
    "level_integration": ("集成测试", "Integration"),
    "level_uat": ("用户验收测试（UAT）", "UAT"),
    "level_performance": ("性能测试", "Performance"),
    "level_security": ("安全测试", "Security"),
    "band_critical": ("极高", "critical"),
    "band_high": ("高", "high"),
    "band_medium": ("中", "medium"),
    "band_low": ("低", "low"),
    "status_drafting": ("起草中", "drafting"),
    "status_ready": ("已完成", "ready"),
    "status_failed": ("失败", "failed"),
    # words inside cells and lines
    "proposal": ("【提议】助手提出，文档未载明", "[Proposal] by the assistant, not stated in the documents"),
    "proposal_short": ("【提议】", "[Proposal]"),
    "page": ("第{}页", "p. {}"),
    "none": ("（无）", "(none)"),
    "status": ("状态", "Status"),
    "version": ("版本", "Version"),
    "language": ("语言", "Language"),
    "updated": ("更新于", "Updated"),
    "not_in_chart": ("未标日期、未列入甘特图的阶段", "Phases without dates, not in the chart"),
    "no_dates": (
        "文档未给出任何阶段或里程碑日期，无法绘制甘特图。",
        "No phase or milestone has a date: no chart.",
    ),
    "legend": (
        "说明：标有【提议】的条目由助手提出，文档中没有依据，请人工确认；其余条目均注明出处（文件、页码/章节、原文）。",
        "Items marked [Proposal] were proposed by the assistant and no document states them: confirm them. "
        "Every other item names its source (file, page/section, verbatim quote).",
    ),
}


def label(key: str, language: str) -> str:
    zh, en = LABELS[key]
    return zh if language == "zh" else en


def value_label(kind: str, value: str | None, language: str) -> str | None:
    """A stored code (test level, band, status) in words; a code the table does not know is shown as is."""
    if value is None:
        return None
    key = f"{kind}_{value}"
    return label(key, language) if key in LABELS else value


class PlanExportFormat(StrEnum):
    md = "md"
    docx = "docx"
    xlsx = "xlsx"


MEDIA_TYPES = {
    PlanExportFormat.md: "text/markdown; charset=utf-8",
    PlanExportFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PlanExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Fonts of the DOCX. The East Asian font is what Word and WPS use for Chinese characters: both ship 宋体 and
# 黑体 on every Chinese Windows, and WPS maps them on Linux and macOS. The Latin font stays a Latin one.
LATIN_FONT = "Calibri"
EAST_ASIAN_FONT = "宋体"
EAST_ASIAN_HEADING_FONT = "黑体"
HEADER_FILL = "D9E2F3"  # header rows of the DOCX and XLSX tables


# ---------------------------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Table:
    key: str  # a LABELS key: the table's title, and its sheet's name
    header: list[str]
    rows: list[list[Cell]]


def _text(value: Cell) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value


def _join(values: Iterable[str]) -> str:
    return ", ".join(v for v in values if v)


def evidence_text(e: Evidence, language: str) -> str:
    """'file.md, p. 2, §3.1: "quote"': where a reader finds the passage, and the passage itself."""
    where = [e.file_name or e.document_id]
    if e.page is not None:
        where.append(label("page", language).format(e.page))
    if e.section:
        where.append(f"§{e.section}")
    return f"{', '.join(where)}: “{e.quote}”"


def basis(item: Item, language: str) -> str:
    """The proposal marker for what the assistant proposed, then every piece of evidence."""
    parts = [label("proposal", language)] if item.proposed else []
    parts += [evidence_text(e, language) for e in item.evidence]
    return "\n".join(parts)


def _evidence_only(evidence: Sequence[Evidence], language: str) -> str:
    return "\n".join(evidence_text(e, language) for e in evidence)


def _marked(name: str, item: Item, language: str) -> str:
    """An item's name, prefixed by the proposal marker when the assistant proposed it."""
    return f"{label('proposal_short', language)} {name}" if item.proposed else name


def plan_tables(plan: PlanPublic) -> list[Table]:
    """Every table of the plan, in reading order; a table with no rows is still listed (header only)."""
    lang = plan.language

    def header(*keys: str) -> list[str]:
        return [label(k, lang) for k in keys]

    cut = plan.cutover
    milestones: list[tuple[str | None, Milestone]] = [
        (phase.name, m) for phase in plan.phases for m in phase.milestones
    ]
    milestones += [(None, m) for m in plan.milestones]  # those no phase holds
    return [
        Table(
            "systems",
            header("name", "role", "owner", "basis"),
            [[s.name, s.role, s.owner, basis(s, lang)] for s in plan.systems],
        ),
        Table(
            "interfaces",
            header("id", "source", "target", "protocol", "data", "frequency", "direction", "owner", "basis"),
            [
                [
                    i.id,
                    i.source,
                    i.target,
                    i.protocol,
                    i.data,
                    i.frequency,
                    i.direction,
                    i.owner,
                    basis(i, lang),
                ]
                for i in plan.interfaces
            ],
        ),
        Table(
            "phases",
            header("name", "start", "end", "deliverables", "basis"),
            [[p.name, p.start, p.end, "; ".join(p.deliverables), basis(p, lang)] for p in plan.phases],
        ),
        Table(
            "milestones",
            header("phase", "name", "date", "deliverables", "basis"),
            [[p, m.name, m.date, "; ".join(m.deliverables), basis(m, lang)] for p, m in milestones],
        ),
        Table(
            "tests",
            header("id", "level", "title", "requirement_ids", "interface_ids", "acceptance", "basis"),
            [
                [
                    t.id,
                    value_label("level", t.level.value, lang),
                    t.title,
                    _join(t.requirements),
                    _join(t.interfaces),
                    t.acceptance,
                    basis(t, lang),
                ]
                for t in plan.tests
            ],  # fmt: skip
        ),
        Table(
            "stages",
            header("name", "scope", "date", "entry_criteria", "exit_criteria", "observation_period", "basis"),
            [
                [
                    s.name,
                    s.scope,
                    s.date,
                    s.entry_criteria,
                    s.exit_criteria,
                    s.observation_period,
                    basis(s, lang),
                ]
                for s in cut.stages
            ],  # fmt: skip
        ),
        Table(
            "rollback_triggers",
            header("condition", "threshold", "action", "basis"),
            [[r.condition, r.threshold, r.action, basis(r, lang)] for r in cut.rollback_triggers],
        ),
        Table(
            "training",
            header("audience", "content", "date", "basis"),
            [[t.audience, t.content, t.date, basis(t, lang)] for t in plan.training],
        ),
        Table(
            "handover",
            header("document", "to", "basis"),
            [[h.document, h.to, basis(h, lang)] for h in plan.handover],
        ),
        Table(
            "risks",
            header("risk_id", "title", "band"),
            [
                [r.ref or format_ref(r.risk_id), r.title, value_label("band", r.band, lang)]
                for r in plan.risks
            ],
        ),
        Table(
            "requirements",
            header("requirement_id", "text", "kind", "basis"),
            [[r.requirement_id, r.text, r.kind, _evidence_only(r.evidence, lang)] for r in plan.requirements],
        ),
        Table(
            "needs",
            header("analysis", "need"),
            [[n.analysis_id, n.need] for n in plan.needs],
        ),
        Table(
            "conflicts",
            header("field", "values", "chosen"),
            [
                [
                    c.field,
                    "\n".join(
                        f"{v.value} ({_join([v.file_name, v.doc_date.isoformat() if v.doc_date else ''])}: "
                        f"“{v.quote}”)"
                        for v in c.values
                    ),
                    c.chosen,
                ]
                for c in plan.conflicts
            ],
        ),
        Table(
            "open_questions",
            header("question", "about"),
            [[q.question, q.about] for q in plan.open_questions],
        ),
    ]


# The document's outline: (heading key, tables under it); the tables' own titles are sub-headings when a
# section holds more than one.
OUTLINE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("systems", ("systems",)),
    ("interfaces", ("interfaces",)),
    ("schedule", ("phases", "milestones")),
    ("tests", ("tests",)),
    ("cutover", ("stages", "rollback_triggers")),
    ("training", ("training",)),
    ("handover", ("handover",)),
    ("risks", ("risks",)),
    ("requirements_and_needs", ("requirements", "needs")),
    ("conflicts", ("conflicts",)),
    ("open_questions", ("open_questions",)),
)


def _rollback_lines(plan: PlanPublic) -> list[tuple[str, str]]:
    """The cut-over's prose: (label, text), empty ones left out."""
    cut, lang = plan.cutover, plan.language
    lines = [
        (
            label("rollback_procedure", lang),
            f"{label('proposal_short', lang)} {cut.rollback_procedure}"
            if cut.rollback_procedure and cut.rollback_procedure_proposed
            else cut.rollback_procedure,
        ),
        (label("rollback_time_limit", lang), cut.rollback_time_limit),
        (label("basis", lang), _evidence_only(cut.evidence, lang)),
    ]
    return [(k, v) for k, v in lines if v]


def _meta(plan: PlanPublic) -> str:
    lang = plan.language
    return " · ".join(
        [
            f"{label('status', lang)}: {value_label('status', plan.status.value, lang)}",
            f"{label('version', lang)}: {plan.version}",
            f"{label('language', lang)}: {lang}",
            f"{label('updated', lang)}: {plan.updated_at.isoformat(timespec='minutes')}",
        ]
    )


# ------------------------------------------------------------------------------------------------ Markdown


def _md(value: Cell) -> str:
    """A table cell: pipes escaped, line breaks as <br>, so a quote cannot break the table."""
    text = _text(value).replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(line for line in text.replace("\r", "").split("\n"))


def _md_table(table: Table, language: str) -> list[str]:
    if not table.rows:
        return [label("none", language)]
    out = ["| " + " | ".join(_md(h) for h in table.header) + " |", "|" + "---|" * len(table.header)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in table.rows]
    return out


# Mermaid reads ':' as the end of a task's name, '#' and ';' as the start of a comment or a new statement.
_MERMAID_UNSAFE = re.compile(r"[:#;]")


def _mermaid_name(text: str) -> str:
    return " ".join(_MERMAID_UNSAFE.sub(" ", text).split()) or "-"


def _phase_span(phase: Phase) -> tuple[dt.date, dt.date] | None:
    """A phase's start and end, missing ones taken from its milestones' dates; None when nothing is dated."""
    known = [d for d in (phase.start, phase.end, *(m.date for m in phase.milestones)) if d is not None]
    if not known:
        return None
    start, end = phase.start or min(known), phase.end or max(known)
    return min(start, end), max(start, end)


@dataclass(frozen=True)
class Gantt:
    lines: list[str]  # the ``gantt`` block
    undated: list[str]  # phases with no date at all: not in the chart
    tasks: int  # bars and milestones drawn; 0: there is nothing to chart


def _milestone_lines(milestones: Sequence[Milestone], prefix: str, language: str) -> list[str]:
    return [
        f"    {_mermaid_name(_marked(m.name, m, language))} :milestone, {prefix}_{k}, {m.date.isoformat()}, 0d"
        for k, m in enumerate(milestones, start=1)
        if m.date is not None
    ]


def mermaid_gantt(plan: PlanPublic) -> Gantt:
    """The plan's phases and milestones as a Mermaid ``gantt`` block.

    A phase's bar runs from its start to its end; a missing end (or start) is taken from its milestones'
    dates, never invented: a phase with one known date is a one-day bar, one with none is left out of the
    chart and named below it. Milestones with a date are Mermaid milestones in their phase's section; those
    no phase holds have a section of their own.
    """
    lang = plan.language
    lines = [
        "gantt",
        f"    title {_mermaid_name(plan.title)}",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %Y-%m-%d",
    ]
    undated: list[str] = []
    tasks = 0
    for n, phase in enumerate(plan.phases, start=1):
        span = _phase_span(phase)
        if span is None:
            undated.append(phase.name)
            continue
        start, end = span
        name = _mermaid_name(_marked(phase.name, phase, lang))
        lines.append(f"    section {name}")
        # Mermaid's end date is exclusive; a phase that ends on its last day needs the day after.
        lines.append(f"    {name} :p{n}, {start.isoformat()}, {(end + dt.timedelta(days=1)).isoformat()}")
        milestones = _milestone_lines(phase.milestones, f"m{n}", lang)
        lines += milestones
        tasks += 1 + len(milestones)
    loose = _milestone_lines(plan.milestones, "m0", lang)
    if loose:
        lines += [f"    section {_mermaid_name(label('milestones', lang))}", *loose]
        tasks += len(loose)
    return Gantt(lines, undated, tasks)


def render_markdown(plan: PlanPublic) -> str:
    lang = plan.language
    tables = {t.key: t for t in plan_tables(plan)}
    out = [f"# {plan.title}", "", _meta(plan), "", f"> {label('legend', lang)}"]
    for section, keys in OUTLINE:
        out += ["", f"## {label(section, lang)}"]
        if section == "schedule":
            gantt = mermaid_gantt(plan)
            if gantt.tasks:
                out += ["", "```mermaid", *gantt.lines, "```"]
                if gantt.undated:
                    out += ["", f"{label('not_in_chart', lang)}: {', '.join(gantt.undated)}"]
            else:
                out += ["", label("no_dates", lang)]
        for key in keys:
            if len(keys) > 1:
                out += ["", f"### {label(key, lang)}"]
            out += ["", *_md_table(tables[key], lang)]
        if section == "cutover":
            for name, text in _rollback_lines(plan):
                out += ["", f"**{name}:** {_md(text)}"]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------------- DOCX


def _set_fonts(rpr: etree._Element, east_asian: str) -> None:
    """Explicit fonts on a run-properties element: theme fonts would override them, so they go."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = etree.SubElement(rpr, qn("w:rFonts"))
        rpr.remove(fonts)
        rpr.insert(0, fonts)  # rFonts comes first in CT_RPr's sequence
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _style_fonts(style: BaseStyle, east_asian: str) -> None:
    _set_fonts(style.element.get_or_add_rPr(), east_asian)


def _use_cjk_fonts(document: DocxDocument, language: str) -> None:
    """The East Asian font on the document defaults and every style the export uses, the Latin one kept."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is not None:
        _set_fonts(rpr, EAST_ASIAN_FONT)
        lang_el = rpr.find(qn("w:lang"))
        if lang_el is not None:
            # Word picks fonts for ambiguous characters (quotes, dashes) by this language.
            lang_el.set(qn("w:eastAsia"), "zh-CN")
            lang_el.set(qn("w:val"), "zh-CN" if language == "zh" else "en-US")
    _style_fonts(styles["Normal"], EAST_ASIAN_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _style_fonts(styles[name], EAST_ASIAN_HEADING_FONT)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = etree.SubElement(tc_pr, qn("w:shd"))
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)


def _docx_table(document: DocxDocument, table: Table) -> None:
    t = document.add_table(rows=1, cols=len(table.header))
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, table.header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        _shade(cell, HEADER_FILL)
    for row in table.rows:
        for cell, value in zip(t.add_row().cells, row, strict=True):
            cell.text = _text(value)


def render_docx(plan: PlanPublic) -> bytes:
    lang = plan.language
    document = Document()
    _use_cjk_fonts(document, lang)
    document.styles["Normal"].font.size = Pt(10.5)  # 五号, the usual body size of Chinese documents
    tables = {t.key: t for t in plan_tables(plan)}
    document.add_heading(plan.title, level=0)
    document.add_paragraph(_meta(plan))
    document.add_paragraph(label("legend", lang))
    for section, keys in OUTLINE:
        document.add_heading(label(section, lang), level=1)
        if section == "schedule":
            undated = mermaid_gantt(plan).undated
            if undated:
                document.add_paragraph(f"{label('not_in_chart', lang)}: {', '.join(undated)}")
        for key in keys:
            if len(keys) > 1:
                document.add_heading(label(key, lang), level=2)
            if tables[key].rows:
                _docx_table(document, tables[key])
            else:
                document.add_paragraph(label("none", lang))
        if section == "cutover":
            for name, text in _rollback_lines(plan):
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{name}: ").bold = True
                paragraph.add_run(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------- XLSX

_MAX_WIDTH = 60
_MIN_WIDTH = 8


def _display_width(value: Cell) -> int:
    """Columns Excel needs for the longest line: a Chinese character is two columns wide."""
    lines = _text(value).split("\n") or [""]
    return max(sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in lines)


def column_widths(table: Table) -> dict[int, int]:
    widths: dict[int, int] = {}
    for col, head in enumerate(table.header, start=1):
        longest = max([_display_width(head), *(_display_width(row[col - 1]) for row in table.rows)])
        widths[col] = max(_MIN_WIDTH, min(_MAX_WIDTH, longest + 2))
    return widths


def render_xlsx(plan: PlanPublic) -> bytes:
    """One sheet per table, named in the plan's language; header row bold, shaded and frozen."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in plan_tables(plan):
        ws = xlsx_sheet(wb, label(table.key, plan.language), table.header, table.rows, column_widths(table))
        for cell in ws[1]:
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ one call


def file_name(plan: PlanPublic, fmt: PlanExportFormat) -> str:
    return f"{plan.project_id}-plan-{plan.id}-v{plan.version}.{fmt.value}"


def render(plan: PlanPublic, fmt: PlanExportFormat) -> Exported:
    """The plan in one format, with its media type and a file name."""
    writers: dict[PlanExportFormat, Callable[[], bytes]] = {
        PlanExportFormat.md: lambda: render_markdown(plan).encode("utf-8"),
        PlanExportFormat.docx: lambda: render_docx(plan),
        PlanExportFormat.xlsx: lambda: render_xlsx(plan),
    }
    return Exported(writers[fmt](), MEDIA_TYPES[fmt], file_name(plan, fmt))
