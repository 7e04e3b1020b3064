"""Who may do what: keys, roles, projects, browser sessions, cross-site writes, rate limits and the audit log."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from api import cli_common
from api.auth import CSRF_HEADER, SESSION_COOKIE
from api.cli import app as cli
from api.container import Container
from api.main import create_app
from api.policy import POLICY
from assistant.auth import service as auth_service
from assistant.auth.models import ApiKey
from assistant.auth.roles import Role
from assistant.auth.service import ADMIN_KEY_FILE
from assistant.db import transaction
from assistant.jobs import repository as jobs_repo
from assistant.projects.repository import missing_project_message
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.settings import Settings
from tests.conftest import TEST_OWNER, make_settings, wait_for_job

RISK = {"title": "MES vendor late with the API", "probability": 3, "impact": 4}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_key(client: TestClient, role: str, projects: list[str] | None = None, **extra: Any) -> str:
    body = {"name": f"{role} key", "role": role, "projects": projects, **extra}
    r = client.post("/keys", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


@pytest.fixture
def two_projects(client: TestClient) -> tuple[str, str]:
    a = client.post("/projects", json={"name": "ERP rollout"}).json()["id"]
    b = client.post("/projects", json={"name": "Hospital HIS"}).json()["id"]
    return a, b


@pytest.fixture
def anonymous(client: TestClient) -> Iterator[TestClient]:
    """The same app, without the admin key."""
    with TestClient(client.app) as c:
        yield c


def test_without_a_key_only_health_and_the_page_answer(anonymous: TestClient) -> None:
    r = anonymous.get("/projects")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert "API key" in r.json()["detail"]
    assert anonymous.get("/projects", headers=bearer("ra_nope_nope")).status_code == 401
    assert anonymous.get("/projects", headers={"Authorization": "Basic YTpi"}).status_code == 401
    health = anonymous.get("/health").json()
    assert health["auth"] == "on" and health["warnings"] == []
    assert anonymous.get("/").status_code == 200


def test_a_key_is_shown_once_and_stored_hashed(client: TestClient, container: Container) -> None:
    r = client.post("/keys", json={"name": "Wang Lei laptop", "role": "analyst", "owner": "王磊"})
    assert r.status_code == 201
    created = r.json()
    assert created["key"].startswith("ra_") and created["owner"] == "王磊" and created["projects"] is None
    listed = client.get("/keys").json()["items"]
    assert created["id"] in {k["id"] for k in listed}
    assert all("key" not in k for k in listed)
    with container.sessions() as session:
        row = session.get(ApiKey, created["id"])
        assert row is not None
        stored = " ".join(str(v) for v in (row.digest, row.salt, row.name, row.owner))
    # The secret is url-safe base64 and may itself hold "_", so it is what follows "ra_<id>_".
    secret = created["key"].removeprefix(f"ra_{created['id']}_")
    assert len(secret) >= 40 and secret not in stored and created["key"] not in stored


def test_roles_decide_what_a_key_may_do(
    client: TestClient, anonymous: TestClient, two_projects: tuple[str, str]
) -> None:
    a, _b = two_projects
    viewer, analyst, manager = (bearer(make_key(client, role)) for role in ("viewer", "analyst", "manager"))
    assert anonymous.get(f"/projects/{a}/risks", headers=viewer).status_code == 200
    refused = anonymous.post(f"/projects/{a}/risks", json=RISK, headers=viewer)
    assert refused.status_code == 403
    assert "viewer" in refused.json()["detail"] and "manager" in refused.json()["detail"]
    assert anonymous.post(f"/projects/{a}/search", json={"query": "ERP"}, headers=viewer).status_code == 403
    assert anonymous.post(f"/projects/{a}/search", json={"query": "ERP"}, headers=analyst).status_code == 200
    assert anonymous.post(f"/projects/{a}/risks", json=RISK, headers=analyst).status_code == 403
    assert anonymous.post(f"/projects/{a}/risks", json=RISK, headers=manager).status_code == 201
    assert anonymous.post("/projects", json={"name": "x"}, headers=manager).status_code == 403
    assert anonymous.post("/keys", json={"name": "x", "role": "admin"}, headers=manager).status_code == 403
    assert anonymous.get(f"/projects/{a}/risks/export", headers=analyst).status_code == 403
    assert anonymous.get(f"/projects/{a}/risks/export", headers=manager).status_code == 200


def test_the_history_names_the_keys_owner_and_ignores_x_actor(
    client: TestClient, anonymous: TestClient, two_projects: tuple[str, str]
) -> None:
    a, _ = two_projects
    key = make_key(client, "manager", owner="李娜")
    r = anonymous.post(f"/projects/{a}/risks", json=RISK, headers={**bearer(key), "X-Actor": "mallory"})
    assert r.status_code == 201
    history = anonymous.get(f"/projects/{a}/risks/{r.json()['id']}", headers=bearer(key)).json()["history"]
    assert {h["actor"] for h in history} == {"李娜"}


def test_a_key_sees_only_its_projects_and_others_do_not_exist_for_it(
    client: TestClient, anonymous: TestClient, two_projects: tuple[str, str]
) -> None:
    a, b = two_projects
    only_a = bearer(make_key(client, "manager", projects=["ERP rollout"]))  # by name; stored as the id
    listed = anonymous.get("/projects", headers=only_a).json()
    assert [p["id"] for p in listed["items"]] == [a] and listed["total"] == 1
    for ref in (b, "Hospital HIS"):
        r = anonymous.get(f"/projects/{ref}/risks", headers=only_a)
        assert r.status_code == 404
        assert r.json() == {"detail": missing_project_message(ref), "error": "NotFoundError"}
    assert anonymous.post(f"/projects/{b}/risks", json=RISK, headers=only_a).status_code == 404
    assert client.get(f"/projects/{b}/risks").json()["total"] == 0


def test_every_project_route_hides_other_projects(
    client: TestClient, anonymous: TestClient, two_projects: tuple[str, str]
) -> None:
    """Generated from the policy table, so a new route with {project} is covered the day it is added."""
    a, b = two_projects
    only_b = bearer(make_key(client, "admin", projects=[b]))
    checked = 0
    for method, path in POLICY:
        if "{project}" not in path:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: a if m.group(1) == "project" else "1", path)
        r = anonymous.request(method, url, headers=only_b, json={} if method in ("POST", "PATCH") else None)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert r.json() == {"detail": missing_project_message(a), "error": "NotFoundError"}, (method, path)
        checked += 1
    assert checked == sum("{project}" in path for _, path in POLICY)
    assert client.get(f"/projects/{a}/risks").json()["total"] == 0  # nothing was written


def test_another_projects_job_does_not_exist(
    client: TestClient, anonymous: TestClient, two_projects: tuple[str, str]
) -> None:
    a, b = two_projects
    job = client.post(
        f"/projects/{a}/documents", files=[("files", ("n.txt", b"ERP cut-over in May."))]
    ).json()
    wait_for_job(client, job["job_id"])
    only_b = bearer(make_key(client, "viewer", projects=[b]))
    r = anonymous.get(f"/jobs/{job['job_id']}", headers=only_b)
    assert r.status_code == 404 and r.json()["detail"] == jobs_repo.missing_job_message(job["job_id"])
    assert (
        anonymous.get(f"/jobs/{job['job_id']}", headers=bearer(make_key(client, "viewer"))).status_code == 200
    )


def test_revoked_and_expired_keys_stop_working(
    client: TestClient, anonymous: TestClient, container: Container
) -> None:
    key = make_key(client, "viewer")
    assert anonymous.get("/projects", headers=bearer(key)).status_code == 200
    key_id = key.split("_")[1]
    assert client.delete(f"/keys/{key_id}").json()["revoked_at"] is not None
    r = anonymous.get("/projects", headers=bearer(key))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]

    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    expiring = make_key(client, "viewer", expires_at=soon)
    with transaction(container.sessions) as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == expiring.split("_")[1])
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    r = anonymous.get("/projects", headers=bearer(expiring))
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    assert client.post("/keys", json={"name": "x", "role": "viewer", "expires_at": past}).status_code == 422
    assert client.post("/keys", json={"name": "x", "role": "viewer", "projects": ["nope"]}).status_code == 422
    assert client.post("/keys", json={"name": "x", "role": "viewer", "owner": "assistant"}).status_code == 422


def test_the_web_app_signs_in_with_a_cookie_and_writes_need_the_csrf_token(
    client: TestClient, anonymous: TestClient, two_projects: tuple[str, str]
) -> None:
    a, _ = two_projects
    key = make_key(client, "manager", owner="chen")
    r = anonymous.post("/session", json={"key": key})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert (
        SESSION_COOKIE in cookie
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
    )
    csrf = r.json()["csrf_token"]
    assert anonymous.get("/projects").status_code == 200  # the cookie alone reads
    assert anonymous.get("/session").json()["csrf_token"] == csrf
    refused = anonymous.post(f"/projects/{a}/risks", json=RISK)
    assert refused.status_code == 403 and CSRF_HEADER in refused.json()["detail"]
    assert (
        anonymous.post(f"/projects/{a}/risks", json=RISK, headers={CSRF_HEADER: "wrong"}).status_code == 403
    )
    made = anonymous.post(f"/projects/{a}/risks", json=RISK, headers={CSRF_HEADER: csrf})
    assert made.status_code == 201
    assert anonymous.delete("/session", headers={CSRF_HEADER: csrf}).status_code == 204
    assert anonymous.get("/projects").status_code == 401
    assert anonymous.post("/session", json={"key": "ra_x_y"}).status_code == 401
    assert client.get(f"/projects/{a}/risks").json()["total"] == 1


def test_a_write_sent_from_another_site_is_refused_whatever_it_carries(
    client: TestClient, two_projects: tuple[str, str]
) -> None:
    a, _ = two_projects
    risk = client.post(f"/projects/{a}/risks", json=RISK).json()
    for headers in (
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
    ):
        r = client.post(f"/projects/{a}/risks/{risk['id']}/close", content=b"{}", headers=headers)
        assert r.status_code == 403, headers
        assert "refused" in r.json()["detail"]
        upload = client.post(
            f"/projects/{a}/documents",
            files=[("files", ("x.txt", b"text"))],
            headers={"Origin": "http://evil.example"},
        )
        assert upload.status_code == 403
    assert client.get(f"/projects/{a}/risks/{risk['id']}").json()["status"] == risk["status"]
    assert client.get(f"/projects/{a}/documents").json()["total"] == 0
    same_site = client.post(
        f"/projects/{a}/risks",
        json=RISK,
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert same_site.status_code == 201


def test_security_headers(client: TestClient) -> None:
    for path in ("/", "/projects"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert (
        "Access-Control-Allow-Origin"
        not in client.get("/projects", headers={"Origin": "http://a.example"}).headers
    )


def test_cors_lets_only_the_configured_origins_in(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, cors_origins="https://pmo.example.com", auth="off")
    container = Container(settings, embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel())
    with TestClient(create_app(container=container)) as c:
        ok = c.post("/projects", json={"name": "p"}, headers={"Origin": "https://pmo.example.com"})
        assert (
            ok.status_code == 201 and ok.headers["Access-Control-Allow-Origin"] == "https://pmo.example.com"
        )
        assert (
            c.post("/projects", json={"name": "q"}, headers={"Origin": "https://other.example"}).status_code
            == 403
        )
    container.close()


def test_language_model_endpoints_are_rate_limited_per_key(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, llm_rate_limit="2/minute")
    container = Container(settings, embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel())
    admin = bearer(auth_service.create_key(container.sessions, name="a", role=Role.admin).key)
    other = bearer(auth_service.create_key(container.sessions, name="b", role=Role.analyst).key)
    with TestClient(create_app(container=container), headers=admin) as c:
        pid = c.post("/projects", json={"name": "p"}).json()["id"]
        body = {"text": "The system shall respond within 2 seconds."}
        assert [c.post(f"/projects/{pid}/requirements/check", json=body).status_code for _ in range(2)] == [
            200,
            200,
        ]
        limited = c.post(f"/projects/{pid}/requirements/check", json=body)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert c.post(f"/projects/{pid}/requirements/check", json=body, headers=other).status_code == 200
        assert c.get(f"/projects/{pid}/requirements").status_code == 200  # reads are not counted
    container.close()


def test_the_audit_log_records_writes_and_exports_for_admins(
    client: TestClient, anonymous: TestClient, two_projects: tuple[str, str]
) -> None:
    a, _ = two_projects
    manager = bearer(make_key(client, "manager", owner="zhou"))
    anonymous.post(f"/projects/{a}/risks", json=RISK, headers=manager)
    anonymous.get(f"/projects/{a}/risks/export?format=csv", headers=manager)
    anonymous.post(f"/projects/{a}/risks", json=RISK, headers=bearer(make_key(client, "viewer", owner="vic")))
    rows = client.get("/audit", params={"project": a}).json()["items"]
    seen = {(r["actor"], r["method"], r["route"], r["status"]) for r in rows}
    assert ("zhou", "POST", "/projects/{project}/risks", 201) in seen
    assert ("zhou", "GET", "/projects/{project}/risks/export", 200) in seen
    assert ("vic", "POST", "/projects/{project}/risks", 403) in seen  # refused attempts are kept too
    assert all(r["project_id"] == a for r in rows)
    assert anonymous.get("/audit", headers=manager).status_code == 403
    csv_text = client.get("/audit", params={"format": "csv"}).text
    assert csv_text.splitlines()[0].startswith("id,at,actor") and "zhou" in csv_text
    assert {r["actor"] for r in client.get("/audit").json()["items"]} >= {TEST_OWNER, "zhou", "vic"}


def test_with_authentication_off_everyone_is_admin_named_by_x_actor_and_health_warns(tmp_path: Path) -> None:
    container = Container(
        make_settings(tmp_path, auth="off"), embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel()
    )
    with TestClient(create_app(container=container)) as c:
        pid = c.post("/projects", json={"name": "p"}).json()["id"]
        r = c.post(f"/projects/{pid}/risks", json=RISK, headers={"X-Actor": "%E7%8E%8B%E7%A3%8A"})
        history = c.get(f"/projects/{pid}/risks/{r.json()['id']}").json()["history"]
        assert {h["actor"] for h in history} == {"王磊"}
        health = c.get("/health").json()
        assert health["auth"] == "off" and "ASSISTANT_AUTH=off" in health["warnings"][0]
    assert not (tmp_path / "data" / ADMIN_KEY_FILE).exists()
    container.close()


def test_the_first_start_makes_one_admin_key_readable_by_its_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)
    path = settings.data_dir / ADMIN_KEY_FILE
    for start in range(2):
        container = Container(settings, embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel())
        with TestClient(create_app(container=container)) as c:
            key = path.read_text().strip()
            assert c.get("/keys", headers=bearer(key)).json()["total"] == 1
        container.close()
        printed = capsys.readouterr().err
        assert (key in printed) == (start == 0)  # printed once, at the first start only
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_body_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    container = Container(
        make_settings(tmp_path, auth="off", max_request_kb=1),
        embeddings=HashingEmbeddings(),
        chat_model=ScriptedChatModel(),
    )
    with TestClient(create_app(container=container)) as c:
        pid = c.post("/projects", json={"name": "p"}).json()["id"]
        r = c.post(f"/projects/{pid}/requirements/check", json={"text": "The system shall log. " * 200})
        assert r.status_code == 413
        assert r.json()["error"] == "TooLargeError" and "ASSISTANT_MAX_REQUEST_KB" in r.json()["detail"]
    container.close()


def test_the_openapi_names_the_role_of_every_operation_and_the_policy_lists_only_real_ones(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    operations = {(m.upper(), p): op for p, ops in schema["paths"].items() for m, op in ops.items()}
    page_only = {("GET", "/")}  # the web page is not part of the API schema
    assert set(operations) == set(POLICY) - page_only
    for key, op in operations.items():
        rule = POLICY[key]
        if rule.role is None:
            assert "x-required-role" not in op
        else:
            assert op["x-required-role"] == rule.role.value and op["security"] == [{"apiKey": []}]
            assert f"`{rule.role.value}`" in op["description"]


def test_keys_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, client: TestClient
) -> None:
    monkeypatch.setattr(
        cli_common, "make_container", lambda: Container(settings, embeddings=HashingEmbeddings())
    )
    made = CliRunner().invoke(
        cli, ["keys", "create", "ci bot", "--role", "analyst", "--expires-in-days", "30"]
    )
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    assert client.get("/session", headers=bearer(key)).json()["role"] == Role.analyst.value
    listed = CliRunner().invoke(cli, ["keys", "list"])
    assert "ci bot" in listed.stdout and "active" in listed.stdout
    key_id = key.split("_")[1]
    assert CliRunner().invoke(cli, ["keys", "revoke", key_id]).exit_code == 0
    assert client.get("/session", headers=bearer(key)).status_code == 401
    missing = CliRunner().invoke(cli, ["keys", "revoke", "nope"])
    assert missing.exit_code == 1 and "no API key" in missing.output
    audit = CliRunner().invoke(cli, ["audit"])
    assert audit.exit_code == 0 and audit.stdout.startswith("id,at,actor")


def test_the_auth_tables_match_their_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from assistant.db import Base, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    ours = [d for d in diffs if any(t in repr(d) for t in ("api_keys", "web_sessions", "audit_log"))]
    assert ours == []
    engine.dispose()
