"""The user journeys (see JOURNEYS.md) in a real browser: Chromium driven by Playwright
against `streamlit run app.py` over a copy of the small simulated city, one server for all.

Every page under each scope (the demo accounts: city, 市场部, 片区, 客户经理) and in both
languages draws without an error element and without an empty chart; drill-down goes one
level per click on the weekly matrix, the alert list, the price chart, the 存销比 table and
the manager scorecard, the URL follows each click and the back button returns; the weekly
review and a territory page read at 390 px. Screenshots land in test-artifacts/journeys/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import sync_playwright
from test_browser import CHROMIUM, city, require_chromium, serving, settle  # noqa: F401

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "journeys"
PAGES = ["", "inventory", "prices", "brands", "territory", "managers", "supply", "route"]
CHARTED = {"", "inventory", "prices", "brands", "territory"}  # pages that always draw a chart
ACCOUNTS = ["admin", "department", "territory", "cm"]  # the demo accounts: city, 市场部, 片区, 客户经理
LANGS = {"zh": "", "en": "lang=English"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# an exception, an error box, or a dialog (the app has none of its own: Streamlit's "Page not found")
ERROR = '[data-testid="stException"], [data-testid="stAlertContentError"], [role="dialog"]'


@pytest.fixture(scope="module")
def server(city, tmp_path_factory):  # noqa: F811
    require_chromium()
    db = tmp_path_factory.mktemp("journeys") / "store.duckdb"
    shutil.copyfile(city, db)
    with serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


def sign_in_as(browser, server, name: str, width: int = 1366):
    """A browser context signed in as demo account `name` (its cookie keeps later page loads signed in)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server)
    page.wait_for_selector("input[type=password]")
    page.locator("input[autocomplete=username]").fill(name)
    page.locator("input[type=password]").fill(f"mp-demo-{name}")
    page.locator("input[type=password]").press("Enter")
    page.wait_for_selector("input[type=password]", state="detached", timeout=60_000)
    settle(page)
    page.wait_for_timeout(1_000)  # the session cookie is written by a component after the rerun
    return context, page


def tall(page, width: int = 1366) -> None:
    """Stretch the window to the page's height: Streamlit draws a chart only once it is on screen."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(800, int(height))})
    page.wait_for_timeout(1_000)
    try:  # each chart element has mounted its plot (an unmounted one is a grey placeholder)
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length"
            " <= document.querySelectorAll('.js-plotly-plot').length",
            timeout=15_000,
        )
    except Exception:
        pass


def shoot(page, name: str, width: int = 1366) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(800, int(height))})
    page.wait_for_timeout(700)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": 800})


def open_page(page, server: str, path: str, query: str = "") -> None:
    page.goto(f"{server}/{path}" + (f"?{query}" if query else ""))
    settle(page)


EMPTY_CHARTS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(p =>
    !p.querySelector('.trace path.js-line, .trace .point, .trace path.point, .heatmaplayer image, .boxlayer path')
).length"""


KPIS_FIT = """() => [...document.querySelectorAll('.mp-kpi')].every(k => {
    const column = k.closest('[data-testid="stColumn"]').getBoundingClientRect();
    return k.scrollHeight <= k.clientHeight + 1 && k.getBoundingClientRect().bottom <= column.bottom + 1;
})"""


def empty_charts(page) -> int:
    """Charts with nothing drawn in them (no bar, line, marker, box or heatmap cell) once the
    page has had 20 s to draw them."""
    try:
        page.wait_for_function(f"() => ({EMPTY_CHARTS})() === 0", timeout=20_000)
    except Exception:  # still empty: say how many
        pass
    return page.evaluate(EMPTY_CHARTS)


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("account", ACCOUNTS)
def test_every_page_under_every_scope_and_language(server, browser, account, lang):
    context, page = sign_in_as(browser, server, account)
    try:
        for path in PAGES:
            open_page(page, server, path, LANGS[lang])
            if path == "" and account == "cm":  # a manager's session opens on the route: the 周报 is in the menu
                open_from_menu(page, 0)
            if path in CHARTED:  # the run has reached its charts (a cold cache can take a while)
                page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=90_000)
                settle(page)
            tall(page)  # every chart on the screen, so each is drawn
            assert page.locator(ERROR).count() == 0, f"{account} {lang} /{path}: an error is shown"
            assert empty_charts(page) == 0, f"{account} {lang} /{path}: an empty chart"
            assert page.evaluate(KPIS_FIT), f"{account} {lang} /{path}: a KPI card's lines run out of it"
            shoot(page, f"{account}_{lang}_{path or 'weekly'}")
            if lang == "en":  # the page's own title is English (names of places and specs stay Chinese)
                assert not CJK.search(page.locator('[data-testid="stMain"] h1').first.inner_text())
    finally:
        context.close()


def heading(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text()


def open_from_menu(page, index: int) -> None:
    """Open the sidebar menu's `index`-th page, as a click in the menu does (the same session)."""
    page.locator('[data-testid="stSidebarNav"] a').nth(index).click()
    page.wait_for_timeout(500)
    settle(page)


@pytest.mark.parametrize("account, home", [("admin", "营销周报"), ("territory", "营销周报"), ("cm", "我的线路")])
def test_signing_in_at_the_root_opens_where_the_accounts_work_starts(server, browser, account, home):
    """The center and a 片区 start from the weekly review; a customer manager on the road from
    this week's route (JOURNEYS: "sign in on a 390 px screen: this week's retailers"). The 周报
    keeps the root address and stays one click away in the menu."""
    context, page = sign_in_as(browser, server, account, width=390 if account == "cm" else 1366)
    try:
        page.wait_for_function(
            f"() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.startsWith({home!r})"
        )
        assert page.locator(ERROR).count() == 0
        assert page.get_by_text("Page not found").count() == 0
        if account == "cm":
            assert page.url.split("?")[0].rstrip("/").endswith("/route"), page.url
            page.set_viewport_size({"width": 1366, "height": 800})  # the menu, beside the page
            open_from_menu(page, 0)
            assert heading(page).startswith("营销周报") and page.locator(ERROR).count() == 0
    finally:
        context.close()


def click_row(page, key: str, row: int = 0) -> None:
    """Select a row of a st.dataframe (a canvas grid) by its row-marker cell."""
    grid = page.locator(f"[class*='st-key-{key}'] [data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17 + 35 * row)


def click_chart(page, key: str, fx: float, fy: float) -> None:
    """Click a plotly chart at a fraction of its plotting area (0,0 = top left)."""
    area = page.locator(f"[class*='st-key-{key}'] .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def wait_for_param(page, name: str) -> None:
    page.wait_for_function(f"() => new URLSearchParams(location.search).has('{name}')", timeout=30_000)
    settle(page)


def params(page) -> dict[str, str]:
    query = page.url.split("?", 1)[1] if "?" in page.url else ""
    return dict(unquote(p.replace("+", " ")).split("=", 1) for p in query.split("&") if "=" in p)


def go_back(page, expected: str) -> None:
    page.go_back()
    page.wait_for_function(f"() => location.href === {expected!r}", timeout=30_000)
    settle(page)


def test_weekly_matrix_and_alerts_drill_one_level_per_click_and_back_returns(server, browser):
    context, page = sign_in_as(browser, server, "admin")
    try:
        open_page(page, server, "")
        start = page.url
        click_chart(page, "state_matrix", 0.1, 0.03)  # the first 片区's column: its 市场部
        wait_for_param(page, "dep")
        assert "ter" not in params(page), page.url
        after_dep = page.url
        shoot(page, "drill_weekly_1_department")
        click_chart(page, "state_matrix", 0.1, 0.03)  # a 片区 of that 市场部
        wait_for_param(page, "ter")
        assert "cm" not in params(page) and "spec" not in params(page), page.url
        after_ter = page.url
        shoot(page, "drill_weekly_2_territory")
        click_chart(page, "state_matrix", 0.9, 0.03)  # a spec of that 片区: the retailers behind it
        wait_for_param(page, "spec")
        shoot(page, "drill_weekly_3_retailers")
        page.wait_for_selector("[data-testid='stMain'] h3:has-text('各零售户')", timeout=30_000)  # the cell's retailers
        assert page.locator(ERROR).count() == 0
        go_back(page, after_ter)
        go_back(page, after_dep)
        go_back(page, start)
        assert "dep" not in params(page)

        click_row(page, "alerts")  # the most severe alert: its spec × 片区, or its manager
        page.wait_for_function(
            "() => ['ter', 'cm'].some(k => new URLSearchParams(location.search).has(k))", timeout=30_000
        )
        settle(page)
        assert page.locator(ERROR).count() == 0
        shoot(page, "drill_weekly_alert")
    finally:
        context.close()


def test_an_alert_that_opens_another_page_keeps_the_language(server, browser):
    """A manager's alert (照搬照抄, 漏访) opens 客户经理: in English it stays English."""
    context, page = sign_in_as(browser, server, "admin")
    try:
        open_page(page, server, "", LANGS["en"])
        start = page.url
        for row in range(6):  # the first manager's alert in the list
            click_row(page, "alerts", row)
            page.wait_for_function(
                "() => ['ter', 'cm'].some(k => new URLSearchParams(location.search).has(k))", timeout=30_000
            )
            settle(page)
            if "/managers" in page.url:
                break
            go_back(page, start)
        else:
            pytest.skip("no manager's alert among the first six")
        assert "lang=English" in page.url
        assert not CJK.search(heading(page)), heading(page)
        assert page.locator(ERROR).count() == 0
    finally:
        context.close()


def test_price_chart_and_cover_table_drill_to_the_next_level_each_click(server, browser):
    context, page = sign_in_as(browser, server, "admin")
    try:
        open_page(page, server, "prices")
        for name in ("dep", "ter", "cm"):
            page.wait_for_selector("[class*='st-key-by_level'] .main-svg")
            click_chart(page, "by_level", 0.25, 0.5)
            wait_for_param(page, name)
            deeper = {"dep": ("ter", "cm"), "ter": ("cm",), "cm": ()}[name]
            assert not set(deeper) & set(params(page)), f"skipped a level: {page.url}"
        shoot(page, "drill_prices_cm")

        open_page(page, server, "inventory")
        urls = [page.url]
        for name, level in (("dep", "department"), ("ter", "territory"), ("cm", "cm")):
            click_row(page, f"inventory_table_{level}")
            wait_for_param(page, name)
            urls.append(page.url)
            assert page.locator(ERROR).count() == 0
        shoot(page, "drill_inventory_retailers")
        for url in reversed(urls[:-1]):
            go_back(page, url)
        assert not {"dep", "ter", "cm"} & set(params(page))
    finally:
        context.close()


def test_leadership_sees_every_new_specs_progress_and_a_row_opens_its_curves(server, browser):
    """JOURNEYS, leadership: every new spec's progress against target as a number and a curve,
    the laggard territories named; a click on a spec's row draws its curves below."""
    context, page = sign_in_as(browser, server, "leader")
    try:
        open_page(page, server, "brands")
        page.wait_for_selector("h2:has-text('新品进度'), h3:has-text('新品进度')", timeout=60_000)
        assert page.locator("[class*='st-key-brand_progress'] [data-testid='stDataFrame']").count() == 1
        # the caption, drawn after the table, names the rule (the table's own header cells are
        # a hidden copy for screen readers, present only while the column is scrolled into view)
        caption = page.locator('[data-testid="stCaptionContainer"]', has_text="滞后片区")
        caption.first.wait_for(timeout=30_000)
        shoot(page, "leader_brands_progress")
        click_row(page, "brand_progress", 1)  # the second newest spec
        wait_for_param(page, "new_spec")
        tall(page)
        assert page.locator(ERROR).count() == 0 and empty_charts(page) == 0
        shoot(page, "leader_brands_second_spec")
    finally:
        context.close()


def test_a_manager_row_opens_the_detail_and_back_closes_it(server, browser):
    context, page = sign_in_as(browser, server, "territory")
    try:
        open_page(page, server, "managers")
        before = page.url
        click_row(page, "scorecard")
        wait_for_param(page, "cm")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        assert page.locator('[data-testid="stMain"] h3').count() >= 2  # the scorecard, then the manager's detail
        shoot(page, "drill_manager_detail")
        go_back(page, before)
        assert "cm" not in params(page)
    finally:
        context.close()


@pytest.mark.parametrize("account, path", [("admin", ""), ("territory", ""), ("territory", "territory")])
def test_phone_width_reads_without_sideways_scrolling(server, browser, account, path):
    context, page = sign_in_as(browser, server, account, width=390)
    try:
        open_page(page, server, path)
        page.wait_for_timeout(800)
        assert page.locator(ERROR).count() == 0
        assert page.evaluate(KPIS_FIT), "a KPI card's lines run out of it"
        overflow = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
        assert overflow <= 392, f"the page is {overflow} px wide at 390"
        shoot(page, f"phone_{account}_{path or 'weekly'}", width=390)
    finally:
        context.close()
