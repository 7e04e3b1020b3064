"""Two exports in the shapes Chinese project offices use.

``pmo``: the 风险登记册 workbook a PMO hands round: a title block (project, date, counts by 风险等级), one row per
risk with the register's columns in Chinese (风险类别, 触发条件, 应对策略 规避/转移/减轻/接受/上报 or 开拓/分享/提高,
责任人, 识别日期, 计划关闭日期, 受影响的 WBS/里程碑 ...), the evidence on a second sheet.

``zentao``: a CSV in the shape of ZenTao's own risk export, whose header row and list labels its import
template uses (module/risk/lang/zh-cn.php of easysoft/zentaopms: 来源, 风险名称, 类型 技术类/管理类/业务类/需求类/
资源类/其他, 策略 规避/缓解/转移/接受, 状态 开放/关闭/挂起/取消, 影响程度 and 发生概率 1-5, 风险系数, 优先级 高/中/低,
识别日期, 计划关闭日期, 实际关闭日期, 指派给, 处理措施, 应急措施, 解决措施). A value ZenTao has no list entry for
(the strategy 上报) is left blank and said in 处理措施, so nothing is lost. 指派给 takes a ZenTao account: the
owner's name is written and may need mapping to an account on import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from assistant.risks.exports import BAND_FILLS, ExportRisk, _action_line, _xlsx_value, defuse
from assistant.risks.lifecycle import RiskStatus
from assistant.risks.models import RiskCategory

CATEGORY_ZH = {
    RiskCategory.technical_interface: "技术/接口兼容",
    RiskCategory.requirement_change: "需求变更",
    RiskCategory.schedule: "进度",
    RiskCategory.cost: "成本",
    RiskCategory.vendor: "供应商/第三方",
    RiskCategory.resource: "资源与知识流失",
    RiskCategory.data_migration: "数据迁移",
    RiskCategory.security_compliance: "安全与合规",
    RiskCategory.test_environment: "测试环境",
    RiskCategory.user_adoption: "用户接受度",
    RiskCategory.stakeholder: "干系人冲突",
    RiskCategory.legal_regulatory: "法律法规",
    RiskCategory.other: "其他",
}
STRATEGY_ZH = {
    "avoid": "规避", "transfer": "转移", "mitigate": "减轻", "accept": "接受", "escalate": "上报",
    "exploit": "开拓", "share": "分享", "enhance": "提高",
}  # fmt: skip
STATUS_ZH = {
    RiskStatus.draft: "待确认（助手发现）", RiskStatus.open: "开放", RiskStatus.mitigating: "应对中",
    RiskStatus.accepted: "已接受", RiskStatus.rejected: "已否决", RiskStatus.closed: "已关闭",
    RiskStatus.occurred: "已发生", RiskStatus.reopened: "重新打开",
}  # fmt: skip
BAND_ZH = {"critical": "极高", "high": "高", "medium": "中", "low": "低"}
TYPE_ZH = {"threat": "威胁", "opportunity": "机会"}

PMO_COLUMNS = (
    "序号", "风险编号", "风险名称", "风险描述（原因—事件—影响）", "风险类型", "风险类别", "触发条件", "发生概率(1-5)",
    "影响程度(1-5)", "风险值", "风险等级", "应对策略", "应对措施", "应急计划", "责任人", "识别日期", "计划关闭日期",
    "受影响的 WBS/里程碑", "状态", "下次评审日期", "来源", "依据（文档）",
)  # fmt: skip


def _description(row: ExportRisk) -> str:
    r = row.risk
    parts = [
        f"{label}：{value}"
        for label, value in (("原因", r.cause), ("事件", r.event), ("影响", r.effect))
        if value
    ]
    return "；".join(parts)


def _sources(row: ExportRisk) -> str:
    names = dict.fromkeys(e.file_name or e.document_id or "" for e in row.evidence)
    return "；".join(n for n in names if n)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def pmo_row(n: int, row: ExportRisk) -> list[Any]:
    r = row.risk
    return [
        n,
        r.id,
        r.title,
        _description(row),
        TYPE_ZH.get(r.type, r.type),
        CATEGORY_ZH.get(RiskCategory(r.category), r.category),
        r.trigger or "",
        r.probability,
        r.impact,
        r.score,
        BAND_ZH[r.band.value],
        STRATEGY_ZH.get(r.response or "", ""),
        "；".join(_action_line(a) for a in row.actions),
        r.contingency or "",
        r.owner or "",
        _date(r.identified_on),
        _date(r.planned_close),
        r.affected or "",
        STATUS_ZH[r.status],
        _date(r.next_review),
        "助手发现" if r.source == "ai" else "人工录入",
        _sources(row),
    ]


def to_pmo_xlsx(rows: list[ExportRisk], *, project_name: str, on: dt.date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "风险登记册"
    width = len(PMO_COLUMNS)
    bands: dict[str, int] = {}
    for row in rows:
        bands[row.risk.band.value] = bands.get(row.risk.band.value, 0) + 1
    summary = "，".join(f"{BAND_ZH[b]} {bands[b]} 项" for b in BAND_ZH if b in bands) or "无"
    ws.append([f"{project_name} 风险登记册"])
    ws.append([f"导出日期：{on.isoformat()}    风险总数：{len(rows)}    按风险等级：{summary}"])
    ws.append([])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(list(PMO_COLUMNS))
    thin = Side(style="thin", color="999999")
    header_row = 4
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    band_col = PMO_COLUMNS.index("风险等级")
    for n, row in enumerate(rows, 1):
        ws.append([_xlsx_value(v) for v in pmo_row(n, row)])
        cells = ws[ws.max_row]
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: no formula runs from a document's words
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        fill = BAND_FILLS.get(row.risk.band.value)
        if fill:
            cells[band_col].fill = PatternFill("solid", fgColor=fill)
    for col, w in {1: 6, 2: 11, 3: 30, 4: 48, 7: 24, 13: 36, 14: 24, 15: 12, 18: 22, 22: 30}.items():
        ws.column_dimensions[ws.cell(header_row, col).column_letter].width = w
    ws.freeze_panes = ws.cell(header_row + 1, 4)
    ev = wb.create_sheet("风险依据")
    ev.append(["风险编号", "文档", "文档日期", "页码/章节", "原文摘录", "说明"])
    for cell in ev[1]:
        cell.font = Font(bold=True)
    for row in rows:
        for e in row.evidence:
            where = str(e.page) if e.page is not None else (e.section or "")
            values = [
                row.risk.id,
                e.file_name or e.document_id,
                _date(e.document_date),
                where,
                e.quote,
                e.signal,
            ]
            ev.append([_xlsx_value(v) for v in values])
            for cell in ev[ev.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    ev.column_dimensions["B"].width = 36
    ev.column_dimensions["E"].width = 80
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


ZENTAO_COLUMNS = (
    "来源", "风险名称", "类型", "策略", "状态", "影响程度", "发生概率", "风险系数", "优先级", "识别日期",
    "计划关闭日期", "实际关闭日期", "指派给", "处理措施", "应急措施", "解决措施",
)  # fmt: skip
# ZenTao's categoryList: technical 技术类, manage 管理类, business 业务类, requirement 需求类, resource 资源类, others 其他.
ZENTAO_CATEGORY = {
    RiskCategory.technical_interface: "技术类",
    RiskCategory.data_migration: "技术类",
    RiskCategory.test_environment: "技术类",
    RiskCategory.security_compliance: "技术类",
    RiskCategory.requirement_change: "需求类",
    RiskCategory.schedule: "管理类",
    RiskCategory.cost: "管理类",
    RiskCategory.stakeholder: "管理类",
    RiskCategory.vendor: "管理类",
    RiskCategory.resource: "资源类",
    RiskCategory.user_adoption: "业务类",
    RiskCategory.legal_regulatory: "业务类",
    RiskCategory.other: "其他",
}
# strategyList: avoidance 规避, mitigation 缓解, transference 转移, acceptance 接受 (none for escalate).
ZENTAO_STRATEGY = {"avoid": "规避", "mitigate": "缓解", "transfer": "转移", "accept": "接受"}
# statusList: active 开放, closed 关闭, hangup 挂起, canceled 取消.
ZENTAO_STATUS = {
    RiskStatus.draft: "开放", RiskStatus.open: "开放", RiskStatus.reopened: "开放", RiskStatus.mitigating: "开放",
    RiskStatus.accepted: "开放", RiskStatus.closed: "关闭", RiskStatus.occurred: "关闭", RiskStatus.rejected: "取消",
}  # fmt: skip
# priList: high 高, middle 中, low 低.
ZENTAO_PRI = {"critical": "高", "high": "高", "medium": "中", "low": "低"}
# sourceList: team 项目组 for what the project found; outsourcing 供应商-外包 for vendor risks.
ZENTAO_SOURCE = {RiskCategory.vendor: "供应商-外包"}


def zentao_row(row: ExportRisk) -> list[str]:
    r = row.risk
    category = RiskCategory(r.category)
    strategy = ZENTAO_STRATEGY.get(r.response or "", "")
    prevention = [_action_line(a) for a in row.actions]
    if r.response and not strategy:
        prevention.insert(0, f"应对策略：{STRATEGY_ZH.get(r.response, r.response)}")
    description = _description(row)
    if description:
        prevention.append(description)
    closed = r.status in (RiskStatus.closed, RiskStatus.occurred)
    return [
        ZENTAO_SOURCE.get(category, "项目组"),
        f"[{r.id}] {r.title}",
        ZENTAO_CATEGORY[category],
        strategy if r.type == "threat" else "",
        ZENTAO_STATUS[r.status],
        str(r.impact),
        str(r.probability),
        str(r.score),
        ZENTAO_PRI[r.band.value],
        _date(r.identified_on),
        _date(r.planned_close),
        r.updated_at.date().isoformat() if closed else "",
        r.owner or "",
        "\n".join(prevention),
        "\n".join(x for x in (r.contingency, f"触发条件：{r.trigger}" if r.trigger else None) if x),
        "",
    ]


def to_zentao_csv(rows: list[ExportRisk]) -> bytes:
    """UTF-8 with a BOM (ZenTao's import reads UTF-8 and GBK; the BOM keeps Excel from garbling it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ZENTAO_COLUMNS)
    for row in rows:
        writer.writerow(defuse(v) for v in zentao_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
