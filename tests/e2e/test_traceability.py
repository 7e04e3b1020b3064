"""The traceability matrix in the browser: rows with a gap marked, filtered by gap, an interface no requirement
names listed as a gap, and both downloads."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from assistant.providers.fakes import ScriptedChatModel
from tests.e2e.conftest import LiveApp, draft, save_screenshot, sign_in

PAGE = 20  # rows per page of the matrix's table (web/src/pages/Traceability.tsx)
HEADER = {"zh": "编号", "en": "ID"}  # the first column of the files, by the matrix's language


def test_the_matrix_marks_its_gaps_and_filters_them(
    live_app: LiveApp,
    page: Page,
    plan_model: ScriptedChatModel,
    demo_project: str,
    request: pytest.FixtureRequest,
) -> None:
    pid = demo_project
    plan = draft(live_app, pid, title="Traced plan")
    # A person adds an interface to the plan that no requirement names.
    added = {"id": "IF-90", "source": "OA", "target": "BI", "protocol": "SFTP"}
    with live_app.api() as client:
        resp = client.patch(
            f"/projects/{pid}/plans/{plan['id']}",
            json={"version": plan["version"], "interfaces": [*plan["interfaces"], added]},
        )
        assert resp.status_code == 200, resp.text
        matrix = client.get(f"/projects/{pid}/traceability").json()
    assert matrix["plan_id"] == plan["id"]
    rows = matrix["rows"]
    with_gaps = [r for r in rows if r["gaps"]]
    assert 0 < len(with_gaps) < len(rows), "the demo has requirements with and without gaps"

    sign_in(page, live_app, path=f"/#/p/{pid}/traceability")
    table = page.get_by_test_id("trace-table")
    expect(table.locator("tr.ant-table-row")).to_have_count(min(PAGE, len(rows)))
    # Every row with a gap on the first page is marked, and says which gap in words.
    first_page = rows[:PAGE]
    expect(table.locator("tr.trace-gap")).to_have_count(sum(1 for r in first_page if r["gaps"]))
    for r in first_page:
        row = table.locator(f'tr[data-row-key="{r["requirement_id"]}"]')
        if "no_test" in r["gaps"]:
            expect(row).to_have_class(re.compile(r"\btrace-gap\b"))
            expect(row.get_by_test_id("gap").filter(has_text="no test")).to_be_visible()
        elif not r["gaps"]:
            expect(row).not_to_have_class(re.compile(r"\btrace-gap\b"))
    # The interface nobody's requirement names is a gap of its own.
    interface_gaps = page.get_by_test_id("trace-interface-gaps")
    expect(interface_gaps).to_contain_text("IF-90")
    expect(interface_gaps.locator("tr.trace-gap").filter(has_text="IF-90")).to_contain_text(
        "no requirement names it"
    )
    save_screenshot(page, request, "-all")

    # The filter shows only the requirements no test covers.
    untested = [r for r in rows if "no_test" in r["gaps"]]
    page.get_by_text(f"no test ({len(untested)})", exact=True).click()
    shown = table.locator("tr.ant-table-row")
    expect(shown).to_have_count(min(PAGE, len(untested)))
    for n in range(min(PAGE, len(untested))):
        expect(shown.nth(n).get_by_test_id("gap").filter(has_text="no test")).to_be_visible()
    if len(untested) > PAGE:
        expect(page.get_by_text(f"{len(untested)} in all")).to_be_visible()

    # Only the interfaces: the requirement table gives way to the interfaces' gaps.
    page.get_by_text(f"no requirement names it ({len(matrix['interface_gaps'])})", exact=True).click()
    expect(table).to_have_count(0)
    expect(interface_gaps).to_contain_text("IF-90")

    # Both files carry the matrix, headed in the project's language.
    ids = {r["requirement_id"] for r in rows}
    for fmt in ("csv", "xlsx"):
        with page.expect_download() as download:
            page.get_by_test_id(f"trace-export-{fmt}").click()
        got = download.value
        assert got.suggested_filename.endswith(f".{fmt}"), got.suggested_filename
        data = Path(got.path()).read_bytes()
        if fmt == "csv":
            table_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            table_rows = [
                [str(v) if v is not None else "" for v in row] for row in sheet.iter_rows(values_only=True)
            ]
        assert table_rows[0][0] == HEADER[matrix["language"]], table_rows[0]
        assert ids <= {row[0] for row in table_rows[1:]}
