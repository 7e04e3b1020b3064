from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveApp, make_project, sign_in


def test_sign_in_lands_on_a_dashboard_and_a_bad_key_is_said_in_words(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Sign-in check")
    page.goto(live_app.url + "/")
    page.get_by_label("API key").fill("ra_nope_nope")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Not signed in")
    sign_in(page, live_app)
    expect(page.get_by_test_id("role")).to_have_text("admin")
    expect(page.get_by_role("heading", name=re.compile("Dashboard"))).to_be_visible()
    assert "/p/" in page.url
    page.goto(f"{live_app.url}/#/p/{pid}")
    expect(page.get_by_role("heading", name=re.compile("Dashboard"))).to_contain_text("Sign-in check")
