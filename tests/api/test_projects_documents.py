from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient

from api.container import Container
from assistant.index import chunks as chunk_store
from tests.conftest import wait_for_job

MINUTES = "# 项目周例会纪要\n\n参会人：王磊、李娜\n\n接口联调计划于2026年5月25日开始。ERP 数据迁移由吴静负责。\n".encode()
MINUTES_V2 = MINUTES.replace("5月25日".encode(), "6月1日".encode())


def upload(client: TestClient, project: str, *files: tuple[str, bytes], **form: str) -> dict:
    resp = client.post(
        f"/projects/{project}/documents", files=[("files", (n, d)) for n, d in files], data=form or None
    )
    assert resp.status_code == 202, resp.text
    return wait_for_job(client, resp.json()["job_id"])


def make_project(client: TestClient, name: str = "华东精密 ERP 集成") -> str:
    resp = client.post("/projects", json={"name": name})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def test_chinese_project_name_gets_an_ascii_id_and_works_by_name(client: TestClient) -> None:
    pid = make_project(client)
    assert pid.isascii() and 3 <= len(pid) <= 64
    assert client.get(f"/projects/{pid}").json()["name"] == "华东精密 ERP 集成"
    assert client.get("/projects/华东精密 ERP 集成").json()["id"] == pid
    assert client.post("/projects", json={"name": "华东精密 ERP 集成"}).status_code == 409
    assert client.get("/projects").json()["total"] == 1


def test_unknown_project_is_404_with_a_sentence(client: TestClient) -> None:
    resp = client.get("/projects/nope/documents")
    assert resp.status_code == 404
    assert "no project 'nope'" in resp.json()["detail"]


def test_upload_indexes_then_same_bytes_are_unchanged(client: TestClient, container: Container) -> None:
    pid = make_project(client)
    job = upload(client, pid, ("周例会纪要.md", MINUTES))
    assert job["status"] == "done" and job["progress"] == 1.0
    [f] = job["files"]
    assert f["status"] == "indexed" and f["document_id"]
    doc = client.get(f"/projects/{pid}/documents/{f['document_id']}", params={"include_chunks": True}).json()
    assert doc["doc_type"] == "meeting" and doc["language"] == "zh" and doc["status"] == "indexed"
    assert any("吴静" in c["text"] for c in doc["chunks"])

    again = upload(client, pid, ("周例会纪要.md", MINUTES))
    assert again["files"][0]["status"] == "unchanged"
    assert again["files"][0]["document_id"] == f["document_id"]
    assert client.get(f"/projects/{pid}/documents").json()["total"] == 1


def test_changed_file_replaces_its_chunks_in_both_indexes(client: TestClient, container: Container) -> None:
    pid = make_project(client)
    doc_id = upload(client, pid, ("周例会纪要.md", MINUTES))["files"][0]["document_id"]
    job = upload(client, pid, ("周例会纪要.md", MINUTES_V2))
    assert job["files"][0] == {**job["files"][0], "status": "indexed", "document_id": doc_id}
    with container.sessions() as session:
        texts = " ".join(c.text for c in chunk_store.document_chunks(session, document_id=doc_id))
        assert "6月1日" in texts and "5月25日" not in texts
        hits = chunk_store.keyword_search(session, project_id=pid, query="联调 开始", k=10)
        assert len(hits) == 1  # the old version is gone from the keyword index
        assert all(cid.startswith(doc_id) for cid in (h.chunk_id for h in hits))
    assert container.vectors.count(pid) == len(hits)


def test_delete_removes_document_from_registry_and_both_indexes(
    client: TestClient, container: Container
) -> None:
    pid = make_project(client)
    doc_id = upload(client, pid, ("纪要.md", MINUTES))["files"][0]["document_id"]
    resp = client.delete(f"/projects/{pid}/documents/{doc_id}")
    assert resp.status_code == 200 and resp.json()["deleted"] == [doc_id]
    assert client.get(f"/projects/{pid}/documents/{doc_id}").status_code == 404
    with container.sessions() as session:
        assert chunk_store.keyword_search(session, project_id=pid, query="联调", k=10) == []
    assert container.vectors.count(pid) == 0


def test_one_bad_file_fails_alone_with_its_reason(client: TestClient) -> None:
    pid = make_project(client)
    job = upload(
        client,
        pid,
        ("good.md", MINUTES),
        ("empty.txt", b""),
        ("fake.pdf", b"PK\x03\x04 not really a pdf"),
        ("notes.xyz", b"hello"),
    )
    status = {f["file_name"]: (f["status"], f["reason"]) for f in job["files"]}
    assert job["status"] == "done"
    assert status["good.md"][0] == "indexed"
    assert status["empty.txt"][0] == "failed" and "empty" in status["empty.txt"][1]
    assert status["fake.pdf"][0] == "failed" and "zip" in status["fake.pdf"][1].lower()
    assert status["notes.xyz"][0] == "failed" and "unsupported" in status["notes.xyz"][1]
    docs = client.get(f"/projects/{pid}/documents").json()["items"]
    assert {d["file_name"]: d["status"] for d in docs}["good.md"] == "indexed"


def test_unsupported_only_upload_is_415_and_oversize_only_is_413(
    client: TestClient, container: Container
) -> None:
    pid = make_project(client)
    resp = client.post(f"/projects/{pid}/documents", files=[("files", ("plan.exe", b"MZ..."))])
    assert resp.status_code == 415 and "supported" in resp.json()["detail"]
    big = b"x" * (container.settings.ingest.max_file_bytes + 10)
    resp = client.post(f"/projects/{pid}/documents", files=[("files", ("big.txt", big))])
    assert resp.status_code == 413 and "over the" in resp.json()["detail"]


def test_zip_upload_expands_into_documents(client: TestClient) -> None:
    pid = make_project(client)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("minutes/kickoff.md", MINUTES)
        zf.writestr("minutes/notes.txt", "Werkwelt confirmed MES API v4.0 on 27 March.")
    job = upload(client, pid, ("batch.zip", buf.getvalue()))
    assert sorted(f["status"] for f in job["files"]) == ["indexed", "indexed"]
    assert all(f["file_name"].startswith("batch.zip/") for f in job["files"])


def test_doc_type_can_be_overridden_on_upload_and_later(client: TestClient) -> None:
    pid = make_project(client)
    doc_id = upload(client, pid, ("notes.txt", MINUTES), doc_type="spec")["files"][0]["document_id"]
    doc = client.get(f"/projects/{pid}/documents/{doc_id}").json()
    assert doc["doc_type"] == "spec" and doc["doc_type_overridden"] is True
    resp = client.patch(f"/projects/{pid}/documents/{doc_id}", json={"doc_type": "meeting"})
    assert resp.status_code == 200 and resp.json()["doc_type"] == "meeting"
    assert client.patch(f"/projects/{pid}/documents/{doc_id}", json={"doc_type": "poem"}).status_code == 422


def test_reindex_rebuilds_from_stored_originals(client: TestClient, container: Container) -> None:
    pid = make_project(client)
    doc_id = upload(client, pid, ("纪要.md", MINUTES))["files"][0]["document_id"]
    before = client.get(f"/projects/{pid}/documents/{doc_id}", params={"include_chunks": True}).json()
    resp = client.post(f"/projects/{pid}/reindex")
    assert resp.status_code == 202
    job = wait_for_job(client, resp.json()["job_id"])
    assert [f["status"] for f in job["files"]] == ["indexed"]
    after = client.get(f"/projects/{pid}/documents/{doc_id}", params={"include_chunks": True}).json()
    assert [c["text"] for c in after["chunks"]] == [c["text"] for c in before["chunks"]]
    assert {c["id"] for c in after["chunks"]}.isdisjoint({c["id"] for c in before["chunks"]})
    assert container.vectors.count(pid) == len(after["chunks"])


def test_job_404_and_health(client: TestClient) -> None:
    assert client.get("/jobs/job_missing").status_code == 404
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["llm"]["provider"] == "fake"


def test_validation_errors_are_sentences(client: TestClient) -> None:
    resp = client.post("/projects", json={"name": ""})
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("invalid request: name")


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary") or op.get("description"), f"{method} {path} has no description"
