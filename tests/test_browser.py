"""The dashboard in a real browser: Debian's Chromium driven by Playwright against
`streamlit run app.py` on a free port, on a copy of the small simulated city.

Every page loads with its charts and no error element, the language switch changes the
headings, a filter survives a reload through the URL, a shared link opens its page even as
a fresh server's first request, a CSV download arrives, and a full-page screenshot of every
page lands in test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import sync_playwright

from marketpulse import store

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_secret")]  # one token key for every server

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PAGES = [  # url path, zh heading, en heading, whether the page draws a chart
    ("", "营销周报", "Weekly market review", True),
    ("inventory", "存销比监控", "Inventory cover", True),
    ("prices", "价格指数", "Prices", True),
    ("brands", "新品牌培育", "Brand cultivation", True),
    ("territory", "片区趋势", "Territory trends", True),
    ("managers", "客户经理", "Customer managers", False),
    ("supply", "货源建议", "Supply", True),
    ("data", "数据", "Data", False),
]
LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def require_chromium(path: str = CHROMIUM) -> None:
    """Fail (never skip) when the browser is missing: these tests are part of every run."""
    if not Path(path).exists():
        pytest.fail(
            f"Chromium not found at {path}: install it (apt-get install chromium; .ci/run does) "
            "to run the browser tests",
            pytrace=False,
        )


def test_a_missing_chromium_fails_rather_than_skips(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="Chromium not found"):
        require_chromium(str(tmp_path / "no-chromium"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def city(request, tmp_path_factory) -> Path:
    """The small simulated city: the shared `demo_store` fixture, else built here."""
    try:
        return Path(request.getfixturevalue("demo_store"))
    except pytest.FixtureLookupError:
        path = tmp_path_factory.mktemp("city") / "demo.duckdb"
        subprocess.run(
            [sys.executable, "-m", "marketpulse", "demo", "--scale", "small"],
            cwd=ROOT,
            env={**os.environ, "MARKETPULSE_DB": str(path)},
            check=True,
            capture_output=True,
        )
        return path


@contextlib.contextmanager
def serving(db: Path):
    """`streamlit run app.py` on a free port over the store `db`; yields its URL."""
    port = _free_port()
    log_path = db.with_suffix(".log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env={**os.environ, "MARKETPULSE_DB": str(db)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"streamlit did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def server(city, tmp_path_factory):
    """A dashboard on a free port, over a private copy of the demo store."""
    require_chromium()
    db = tmp_path_factory.mktemp("browser") / "store.duckdb"
    shutil.copyfile(city, db)
    # stored forecasts, so the supply page has something to draw (as after a weekly refresh)
    subprocess.run(
        [sys.executable, "-m", "marketpulse", "forecast", "--origins", "4", "--workers", "1"],
        cwd=ROOT,
        env={**os.environ, "MARKETPULSE_DB": str(db)},
        check=True,
        capture_output=True,
    )
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


@pytest.fixture
def page(browser, city, session_cookie):
    """A browser tab signed in as admin (the session cookie a sign-in leaves)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    context.add_cookies([session_cookie("admin", city)])
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    yield pg
    context.close()


def settle(pg) -> None:
    """Wait until the app has finished running (no running indicator, main heading shown)."""
    pg.wait_for_selector('[data-testid="stMain"] h1', timeout=45_000)
    pg.wait_for_timeout(500)
    pg.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')"
        ' && !document.querySelector(\'[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]\')'
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=45_000,
    )
    pg.wait_for_timeout(500)


def shoot(pg, name: str) -> None:
    """Full-page screenshot at 1366 wide: the app scrolls inside its main block, so the
    window is stretched to the content's height first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    pg.set_viewport_size({"width": 1366, "height": max(768, int(height))})
    pg.wait_for_timeout(700)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    pg.set_viewport_size({"width": 1366, "height": 768})


def headings(pg) -> str:
    return " ".join(
        pg.locator('[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3').all_inner_texts()
    )


@pytest.mark.parametrize("path, zh, en, has_chart", PAGES, ids=[p[0] or "weekly" for p in PAGES])
def test_page_loads_with_charts_and_no_error(server, page, path, zh, en, has_chart):
    page.goto(f"{server}/{path}")
    settle(page)
    assert zh in page.locator('[data-testid="stMain"] h1').first.inner_text()
    if has_chart:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.wait_for_timeout(600)
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, path or "weekly")


def test_language_switch_changes_every_heading(server, page):
    page.goto(server)
    settle(page)
    zh_heads = headings(page)
    assert not LATIN_WORD.search(zh_heads), zh_heads
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1').innerText.includes('Weekly')")
    settle(page)
    page.wait_for_function(  # the last headings of the rerun replace the Chinese ones
        '() => ![...document.querySelectorAll(\'[data-testid="stMain"] h1, [data-testid="stMain"] h2,'
        ' [data-testid="stMain"] h3\')].some(h => /[\\u4e00-\\u9fff]/.test(h.innerText))',
        timeout=20_000,
    )
    en_heads = headings(page)
    assert not CJK.search(en_heads), en_heads
    assert "lang=English" in page.url
    shoot(page, "weekly_en")


def test_a_language_link_survives_a_page_of_the_menu_a_reload_and_the_back_button(server, page):
    """?lang=en opens English; another page of the menu (opened without the query) stays English
    and the address names it, so a reload does too; switching to 中文 and going back returns to English."""

    def heading() -> str:
        return page.locator('[data-testid="stMain"] h1').first.inner_text()

    page.goto(f"{server}/inventory?lang=en")
    settle(page)
    assert not CJK.search(heading())
    page.locator('[data-testid="stSidebarNav"] a[href$="/prices"]').first.click()
    page.wait_for_url("**/prices?lang=English", timeout=30_000)
    settle(page)
    assert not CJK.search(heading())
    page.reload()
    settle(page)
    assert "lang=English" in page.url and not CJK.search(heading())
    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    page.wait_for_function("() => !location.search.includes('lang=')", timeout=30_000)
    settle(page)
    assert CJK.search(heading())
    page.go_back()
    page.wait_for_url("**/prices?lang=English", timeout=30_000)
    settle(page)
    assert not CJK.search(heading())


def test_filter_survives_a_reload(server, page):
    page.goto(server)
    settle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="片区").first
    option = page.locator('[role="option"]').first
    for _ in range(3):  # the first click can land while the sidebar is still re-rendering
        box.locator("input").first.click()
        try:
            option.wait_for(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    chosen = option.inner_text()
    option.click()
    page.wait_for_url(re.compile(r"[?&]ter="))
    settle(page)
    page.reload()
    settle(page)
    assert "ter=" in page.url
    sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="片区").first
    assert chosen in sidebar.inner_text() + sidebar.locator("input").first.input_value()
    assert (
        chosen in page.locator(".js-plotly-plot .infolayer").first.text_content()
    )  # the chart subtitle names the filter


def manager_link(city) -> tuple[str, str]:
    """The first customer manager's name, and the ?cm= value the sidebar's picker shows for them."""
    cm = store.Reader(city).sql("select cm_code, cm_name from customer_manager order by cm_code limit 1")
    return cm["cm_name"][0], f"{cm['cm_name'][0]} ({cm['cm_code'][0]})"


def test_manager_detail_opens_from_a_shared_url(server, page, city):
    name, label = manager_link(city)
    page.goto(f"{server}/managers?cm={quote(label)}")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    assert name in headings(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, "managers_detail")


def test_a_deep_link_as_the_first_request_of_a_fresh_server_opens_its_page(city, page, tmp_path):
    """No page was visited before: the link alone must pick the page and its filter."""
    db = tmp_path / "store.duckdb"
    shutil.copyfile(city, db)
    name, label = manager_link(city)
    with serving(db) as url:
        page.goto(f"{url}/managers?cm={quote(label)}")
        settle(page)
        assert "客户经理" in page.locator('[data-testid="stMain"] h1').first.inner_text()
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        assert name in headings(page)
        assert "/managers" in page.url and "cm=" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0


def test_csv_download_arrives(server, page, tmp_path):
    page.goto(f"{server}/data")
    settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 CSV").first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".csv"
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Chinese Excel reads it as UTF-8
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) > 1


def click_first_row(pg, table_key: str) -> None:
    """Select the first data row of a st.dataframe (a canvas grid) by its row-marker cell."""
    grid = pg.locator(f"[class*='st-key-{table_key}'] [data-testid='stDataFrame']").first  # keys carry the drill level
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    pg.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # header row 35 px, then the first row's middle


@pytest.mark.parametrize("lang", ["zh", "English"])
def test_inventory_drills_one_level_per_click_and_the_url_follows(server, page, lang):
    """City → 市场部 → 片区 → 客户经理: each click on the table's first row opens exactly the next
    level, and the URL carries the filter (a reload shows the same level). The English run
    starts from a link written by hand with the language code (?lang=en) and stays English after
    the reload."""
    suffix = "" if lang == "zh" else "?lang=en"
    page.goto(f"{server}/inventory{suffix}")
    settle(page)
    if lang == "English":  # the code opens the page in English
        assert not CJK.search(page.locator('[data-testid="stMain"] h1').first.inner_text())
    levels = ("dep", "ter", "cm")
    for depth, key in enumerate(levels):
        click_first_row(page, f"inventory_table_{('department', 'territory', 'cm')[depth]}")
        try:
            page.wait_for_function(f"() => location.search.includes('{key}=')", timeout=30_000)
        finally:
            shoot(page, f"inventory_drill_{lang}_{depth}")
        settle(page)
        for deeper in levels[depth + 1 :]:
            assert f"{deeper}=" not in page.url, f"skipped a level: {page.url}"
        assert page.locator('[data-testid="stException"]').count() == 0
    url = page.url
    page.reload()
    settle(page)
    assert page.url == url and all(f"{k}=" in page.url for k in levels)
    if lang == "English":  # the address named the language once the code had opened it: a reload keeps it
        assert "lang=English" in url
        assert not CJK.search(page.locator('[data-testid="stMain"] h1').first.inner_text())
    shoot(page, f"inventory_drilled_{lang}")
