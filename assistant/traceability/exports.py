"""The traceability matrix as a file: JSON (the API's body), CSV and XLSX with the columns of a 需求跟踪矩阵
(编号, 需求描述, 来源, 优先级, 状态, 验收标准, 关联接口/设计, 测试用例, plus 关联风险, 根本需求, 缺口), headed in the
matrix's language. Cells a spreadsheet would run as a formula follow the register's rule
(assistant/risks/exports.py): defused in CSV, stored as text in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill

from assistant.risks.exports import Exported, defuse
from assistant.risks.exports import _sheet as xlsx_sheet  # the register's text-stays-text sheet writer
from assistant.traceability.schemas import InterfaceGap, TraceabilityMatrix, TraceRow


class TraceFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


MEDIA_TYPES = {
    TraceFormat.json: "application/json",
    TraceFormat.csv: "text/csv; charset=utf-8",
    TraceFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Every text the files write that is not the project's own: key -> (zh, en).
LABELS: dict[str, tuple[str, str]] = {
    # the matrix's columns, in order
    "requirement_id": ("编号", "ID"),
    "requirement": ("需求描述", "Requirement"),
    "source": ("来源", "Source"),
    "priority": ("优先级", "Priority"),
    "status": ("状态", "Status"),
    "acceptance": ("验收标准", "Acceptance criteria"),
    "interfaces": ("关联接口/设计", "Interfaces / design"),
    "tests": ("测试用例", "Test cases"),
    "risks": ("关联风险", "Risks"),
    "needs": ("根本需求", "Root needs"),
    "gaps": ("缺口", "Gaps"),
    # the interface-gap sheet
    "interface_id": ("接口编号", "Interface"),
    "endpoints": ("源系统 → 目标系统", "Source → target"),
    "protocol": ("协议", "Protocol"),
    # sheet names
    "matrix": ("需求跟踪矩阵", "Traceability matrix"),
    "interface_gaps": ("未被需求覆盖的接口", "Interfaces no requirement names"),
    # values
    "priority_high": ("高", "high"),
    "priority_medium": ("中", "medium"),
    "priority_low": ("低", "low"),
    "status_identified": ("已识别", "identified"),
    "status_designed": ("已设计（有关联接口）", "designed (interface linked)"),
    "status_test_planned": ("已规划测试", "test planned"),
    "gap_no_test": ("无测试覆盖", "no test"),
    "gap_no_acceptance": ("无验收标准", "no acceptance criterion"),
    "gap_no_requirement": ("接口无对应需求", "no requirement names this interface"),
    "page": ("第{}页", "p. {}"),
}

COLUMNS = (
    "requirement_id", "requirement", "source", "priority", "status", "acceptance", "interfaces", "tests",
    "risks", "needs", "gaps",
)  # fmt: skip
GAP_COLUMNS = ("interface_id", "endpoints", "protocol", "gaps")
GAP_FILL = "F9D9A8"  # cells of the gap column that hold a gap
HEADER_FILL = "D9E2F3"
WIDTHS = {1: 12, 2: 60, 3: 30, 4: 8, 5: 16, 6: 50, 7: 24, 8: 20, 9: 36, 10: 36, 11: 24}


def label(key: str, language: str) -> str:
    zh, en = LABELS[key]
    return zh if language == "zh" else en


def header(language: str) -> list[str]:
    return [label(c, language) for c in COLUMNS]


def _where(row: TraceRow, language: str) -> str:
    src = row.source
    parts = [src.file_name or src.document_id or ""]
    if src.page is not None:
        parts.append(label("page", language).format(src.page))
    if src.section:
        parts.append(f"§{src.section}")
    return ", ".join(p for p in parts if p)


def row_cells(row: TraceRow, language: str) -> list[str]:
    """The row as the columns of COLUMNS; lists one item a line."""
    return [
        row.requirement_id,
        row.requirement,
        _where(row, language),
        label(f"priority_{row.priority.value}", language) if row.priority else "",
        label(f"status_{row.status.value}", language),
        "\n".join(row.acceptance_criteria),
        "\n".join(row.interfaces),
        "\n".join(row.tests),
        "\n".join(f"{r.risk_id} {r.title} ({r.band})" for r in row.risks),
        "\n".join(n.need for n in row.needs),
        "\n".join(label(f"gap_{g.value}", language) for g in row.gaps),
    ]


def _endpoints(gap: InterfaceGap) -> str:
    return f"{gap.source or '?'} → {gap.target or '?'}"


def gap_cells(gap: InterfaceGap, language: str) -> list[str]:
    return [gap.interface_id, _endpoints(gap), gap.protocol or "", label(f"gap_{gap.gap.value}", language)]


def to_csv(matrix: TraceabilityMatrix) -> bytes:
    """One line per requirement, then one per interface no requirement names: its id in the first column,
    its ends and protocol in the interfaces column, the gap in the last, the requirement's columns empty."""
    lang = matrix.language
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(lang))
    for row in matrix.rows:
        writer.writerow(defuse(c) for c in row_cells(row, lang))
    interfaces_col, gaps_col = COLUMNS.index("interfaces"), COLUMNS.index("gaps")
    for gap in matrix.interface_gaps:
        cells = [""] * len(COLUMNS)
        cells[0] = gap.interface_id
        cells[interfaces_col] = f"{gap.interface_id}: {_endpoints(gap)}" + (
            f" ({gap.protocol})" if gap.protocol else ""
        )
        cells[gaps_col] = label(f"gap_{gap.gap.value}", lang)
        writer.writerow(defuse(c) for c in cells)
    # The BOM makes Excel read the file as UTF-8; without it Chinese text arrives garbled.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(matrix: TraceabilityMatrix) -> bytes:
    """Sheet one: the matrix; sheet two: the interfaces no requirement names. Gap cells are shaded."""
    lang = matrix.language
    wb = Workbook()
    wb.remove(wb.active)
    sheets = (
        (label("matrix", lang), header(lang), [row_cells(r, lang) for r in matrix.rows], WIDTHS),
        (
            label("interface_gaps", lang),
            [label(c, lang) for c in GAP_COLUMNS],
            [gap_cells(g, lang) for g in matrix.interface_gaps],
            {1: 14, 2: 40, 3: 20, 4: 36},
        ),
    )
    for title, head, rows, widths in sheets:
        ws = xlsx_sheet(wb, title, head, rows, widths)
        for cell in ws[1]:
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
            if cells[-1].value:
                cells[-1].fill = PatternFill("solid", fgColor=GAP_FILL)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def render(matrix: TraceabilityMatrix, fmt: TraceFormat, *, on: dt.date) -> Exported:
    writers: dict[TraceFormat, Callable[[], bytes]] = {
        TraceFormat.json: lambda: matrix.model_dump_json(indent=2).encode("utf-8"),
        TraceFormat.csv: lambda: to_csv(matrix),
        TraceFormat.xlsx: lambda: to_xlsx(matrix),
    }
    name = f"{matrix.project_id}-traceability-{on.isoformat()}.{fmt.value}"
    return Exported(writers[fmt](), MEDIA_TYPES[fmt], name)
