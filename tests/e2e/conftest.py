"""End-to-end tests of the web app: the real app (fake model and embeddings, authentication on) served by uvicorn
on a free loopback port, driven by Debian's Chromium through Playwright. Each test saves a screenshot of what it
ended on under build/e2e/ (ASSISTANT_E2E_OUTPUT moves it)."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.container import Container
from api.main import create_app
from api.web_app import read_page
from assistant.auth import service as auth_service
from assistant.auth.roles import Role
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from tests.api.test_plans_api import REPLY
from tests.conftest import DEMO_DIR, REPO, make_settings

pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency (requirements.lock)")
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    sync_playwright,
)

# Read at import: tests/conftest.py's autouse fixture clears ASSISTANT_* variables before each test.
CHROMIUM = Path(os.environ.get("ASSISTANT_E2E_CHROMIUM", "/usr/bin/chromium"))
# Chromium's own traffic (updates, sync, first-run pages) has nowhere to go on a machine without a network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
OUTPUT = Path(os.environ.get("ASSISTANT_E2E_OUTPUT") or REPO / "build" / "e2e")  # read at import, as below
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@dataclass
class LiveApp:
    url: str
    container: Container
    chat_model: ScriptedChatModel
    admin_key: str
    keys: dict[str, str] = field(default_factory=dict)

    def api(self, key: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {key or self.admin_key}"}, timeout=60
        )

    def key_for(self, role: Role) -> str:
        if role.value not in self.keys:
            created = auth_service.create_key(
                self.container.sessions, name=f"e2e {role.value}", owner=f"e2e-{role.value}", role=role
            )
            self.keys[role.value] = created.key
        return self.keys[role.value]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Not product settings: where the test run's own servers are (scripts/test.sh) and what the e2e run writes.
# Clearing them here, for the whole session, made the integration tests after tests/e2e skip their real Chroma
# and PostgreSQL.
_TEST_RUN_VARIABLES = ("ASSISTANT_E2E", "ASSISTANT_TEST_")


def clear_assistant_environment() -> None:
    """The app under test reads its settings from arguments only, never from the developer's environment."""
    for key in [
        k for k in os.environ if k.startswith("ASSISTANT_") and not k.startswith(_TEST_RUN_VARIABLES)
    ]:
        os.environ.pop(key)


@contextmanager
def serving(container: Container) -> Iterator[str]:
    """The app made from ``container``, served by uvicorn on a free loopback port; yields its URL."""
    if read_page() is None:
        pytest.fail("the web app is not built: run scripts/setup.sh (npm ci && npm run build in web/)")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(container=container), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    clear_assistant_environment()
    # The scripted model answers what a test queued: no query translation may take those replies first.
    settings = make_settings(tmp_path_factory.mktemp("e2e"), retrieval_ask_translate="never")
    chat_model = ScriptedChatModel()
    container = Container(settings, embeddings=HashingEmbeddings(), chat_model=chat_model)
    admin = auth_service.create_key(container.sessions, name="e2e admin", owner="e2e-admin", role=Role.admin)
    try:
        with serving(container) as url:
            yield LiveApp(url, container, chat_model, admin.key)
    finally:
        container.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh installs it)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Console:
    """What the page said in its console: a CSP refusal or an uncaught error fails the test."""

    problems: list[str] = field(default_factory=list)

    def hear(self, msg: ConsoleMessage) -> None:
        # Chromium logs every 4xx/5xx response as "Failed to load resource"; the app shows those in words, and
        # the tests that provoke them check the words.
        if msg.text.startswith("Failed to load resource"):
            return
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.problems.append(f"{msg.type}: {msg.text}")


def new_page(
    browser: Browser, *, locale: str = "en-US", viewport: ViewportSize | None = None
) -> tuple[BrowserContext, Page, Console]:
    context = browser.new_context(
        locale=locale, viewport=viewport or DESKTOP, accept_downloads=True, reduced_motion="reduce"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console = Console()
    page.on("console", console.hear)
    page.on("pageerror", lambda exc: console.problems.append(f"pageerror: {exc}"))
    return context, page, console


def save_screenshot(page: Page, request: pytest.FixtureRequest, suffix: str = "") -> Path:
    """The whole page as <test name><suffix>.png under OUTPUT."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    path = OUTPUT / f"{name}{suffix}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """An English page at 1280 px, saved as a screenshot when the test ends (passed or failed); the test fails
    if the console reports an error or a CSP refusal."""
    context, page, console = new_page(browser)
    yield page
    if not page.is_closed():
        save_screenshot(page, request)
    problems = list(console.problems)
    context.close()
    assert not problems, problems


def sign_in_at(page: Page, url: str, key: str, path: str = "/") -> None:
    page.goto(url + path)
    page.get_by_label(re.compile("API key|API 密钥")).fill(key)
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    page.get_by_test_id("who").wait_for()


def sign_in(page: Page, app: LiveApp, key: str | None = None, path: str = "/") -> None:
    sign_in_at(page, app.url, key or app.admin_key, path)


def make_project(app: LiveApp, name: str) -> str:
    with app.api() as client:
        resp = client.post("/projects", json={"name": name})
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])


def upload_files(app: LiveApp, project: str, paths: list[Path]) -> dict:
    with app.api() as client:
        files = [("files", (p.name, p.read_bytes())) for p in paths]
        job = client.post(f"/projects/{project}/documents", files=files).json()
        deadline = time.monotonic() + 120
        while (status := client.get(f"/jobs/{job['job_id']}").json())["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        return status


def demo_files() -> list[Path]:
    return sorted(p for p in DEMO_DIR.iterdir() if p.is_file())


@pytest.fixture
def plan_model(live_app: LiveApp) -> Iterator[ScriptedChatModel]:
    """The fake model answers every call of a plan's draft with the reply the plans API tests use."""
    live_app.chat_model.default_reply = json.dumps(REPLY, ensure_ascii=False)
    yield live_app.chat_model
    live_app.chat_model.default_reply = None


@pytest.fixture(scope="session")
def demo_project(live_app: LiveApp) -> str:
    """The demo's documents in one project, for the tests that draft plans on them."""
    pid = make_project(live_app, "Plan check")
    assert upload_files(live_app, pid, demo_files())["status"] == "done"
    return pid


def draft(app: LiveApp, pid: str, **body: object) -> dict:
    """A plan drafted over the API, read back when its job has ended."""
    with app.api() as client:
        resp = client.post(f"/projects/{pid}/plans", json=body)
        assert resp.status_code == 202, resp.text
        accepted = resp.json()
        deadline = time.monotonic() + 60
        while client.get(f"/jobs/{accepted['job_id']}").json()["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        plan = client.get(f"/projects/{pid}/plans/{accepted['plan_id']}").json()
    assert plan["status"] == "ready", plan.get("reason")
    return plan
