"""The web app on the real embedded stack: the packaged embedders and the local LLM the set-up installs, no fakes.
One small document uploaded in the browser, one question asked, the answer streamed with a citation that opens
its passage. Marked `integration` as well: it loads the real models (a minute or two on two cores)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from api.container import Container
from assistant.auth import service as auth_service
from assistant.auth.roles import Role
from assistant.errors import ProviderUnavailableError
from assistant.providers.llama_server import model_path
from tests.conftest import MODEL_CACHE_DIR, make_settings
from tests.e2e.conftest import clear_assistant_environment, new_page, save_screenshot, serving, sign_in_at
from tests.e2e.test_documents_and_ask import KICKOFF

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

MODEL_MS = 150_000  # the local model's start and its answer on a busy two-core machine


@pytest.fixture(scope="module")
def real_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app with every provider at its default (local embedders, local LLM); yields its URL and an admin key."""
    clear_assistant_environment()
    settings = make_settings(
        tmp_path_factory.mktemp("real"),
        embeddings_provider="local",
        llm_provider="local",
        cache_dir=MODEL_CACHE_DIR,
        llm_timeout_s=300,
    )
    try:
        model_path(settings)
    except ProviderUnavailableError as exc:
        pytest.fail(str(exc))
    container = Container(settings)
    admin = auth_service.create_key(container.sessions, name="e2e real", owner="e2e-real", role=Role.admin)
    try:
        with serving(container) as url:
            yield url, admin.key
    finally:
        container.close()


def test_upload_ask_and_follow_a_citation_on_the_real_stack(
    real_app: tuple[str, str], browser: Browser, request: pytest.FixtureRequest
) -> None:
    url, key = real_app
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
        resp = client.post("/projects", json={"name": "Real stack"})
        assert resp.status_code == 201, resp.text
        pid = resp.json()["id"]
    context, page, console = new_page(browser)
    context.set_default_timeout(MODEL_MS)
    try:
        sign_in_at(page, url, key, path=f"/#/p/{pid}/documents")
        page.get_by_test_id("file-input").set_input_files([str(KICKOFF)])
        expect(page.get_by_test_id("upload-batch")).to_contain_text(
            re.compile(r"(\d+) of \1 finished · done"), timeout=MODEL_MS
        )
        expect(page.get_by_test_id("upload-file").first).to_contain_text("indexed", timeout=MODEL_MS)

        page.goto(f"{url}/#/p/{pid}/ask")
        page.get_by_label("Your question").fill("接口联调什么时候开始？")
        page.get_by_role("button", name="Ask", exact=True).click()
        # The answer arrives in pieces while the model writes, then as the checked answer with its citations.
        expect(page.get_by_test_id("live-answer")).not_to_be_empty(timeout=MODEL_MS)
        answer = page.get_by_test_id("answer")
        expect(answer).to_be_visible(timeout=MODEL_MS)
        expect(answer).to_contain_text(re.compile(r"\[\d+\]"), timeout=MODEL_MS)
        expect(answer).to_contain_text(re.compile(r"5\s*月\s*11|05-11|May 11|11 May"), timeout=MODEL_MS)
        page.get_by_role("button", name=re.compile(r"Citation \[\d+\]")).first.click()
        passage = page.get_by_test_id("passage")
        expect(passage).to_contain_text(KICKOFF.name, timeout=MODEL_MS)
        expect(passage.locator("mark.quote").first).to_be_visible(timeout=MODEL_MS)
        save_screenshot(page, request)
        assert not console.problems, console.problems
    finally:
        context.close()
