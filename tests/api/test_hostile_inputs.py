"""What a hostile tester found (issue 15): numbers past 64 bits, lists past the database's variable limit,
parallel creates of one name, a read right after a create, a project named like another's id, and a 422 body
that did not match the published schema. Every error here must be a 4xx in the one documented shape, never a
500."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection

from api.container import Container
from api.schemas import MAX_FILTER_VALUES, MAX_SQL_INT
from assistant.db import transaction
from assistant.projects.models import Project
from tests.api.test_projects_documents import MINUTES, make_project, upload

TOO_BIG = MAX_SQL_INT + 1  # 9223372036854775808: one past what SQLite and PostgreSQL take
RISK = {"title": "MES API v4 尚未确认", "probability": 3, "impact": 4}


@pytest.fixture
def app(client: TestClient) -> FastAPI:
    assert isinstance(client.app, FastAPI)
    return client.app


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """The test client's app and credentials, showing a server error as the 500 a caller would get instead of
    raising it."""
    return TestClient(client.app, headers=client.headers, raise_server_exceptions=False)


def declared_error_schema(app: FastAPI, method: str, path: str, status: int) -> dict[str, Any]:
    """The body schema the published OpenAPI gives this status of this operation (exact code, then range)."""
    spec = app.openapi()
    responses = spec["paths"][path][method.lower()]["responses"]
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses["default"]
    return {**declared["content"]["application/json"]["schema"], "components": spec["components"]}


def assert_documented_error(
    app: FastAPI, resp: httpx.Response, method: str, path: str, status: int, *words: str
) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    jsonschema.validate(body, declared_error_schema(app, method, path, status))
    for word in words:
        assert word in body["detail"], body
    return body


# ---- numbers past 64 bits, and every integer parameter bounded ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "template", "url", "params", "name"),
    [
        ("GET", "/projects/{project}/risks", "/projects/{p}/risks", {"offset": TOO_BIG}, "offset"),
        ("GET", "/projects/{project}/risks", "/projects/{p}/risks", {"offset": -1}, "offset"),
        (
            "GET",
            "/projects/{project}/risks/export",
            "/projects/{p}/risks/export",
            {"offset": TOO_BIG},
            "offset",
        ),
        ("GET", "/projects/{project}/five-why", "/projects/{p}/five-why", {"offset": TOO_BIG}, "offset"),
        (
            "PATCH",
            "/projects/{project}/risks/{risk_id}/actions/{action_id}",
            f"/projects/{{p}}/risks/RSK-0001/actions/{TOO_BIG}",
            {},
            "action_id",
        ),
        (
            "PATCH",
            "/projects/{project}/risks/{risk_id}/actions/{action_id}",
            "/projects/{p}/risks/RSK-0001/actions/0",
            {},
            "action_id",
        ),
        (
            "POST",
            "/projects/{project}/risks/{risk_id}/actions",
            "/projects/{p}/risks/RSK-0001/actions",
            {"version": TOO_BIG},
            "version",
        ),
    ],
)
def test_a_number_out_of_range_is_a_documented_422_naming_the_parameter(
    app: FastAPI, api: TestClient, method: str, template: str, url: str, params: dict[str, int], name: str
) -> None:
    pid = make_project(api)
    assert api.post(f"/projects/{pid}/risks", json=RISK).status_code == 201
    body = {"description": "MQTT 模拟器"} if method in ("PATCH", "POST") else None
    resp = api.request(method, url.format(p=pid), params=params, json=body)
    assert_documented_error(app, resp, method, template, 422, name)


def test_the_largest_offset_and_action_id_are_answered_not_refused(app: FastAPI, api: TestClient) -> None:
    pid = make_project(api)
    assert api.post(f"/projects/{pid}/risks", json=RISK).status_code == 201
    page = api.get(f"/projects/{pid}/risks", params={"offset": MAX_SQL_INT})
    assert page.status_code == 200 and page.json()["items"] == []
    assert page.json()["total"] == len(api.get(f"/projects/{pid}/risks").json()["items"]) == 1
    analyses = api.get(f"/projects/{pid}/five-why", params={"offset": MAX_SQL_INT})
    assert analyses.status_code == 200 and analyses.json()["items"] == []
    resp = api.patch(f"/projects/{pid}/risks/RSK-0001/actions/{MAX_SQL_INT}", json={"status": "done"})
    path = "/projects/{project}/risks/{risk_id}/actions/{action_id}"
    assert_documented_error(app, resp, "PATCH", path, 404, str(MAX_SQL_INT))


# Integer parameters of routes whose files are not this change's; each entry leaves with its bound.
AWAITING_BOUNDS: set[tuple[str, str, str]] = set()


def _integer_parameters(app: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                schemas = [param["schema"], *param["schema"].get("anyOf", [])]
                for schema in schemas:
                    if schema.get("type") == "integer":
                        yield method.upper(), path, {**schema, "name": param["name"]}


def test_every_integer_query_or_path_parameter_has_bounds_a_database_takes(app: FastAPI) -> None:
    seen = set()
    for method, path, schema in _integer_parameters(app):
        key = (method, path, schema["name"])
        seen.add(key)
        if key in AWAITING_BOUNDS:
            assert "maximum" not in schema, f"{key} is bounded now: take it out of AWAITING_BOUNDS"
            continue
        assert "minimum" in schema and "maximum" in schema, key
        assert schema["minimum"] >= -MAX_SQL_INT - 1 and schema["maximum"] <= MAX_SQL_INT, key
    assert seen >= AWAITING_BOUNDS
    assert ("PATCH", "/projects/{project}/risks/{risk_id}/actions/{action_id}", "action_id") in seen


@pytest.mark.parametrize(
    ("path", "name"), [("/projects/{project}/risks", "limit"), ("/projects/{project}/five-why", "limit")]
)
def test_a_list_limit_is_refused_just_past_its_published_maximum(
    app: FastAPI, api: TestClient, path: str, name: str
) -> None:
    [maximum] = [
        s["maximum"] for m, p, s in _integer_parameters(app) if (m, p, s["name"]) == ("GET", path, name)
    ]
    pid = make_project(api)
    assert api.get(path.format(project=pid), params={name: maximum}).status_code == 200
    resp = api.get(path.format(project=pid), params={name: maximum + 1})
    assert_documented_error(app, resp, "GET", path, 422, name)


# ---- search filters past the database's variable limit -----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("document_ids", "doc-x"), ("file_names", "纪要.md"), ("doc_types", "meeting")],
)
def test_a_filter_list_over_the_maximum_is_a_422_saying_so(
    app: FastAPI, api: TestClient, field: str, value: str
) -> None:
    pid = make_project(api)
    filters = {field: [value] * (MAX_FILTER_VALUES + 1)}
    resp = api.post(f"/projects/{pid}/search", json={"query": "接口联调", "filters": filters})
    detail = assert_documented_error(app, resp, "POST", "/projects/{project}/search", 422, field)["detail"]
    assert str(MAX_FILTER_VALUES) in detail and str(MAX_FILTER_VALUES + 1) in detail


def test_a_million_document_ids_are_refused_not_a_server_error(api: TestClient) -> None:
    pid = make_project(api)
    filters = {"document_ids": [f"d{i}" for i in range(1_000_000)]}
    resp = api.post(f"/projects/{pid}/search", json={"query": "接口联调", "filters": filters})
    # 413 where the server caps request bodies before reading them, 422 from the list's own bound otherwise.
    assert resp.status_code in (413, 422), resp.text


def test_every_filter_list_full_at_once_still_searches(api: TestClient) -> None:
    pid = make_project(api)
    doc_id = upload(api, pid, ("周例会纪要.md", MINUTES))["files"][0]["document_id"]
    filler = [f"other-{i}" for i in range(MAX_FILTER_VALUES - 1)]
    filters = {
        "document_ids": [doc_id, *filler],
        "file_names": ["周例会纪要.md", *filler],
        "doc_types": ["meeting"] * MAX_FILTER_VALUES,
    }
    resp = api.post(f"/projects/{pid}/search", json={"query": "接口联调什么时候开始", "filters": filters})
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert results and {r["document_id"] for r in results} == {doc_id}


# ---- parallel creates of one name --------------------------------------------------------------------------


def test_ten_parallel_creates_of_one_name_give_one_201_and_nine_409s(app: FastAPI, api: TestClient) -> None:
    name = "华东精密 ERP 集成"
    start = threading.Barrier(10)

    def create(_: int) -> httpx.Response:
        start.wait()
        return api.post("/projects", json={"name": name})

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(create, range(10)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 9, [a.text for a in answers]
    [created] = [a.json() for a in answers if a.status_code == 201]
    for refused in (a for a in answers if a.status_code == 409):
        body = assert_documented_error(app, refused, "POST", "/projects", 409, name, "already exists")
        assert body["error"] == "ConflictError"
    assert [p["id"] for p in api.get("/projects").json()["items"]] == [created["id"]]


class HoldFirstCreate:
    """Engine events that keep the first creator's transaction open until a second creator has passed its
    checks and is inserting: the interleaving the parallel creates only sometimes hit, every time."""

    def __init__(self, container: Container) -> None:
        self.first: Connection | None = None
        self.first_inserted = threading.Event()
        self.second_inserting = threading.Event()
        event.listen(container.engine, "before_cursor_execute", self._before_execute)
        event.listen(container.engine, "commit", self._commit)

    def _before_execute(self, conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        if not statement.lstrip().upper().startswith("INSERT INTO PROJECTS"):
            return
        if self.first is None:
            self.first = conn
            self.first_inserted.set()
        elif conn is not self.first:
            self.second_inserting.set()

    def _commit(self, conn: Connection) -> None:
        if conn is self.first:
            self.second_inserting.wait(timeout=10)


def test_a_create_that_loses_the_race_after_its_checks_is_a_409(
    app: FastAPI, api: TestClient, container: Container
) -> None:
    hold = HoldFirstCreate(container)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(api.post, "/projects", json={"name": "WMS 切换"})
        assert hold.first_inserted.wait(timeout=10)
        second = api.post("/projects", json={"name": "WMS 切换"})
        assert hold.second_inserting.is_set()  # it got past the name check before the first was committed
        assert first.result(timeout=30).status_code == 201
    assert_documented_error(app, second, "POST", "/projects", 409, "already exists")
    assert api.get("/projects").json()["total"] == 1


# ---- a read right after a create ---------------------------------------------------------------------------


async def _call(
    api: TestClient,
    method: str,
    path: str,
    body: bytes = b"",
    on_complete: Callable[[int, bytes], Awaitable[None]] | None = None,
) -> tuple[int, bytes]:
    """One request straight through ASGI. ``on_complete`` runs the moment the last byte of the response is
    sent, as a client would read it: before the app has returned (a test client waits for that)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            *((k.lower(), v) for k, v in api.headers.raw),
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent = asyncio.Event()
    request = [{"type": "http.request", "body": body, "more_body": False}]
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        if request:
            return request.pop()
        await sent.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                sent.set()
                if on_complete is not None:
                    await on_complete(status, b"".join(chunks))

    await api.app(scope, receive, send)
    return status, b"".join(chunks)


def test_a_project_is_found_the_moment_its_201_has_been_sent(api: TestClient) -> None:
    reads: list[int] = []

    async def read_back(status: int, body: bytes) -> None:
        assert status == 201, body
        found, _ = await _call(api, "GET", f"/projects/{json.loads(body)['id']}")
        reads.append(found)

    async def main() -> None:
        for n in range(20):
            created = json.dumps({"name": f"project-{n}"}).encode()
            await _call(api, "POST", "/projects", created, on_complete=read_back)

    asyncio.run(main())
    assert reads == [200] * 20


# ---- a project named like another's id ---------------------------------------------------------------------


def test_a_name_that_is_another_projects_id_is_refused(app: FastAPI, api: TestClient) -> None:
    first = api.post("/projects", json={"name": "Foo Bar"}).json()
    assert first["id"] != first["name"]
    resp = api.post("/projects", json={"name": first["id"]})
    assert_documented_error(
        app, resp, "POST", "/projects", 409, f"is the id of the project {first['name']!r}"
    )
    assert api.get(f"/projects/{first['id']}").json()["name"] == "Foo Bar"


def test_an_id_reaches_its_own_project_even_where_another_is_named_so(
    api: TestClient, container: Container
) -> None:
    with transaction(container.sessions) as session:  # rows from before names were checked against ids
        session.add(Project(id="p-older", name="foo-bar"))
    with transaction(container.sessions) as session:
        session.add(Project(id="foo-bar", name="Foo Bar"))
    assert api.get("/projects/foo-bar").json()["name"] == "Foo Bar"
    assert api.get("/projects/p-older").json()["name"] == "foo-bar"


def test_a_new_id_is_never_another_projects_name(api: TestClient, container: Container) -> None:
    with transaction(container.sessions) as session:  # its own id is not its name: from before the check
        session.add(Project(id="p-older", name="wms"))
    created = api.post("/projects", json={"name": "WMS"}).json()
    assert created["id"] != "wms"
    assert api.get("/projects/wms").json()["id"] == "p-older"
    assert api.get(f"/projects/{created['id']}").json()["name"] == "WMS"


# ---- one error shape ---------------------------------------------------------------------------------------


def test_every_operation_documents_its_errors_as_the_body_the_api_sends(app: FastAPI) -> None:
    spec = app.openapi()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method in operations:
            for status in (404, 409, 422, 500, 503):
                schema = declared_error_schema(app, method, path, status)
                assert schema["$ref"] == "#/components/schemas/ErrorBody", (method, path, status)


def test_a_malformed_body_and_an_unknown_path_answer_in_the_same_shape(app: FastAPI, api: TestClient) -> None:
    resp = api.post("/projects", content=b"{not json", headers={"content-type": "application/json"})
    assert_documented_error(app, resp, "POST", "/projects", 422, "invalid request")
    missing = api.get("/no-such-path")
    assert missing.status_code == 404
    jsonschema.validate(missing.json(), declared_error_schema(app, "GET", "/projects", 404))
    wrong = api.delete("/projects")
    assert wrong.status_code == 405
    jsonschema.validate(wrong.json(), declared_error_schema(app, "GET", "/projects", 405))
