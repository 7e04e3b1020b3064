"""Exports of the register: CSV, XLSX, Markdown, a CSV that Jira's CSV importer takes as issues, the 风险登记册
workbook a Chinese PMO hands round (``pmo``), and a CSV in the shape of ZenTao's risk list (``zentao``).

Every text here came from a document or a person, so cells that a spreadsheet would run as a formula are
defused (OWASP "CSV injection"), and the XLSX writer stores them as plain strings.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy.orm import Session

from assistant.risks import repository as repo
from assistant.risks.schemas import ActionPublic, EvidencePublic, HeatMap, RiskPublic
from assistant.risks.views import public_list


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    md = "md"
    jira = "jira"
    pmo = "pmo"
    zentao = "zentao"


MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.jira: "text/csv; charset=utf-8",
    ExportFormat.zentao: "text/csv; charset=utf-8",
    ExportFormat.pmo: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.md: "text/markdown; charset=utf-8",
    ExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {
    ExportFormat.csv: "csv",
    ExportFormat.jira: "jira.csv",
    ExportFormat.zentao: "zentao.csv",
    ExportFormat.pmo: "register.xlsx",
    ExportFormat.md: "md",
    ExportFormat.xlsx: "xlsx",
}

COLUMNS = (
    "id", "title", "type", "category", "status", "probability", "impact", "score", "band",
    "residual_probability", "residual_impact", "residual_score", "residual_band", "owner", "response",
    "cause", "event", "effect", "contingency", "trigger", "next_review", "identified_on", "planned_close",
    "affected", "overdue", "source", "confidence",
    "evidence_count", "mitigation_actions", "linked_requirements", "linked_interfaces", "created_by",
    "created_at", "updated_at", "version",
)  # fmt: skip

JIRA_PRIORITY = {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}
JIRA_ISSUE_TYPE = "Task"  # present in every Jira project template; "Risk" exists only where an admin added it
JIRA_SUMMARY_MAX = 255
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BAND_FILLS = {"critical": "F4B6B6", "high": "F9D9A8", "medium": "FFF2B3", "low": "D5ECD4"}


@dataclass
class ExportRisk:
    risk: RiskPublic
    actions: list[ActionPublic]
    evidence: list[EvidencePublic]


@dataclass
class Exported:
    content: bytes
    media_type: str
    file_name: str


def collect(session: Session, *, project_id: str, query: repo.RiskQuery, on: dt.date) -> list[ExportRisk]:
    """Every risk matching ``query`` (limit/offset ignored) with its actions and evidence."""
    everything = dataclasses.replace(query, limit=1_000_000, offset=0)
    risks, _ = repo.list_risks(session, project_id=project_id, query=everything, today=on)
    out = []
    for risk, public in zip(risks, public_list(session, risks, on=on), strict=True):
        out.append(
            ExportRisk(
                risk=public,
                actions=[ActionPublic.model_validate(a) for a in repo.risk_actions(session, risk_id=risk.id)],
                evidence=[
                    EvidencePublic.model_validate(e) for e in repo.risk_evidence(session, risk_id=risk.id)
                ],
            )
        )
    return out


def defuse(value: str) -> str:
    """A leading apostrophe keeps Excel and LibreOffice from evaluating the cell as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _action_line(a: ActionPublic) -> str:
    extra = ", ".join(x for x in (a.owner, a.due_date.isoformat() if a.due_date else None, a.status) if x)
    return f"{a.description} ({extra})" if extra else a.description


def _cell(row: ExportRisk, column: str) -> Any:
    r = row.risk
    if column == "mitigation_actions":
        return "; ".join(_action_line(a) for a in row.actions)
    value = getattr(r, column)
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def to_csv(rows: list[ExportRisk]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(defuse(_text(_cell(row, c))) for c in COLUMNS)
    # The BOM makes Excel read the file as UTF-8, without it Chinese text arrives garbled.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _narrative(r: RiskPublic, *, with_owner: bool = False) -> list[tuple[str, str]]:
    """The free-text fields worth a line, in reading order; empty ones are left out."""
    fields = [("Owner", r.owner)] if with_owner else []
    fields += [
        ("Cause", r.cause),
        ("Event", r.event),
        ("Effect", r.effect),
        ("Response", r.response),
        ("Contingency", r.contingency),
        ("Trigger", r.trigger),
    ]
    return [(label, value) for label, value in fields if value]


def _where(e: EvidencePublic) -> str:
    return (e.file_name or e.document_id or "") + (f", page {e.page}" if e.page is not None else "")


def _jira_description(row: ExportRisk) -> str:
    r = row.risk
    lines = [
        f"*Risk register id:* {r.id}",
        f"*Category:* {r.category}  *Status:* {r.status.value}  *Source:* {r.source}",
        f"*Probability x impact:* {r.probability} x {r.impact} = {r.score} ({r.band.value})",
    ]
    if r.residual_score is not None:
        lines.append(f"*Residual:* {r.residual_probability} x {r.residual_impact} = {r.residual_score}")
    lines += [f"*{label}:* {value}" for label, value in _narrative(r, with_owner=True)]
    if row.actions:
        lines.append("h4. Mitigation actions")
        lines.extend(f"* {_action_line(a)}" for a in row.actions)
    if row.evidence:
        lines.append("h4. Evidence")
        for e in row.evidence:
            where = _where(e)
            lines.append(f"bq. {e.quote} -- {where}")
    return "\n".join(lines)


def _label(value: str) -> str:
    # Jira labels cannot hold spaces.
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in value.strip().lower())


def to_jira_csv(rows: list[ExportRisk]) -> bytes:
    """One issue per risk. Import with Jira's CSV importer: map Summary, Issue Type, Priority, Description,
    Due Date (format yyyy-MM-dd) and the repeated Labels columns. No BOM: Jira would read it into the first
    header."""
    labels = 4
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Summary", "Issue Type", "Priority", "Due Date", "Description", *(["Labels"] * labels)])
    for row in rows:
        r = row.risk
        summary = " ".join(f"[{r.id}] {r.title}".split())[:JIRA_SUMMARY_MAX]
        tags = [
            "risk-register",
            _label(f"risk-{r.category}"),
            _label(f"band-{r.band.value}"),
            _label(f"status-{r.status.value}"),
        ]
        writer.writerow(
            [
                defuse(summary),
                JIRA_ISSUE_TYPE,
                JIRA_PRIORITY[r.band.value],
                r.next_review.isoformat() if r.next_review else "",
                defuse(_jira_description(row)),
                *tags[:labels],
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _md(value: Any) -> str:
    """A table cell: pipes escaped, line breaks flattened, so a quote cannot break the table."""
    return _text(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def to_markdown(rows: list[ExportRisk], *, project_name: str, heat: HeatMap | None, on: dt.date) -> bytes:
    bands: dict[str, int] = {}
    for row in rows:
        bands[row.risk.band.value] = bands.get(row.risk.band.value, 0) + 1
    out = [f"# Risk register: {_md(project_name)}", "", f"Exported {on.isoformat()}; {len(rows)} risks."]
    if rows:
        out.append("By band: " + ", ".join(f"{b} {bands[b]}" for b in JIRA_PRIORITY if b in bands) + ".")
    out += [
        "",
        "| ID | Title | Status | Category | P | I | Score | Band | Residual | Owner | Next review |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        r = row.risk
        review = (r.next_review.isoformat() + (" (overdue)" if r.overdue else "")) if r.next_review else ""
        residual = f"{r.residual_score} ({r.residual_band.value})" if r.residual_band else ""
        cells = (r.id, r.title, r.status.value, r.category, r.probability, r.impact, r.score, r.band.value,
                 residual, r.owner, review)  # fmt: skip
        out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    if heat is not None and heat.total:
        out += ["", "## Heat map (count of risks; rows probability 5 to 1, columns impact 1 to 5)", ""]
        out += ["| P \\ I | 1 | 2 | 3 | 4 | 5 |", "|---|---|---|---|---|---|"]
        for p in range(5, 0, -1):
            counts = [
                f"{heat.inherent[p - 1][i]} -> {heat.residual[p - 1][i]}" if heat.inherent[p - 1][i] or
                heat.residual[p - 1][i] else "" for i in range(5)
            ]  # fmt: skip
            out.append(f"| {p} | " + " | ".join(counts) + " |")
        out.append("")
        out.append("Each cell: before mitigation -> after mitigation.")
    for row in rows:
        r = row.risk
        out += ["", f"## {r.id} {_md(r.title)}", ""]
        out += [f"- **{label}:** {_md(value)}" for label, value in _narrative(r)]
        if row.actions:
            out.append("- **Mitigation actions:**")
            out.extend(f"  - {_md(_action_line(a))}" for a in row.actions)
        for e in row.evidence:
            out.append(f"> {_md(e.quote)} ({_md(_where(e))})")
            out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]], widths: dict[int, int]) -> Any:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in rows:
        ws.append([_xlsx_value(v) for v in values])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a formula; the text stays text
    ws.freeze_panes = "B2"
    for col, width in widths.items():
        ws.column_dimensions[ws.cell(1, col).column_letter].width = width
    return ws


def to_xlsx(rows: list[ExportRisk], *, heat: HeatMap | None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    values = [[_cell(row, c) for c in COLUMNS] for row in rows]
    ws = _sheet(
        wb,
        "Risks",
        list(COLUMNS),
        values,
        {1: 11, 2: 40, 16: 40, 17: 40, 18: 40, COLUMNS.index("mitigation_actions") + 1: 50},
    )
    band_col = COLUMNS.index("band") + 1
    for row_cells in ws.iter_rows(min_row=2):
        fill = BAND_FILLS.get(str(row_cells[band_col - 1].value))
        if fill:
            row_cells[band_col - 1].fill = PatternFill("solid", fgColor=fill)
        for cell in row_cells:
            cell.alignment = Alignment(
                vertical="top", wrap_text=isinstance(cell.value, str) and len(cell.value) > 40
            )
    actions = [
        [row.risk.id, a.description, a.owner, a.due_date, a.status, a.source]
        for row in rows
        for a in row.actions
    ]
    _sheet(wb, "Actions", ["risk", "description", "owner", "due_date", "status", "source"], actions, {2: 60})
    evidence = [
        [row.risk.id, e.file_name or e.document_id, e.page, e.section, e.quote, e.added_by]
        for row in rows
        for e in row.evidence
    ]
    _sheet(
        wb, "Evidence", ["risk", "document", "page", "section", "quote", "added_by"], evidence, {2: 40, 5: 80}
    )
    if heat is not None:
        grid: list[list[Any]] = []
        for label, matrix in (("before mitigation", heat.inherent), ("after mitigation", heat.residual)):
            grid.append([f"probability \\ impact ({label})", 1, 2, 3, 4, 5])
            grid.extend([p, *matrix[p - 1]] for p in range(5, 0, -1))
            grid.append([])
        _sheet(wb, "Heat map", ["counts of risks per cell", "", "", "", "", ""], grid, {1: 36})
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# The formats that carry the heat map.
WITH_HEAT_MAP = frozenset({ExportFormat.xlsx, ExportFormat.md})


def render(
    fmt: ExportFormat,
    rows: list[ExportRisk],
    *,
    heat: HeatMap | None,
    project_id: str,
    project_name: str,
    on: dt.date,
) -> Exported:
    """The collected rows in one format, with its media type and file name."""
    from assistant.risks.register_exports import to_pmo_xlsx, to_zentao_csv

    writers: dict[ExportFormat, Callable[[], bytes]] = {
        ExportFormat.pmo: lambda: to_pmo_xlsx(rows, project_name=project_name, on=on),
        ExportFormat.zentao: lambda: to_zentao_csv(rows),
        ExportFormat.csv: lambda: to_csv(rows),
        ExportFormat.jira: lambda: to_jira_csv(rows),
        ExportFormat.md: lambda: to_markdown(rows, project_name=project_name, heat=heat, on=on),
        ExportFormat.xlsx: lambda: to_xlsx(rows, heat=heat),
    }
    name = f"{project_id}-risks-{on.isoformat()}.{EXTENSIONS[fmt]}"
    return Exported(writers[fmt](), MEDIA_TYPES[fmt], name)
