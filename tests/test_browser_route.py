"""我的线路 in a real browser, signed in as the demo customer manager: at a phone's 390 px and at
1440 px, the cards readable (nothing wider than the screen), a tap on a retailer opens its spec
history chart. Screenshots land in test-artifacts/screenshots/route_*.png."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright
from test_browser_map import CHROMIUM, SHOTS, open_signed_in, serving, settle

from marketpulse import auth

pytestmark = pytest.mark.browser

ENTRY = """
from marketpulse.ui import shell

shell.start().run()
"""


@pytest.fixture(scope="module")
def server(store_copy, tmp_path_factory):
    entry = tmp_path_factory.mktemp("entry") / "route_app.py"
    entry.write_text(ENTRY, encoding="utf-8")
    with serving(store_copy, entry) as url:
        yield url


@pytest.fixture(scope="module")
def store_copy(demo_store, tmp_path_factory):
    db = tmp_path_factory.mktemp("route") / "store.duckdb"
    shutil.copyfile(demo_store, db)
    auth.ensure_demo_accounts(db)
    return db


@pytest.mark.parametrize("width", [390, 1440])
def test_the_route_on_a_phone_and_a_desk(server, width):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        mobile = width < 600
        context = browser.new_context(
            viewport={"width": width, "height": 844 if mobile else 900},
            locale="zh-CN",
            is_mobile=mobile,
            has_touch=mobile,
            device_scale_factor=2 if mobile else 1,
        )
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        open_signed_in(pg, f"{server}/route", "cm")
        pg.wait_for_selector(".mp-card-head", timeout=60_000)
        settle(pg)
        main = pg.locator('[data-testid="stMain"]')
        assert "我的线路" in main.locator("h1").first.inner_text()
        assert pg.locator('[data-testid="stException"]').count() == 0
        # nothing sticks out past the screen: the page does not scroll sideways
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= width + 1
        cards = pg.locator(".mp-card-head")
        assert cards.count() > 5
        box = cards.first.bounding_box()
        assert box["width"] <= width
        pg.screenshot(path=str(SHOTS / f"route_{width}.png"))
        # tap the first retailer's history
        pg.locator('[data-testid="stMain"] button').filter(has_text="规格走势").first.click()
        pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        settle(pg)
        chart = pg.locator(".js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        assert chart.bounding_box()["width"] <= width
        pg.wait_for_timeout(800)
        pg.screenshot(path=str(SHOTS / f"route_{width}_history.png"))
        context.close()
        browser.close()
