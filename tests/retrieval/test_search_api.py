from __future__ import annotations

from fastapi.testclient import TestClient

FIELDS = {"document_id", "file_name", "page", "section", "text", "score"}


def test_search_returns_ranked_passages(client: TestClient, project: str) -> None:
    resp = client.post(
        f"/projects/{project}/search", json={"query": "ERP 接口联调什么时候开始？", "top_k": 2}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert 1 <= len(body["results"]) <= 2
    top = body["results"][0]
    assert set(top) >= FIELDS
    assert top["file_name"] == "会议纪要-接口联调.txt"
    assert top["vector_score"] is not None and top["keyword_score"] is not None
    assert isinstance(body["relevant"], bool)


def test_search_by_project_name_and_filters(client: TestClient, project: str) -> None:
    resp = client.post(
        "/projects/集成项目/search",
        json={"query": "work orders REST", "filters": {"doc_types": ["spec"], "date_from": "2024-01-01"}},
    )
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert results and {r["file_name"] for r in results} == {"mes_interface_spec.md"}
    assert results[0]["section"]  # Markdown headings become the section of the citation


def test_search_errors(client: TestClient, project: str) -> None:
    assert client.post("/projects/nope/search", json={"query": "ERP"}).status_code == 404
    assert client.post(f"/projects/{project}/search", json={"query": ""}).status_code == 422
    assert client.post(f"/projects/{project}/search", json={"query": "   "}).status_code == 422
    assert client.post(f"/projects/{project}/search", json={"query": "x", "top_k": 0}).status_code == 422
    bad_range = {"query": "ERP", "filters": {"date_from": "2024-05-01", "date_to": "2024-01-01"}}
    assert client.post(f"/projects/{project}/search", json=bad_range).status_code == 422
    bad_type = {"query": "ERP", "filters": {"doc_types": ["poem"]}}
    assert client.post(f"/projects/{project}/search", json=bad_type).status_code == 422


def test_search_is_documented_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/projects/{project}/search"]["post"]
    assert op["summary"] and "passages" in op["description"]
