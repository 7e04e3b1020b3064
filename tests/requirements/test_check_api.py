"""The requirement check over HTTP with the input of issue 15: the same statement 2,000 times."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.requirements.candidates import BUDGET
from tests.api.test_projects_documents import make_project

SLOW = "The system shall respond within 2 seconds. "


def test_two_thousand_copies_come_back_as_one_group_with_a_bounded_pair_list(client: TestClient) -> None:
    pid = make_project(client)
    text = SLOW * 1999 + "The system shall respond within 5 seconds."
    resp = client.post(f"/projects/{pid}/requirements/check", json={"text": text})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    n = len(body["requirements"])
    assert n == 2000
    [group] = body["duplicate_groups"]
    assert group["members"] == list(range(1999))
    assert len(body["duplicates"]) == BUDGET.max_listed
    assert {(d["a"], d["method"]) for d in body["duplicates"]} == {(0, "exact")}
    assert [(c["a"], c["b"], c["kind"]) for c in body["contradictions"]] == [(0, 1999, "numeric")]
    summary = body["consistency"]
    assert (summary["statements"], summary["distinct"]) == (2000, 2)
    assert summary["duplicates_found"] == 1998 and summary["complete"] is False
    assert any("duplicate_groups" in note for note in summary["notes"])


def test_a_short_check_says_it_is_complete(client: TestClient) -> None:
    pid = make_project(client)
    text = "The ERP shall export invoices daily. The ERP shall export invoices daily. Users shall log in."
    body = client.post(f"/projects/{pid}/requirements/check", json={"text": text}).json()
    assert [g["members"] for g in body["duplicate_groups"]] == [[0, 1]]
    assert [(d["a"], d["b"], d["method"]) for d in body["duplicates"]] == [(0, 1, "exact")]
    assert body["consistency"]["complete"] is True and body["consistency"]["distinct"] == 2


def test_openapi_names_the_new_fields(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["RequirementsReport"]
    props = schema["properties"]
    assert {"duplicates", "contradictions", "duplicate_groups", "consistency"} <= set(props)
    assert f"{BUDGET.max_listed:,}" in props["duplicates"]["description"]
