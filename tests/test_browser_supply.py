"""The supply page's plan in a real browser, under every scope and in both languages: the
plan heading, the totals beside the city, the editable 限量 and no error element."""

from __future__ import annotations

import pytest
from test_browser import browser, city, page, server, settle, shoot  # noqa: F401 — shared fixtures

pytestmark = pytest.mark.browser

ACCOUNTS = ["center", "department", "territory", "cm"]  # the demo accounts: city, 市场部, 片区, 客户经理


def sign_in(pg, url: str, name: str) -> None:
    """Open the page and sign in with the demo account `name` (its password is public in the demo)."""
    pg.goto(url)
    field = pg.locator('input[autocomplete="username"]')
    field.first.wait_for(timeout=90_000)  # the demo store asks everyone to sign in
    field.first.fill(name)
    pg.locator('input[type="password"]').first.fill(f"mp-demo-{name}")
    pg.locator('[data-testid="stFormSubmitButton"] button').first.click()
    field.first.wait_for(state="detached", timeout=90_000)  # signed in: the form is gone (a cold server is slow)
    settle(pg)
    pg.goto(url)  # the session cookie keeps the sign-in; the address keeps the language
    settle(pg)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_plan_opens_under_every_scope_and_language(server, page, account, lang):  # noqa: F811
    sign_in(page, f"{server}/supply", account)
    if lang == "en":  # the language switch at the top of the sidebar
        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).first.click()
        settle(page)
    heading = "下周投放方案" if lang == "zh" else "Next week's supply plan"
    try:
        page.locator('[data-testid="stMain"] h3', has_text=heading).first.wait_for(timeout=180_000)
    except Exception:
        shoot(page, f"supply_plan_{account}_{lang}_failed")  # what the page showed instead
        raise
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('[data-testid="stException"]').count() == 0
    editable = "限量(可修改" if lang == "zh" else "Limits (editable"
    read_only = "限量(营销中心审批前可修改" if lang == "zh" else "Limits (the center edits"
    # the center edits the 限量 and uploads what is available; every other role reads them
    assert main.get_by_text(editable if account == "center" else read_only).count() >= 1
    assert (main.locator('[data-testid="stFileUploader"]').count() > 0) == (account == "center")
    if account == "center":  # Streamlit's own uploader words, in the page's language
        button = main.locator('[data-testid="stFileUploaderDropzone"] button p').first
        shown = button.evaluate("p => getComputedStyle(p, '::after').content")
        assert shown == ('"选择文件"' if lang == "zh" else "none"), shown
    if account != "center":  # a scope is shown against the city
        share = "占全市" if lang == "zh" else "of the city"
        assert main.get_by_text(share).count() >= 1
    shoot(page, f"supply_plan_{account}_{lang}")
