"""The traceability matrix over HTTP. Thin: the format and the file's headers here, the matrix in
assistant.traceability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import ProjectDep, SessionDep
from assistant.traceability import exports, service
from assistant.traceability.schemas import TraceabilityMatrix

router = APIRouter(prefix="/projects/{project}/traceability", tags=["traceability"])


def _doc(text: str) -> str:
    return " ".join(text.split())


@router.get(
    "",
    response_model=TraceabilityMatrix,
    summary="The requirement traceability matrix (需求跟踪矩阵)",
    description=_doc("""One row per requirement of the requirement store (each once, however many documents
    state it: grouped by the id the documents write, REQ-007 = req-7, else by wording; the latest document's
    copy gives the wording and source), traced to the latest ready plan's interfaces and tests, the register's
    risks (all but rejected ones) whose `linked_requirements` name it, and the 5-Why analyses whose root need,
    request or restated requirements mention it (by id, by restating it, or a root need on its subject).
    A requirement names an interface when it mentions the interface's id, when a plan test covers both, or
    when it names both systems the interface joins (or one of them and its protocol). `status`:
    identified, designed (an interface linked) or test_planned (a plan test covers it). `gaps` per row:
    `no_test` (no plan test covers it; every requirement when the project has no ready plan) and
    `no_acceptance` (no plan test covering it states a criterion for it, a line that only repeats the
    requirement being none; every stored criterion is still a skeleton with <placeholders>; and the statement
    is not measurable itself: no figure with a unit, time or percentage, or a finding such as a vague term). Interfaces that no requirement names are not rows: JSON lists them in
    `interface_gaps`; CSV appends one line per such interface after the requirements (its id in the first
    column, its systems and protocol in the interfaces column, the gap in the last, the rest empty); XLSX puts
    them on a second sheet.
    `format=json` (default), `csv` (UTF-8 with BOM, opens in Excel) or `xlsx`. CSV and XLSX carry the columns
    of a 需求跟踪矩阵: 编号, 需求描述, 来源, 优先级, 状态, 验收标准, 关联接口/设计, 测试用例, 关联风险, 根本需求,
    缺口; in English (ID, Requirement, Source, Priority, Status, Acceptance criteria, Interfaces / design, Test
    cases, Risks, Root needs, Gaps) when the project's main language is English, decided as a plan's default
    language is: the language most of its indexed passages are in (a bilingual document counts as Chinese);
    without documents, the language of the project's name and description. The matrix's `language` says
    which. Cells a spreadsheet
    would run as a formula are defused. Every call is recorded in the audit log as an export."""),
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/TraceabilityMatrix"}},
                **{m: {} for m in sorted(set(exports.MEDIA_TYPES.values())) if m != "application/json"},
            }
        }
    },
)
def traceability(
    project: ProjectDep,
    session: SessionDep,
    fmt: Annotated[exports.TraceFormat, Query(alias="format", description="json, csv or xlsx")] = (
        exports.TraceFormat.json
    ),
) -> Response:
    out = service.export(session, project_id=project.id, fmt=fmt)
    headers = (
        {}
        if fmt is exports.TraceFormat.json
        else {"Content-Disposition": f'attachment; filename="{out.file_name}"'}
    )
    return Response(content=out.content, media_type=out.media_type, headers=headers)
