"""The map in a real browser with no network: Chromium (Playwright) against `streamlit run` on a
copy of the small simulated city, every request outside the local server refused and recorded.

The map draws from the retailers' own positions (no outlines imported), then with imported
GeoJSON outlines; a click on a 片区 opens it. Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import json
import os
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

from marketpulse import auth, store
from marketpulse.simulate import geo as demo_geo
from marketpulse.views import geo

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ENTRY = """
from marketpulse.ui import shell

shell.start().run()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db: Path, entry: Path):
    port = _free_port()
    log_path = db.with_suffix(".log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(entry), "--server.headless", "true"]
            + ["--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT,
            env={**os.environ, "MARKETPULSE_DB": str(db), "MARKETPULSE_MAP_TILES": ""},
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
def store_copy(demo_store, tmp_path_factory) -> Path:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}", pytrace=False)
    db = tmp_path_factory.mktemp("map") / "store.duckdb"
    shutil.copyfile(demo_store, db)
    auth.ensure_demo_accounts(db)
    return db


@pytest.fixture(scope="module")
def server(store_copy, tmp_path_factory):
    entry = tmp_path_factory.mktemp("entry") / "map_app.py"
    entry.write_text(ENTRY, encoding="utf-8")
    with serving(store_copy, entry) as url:
        yield url


@pytest.fixture
def page(server):
    """A page that may reach the local server only; what else it asks for is in `page.outside`."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        outside: list[str] = []

        def route(r):
            if r.request.url.startswith(server) or r.request.url.startswith(("data:", "blob:")):
                return r.continue_()
            outside.append(r.request.url)
            return r.abort()

        context.route("**/*", route)
        pg = context.new_page()
        pg.set_default_timeout(45_000)
        pg.outside = outside
        yield pg
        context.close()
        browser.close()


def settle(pg) -> None:
    pg.wait_for_selector('[data-testid="stMain"] h1', timeout=45_000)
    pg.wait_for_timeout(500)
    pg.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')"
        ' && !document.querySelector(\'[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]\')'
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=45_000,
    )
    pg.wait_for_timeout(500)


def open_signed_in(pg, url: str, account: str = "admin") -> None:
    """Open `url`; sign in with the demo `account` when the sign-in form shows."""
    pg.goto(url)
    settle(pg)
    # the sign-in form, or the app's filters when the session is signed in already
    pg.wait_for_selector('input[type="password"], [data-testid="stSidebar"] [data-testid="stSelectbox"]')
    if pg.locator('input[type="password"]').count():
        form = pg.locator('[data-testid="stForm"]').first
        form.locator("input").first.fill(account)
        pg.locator('input[type="password"]').fill(f"mp-demo-{account}")
        pg.locator('input[type="password"]').press("Enter")
        pg.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=45_000)
        settle(pg)


def wait_for_map(pg) -> None:
    pg.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=45_000)
    pg.wait_for_timeout(800)
    assert pg.locator('[data-testid="stException"]').count() == 0


def shoot(pg, name: str) -> None:
    """Full-page screenshot: the app scrolls inside its main block, so the window is stretched first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    pg.set_viewport_size({"width": 1366, "height": max(900, int(height))})
    pg.wait_for_timeout(700)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    pg.set_viewport_size({"width": 1366, "height": 900})


def test_the_map_draws_offline_from_the_retailers_positions(server, page, store_copy):
    open_signed_in(page, f"{server}/map")
    wait_for_map(page)
    assert "市场地图" in page.locator('[data-testid="stMain"] h1').first.inner_text()
    plot = page.locator(".js-plotly-plot").first
    # one filled outline per 片区, the shops as dots, a label per 片区
    territories = store.reader(store_copy).sql("select territory_name from territory")
    text = plot.inner_text()
    assert all(name in text for name in territories.territory_name)
    assert plot.locator(".scatterlayer .trace").count() >= len(territories) + 2
    assert plot.locator(".scatterlayer .point").count() > 100
    assert "未导入片区边界" in page.locator('[data-testid="stMain"]').inner_text()
    shoot(page, "map_hulls")
    assert not page.outside, f"the map asked the network for {page.outside[:5]}"


def test_a_spec_metric_and_a_click_that_drills_into_a_territory(server, page):
    open_signed_in(page, f"{server}/map?map_metric={quote('市场状态')}")  # a bound picker's URL holds its label
    wait_for_map(page)
    assert "平衡" in page.locator(".js-plotly-plot").first.inner_text()  # the state legend
    shoot(page, "map_state")
    labels = page.locator(".js-plotly-plot .scatterlayer .trace").last.locator(".point")
    labels.first.click(force=True)
    page.wait_for_function("() => location.search.includes('ter=')", timeout=30_000)
    settle(page)
    wait_for_map(page)
    shoot(page, "map_drilled")
    assert not page.outside, f"the map asked the network for {page.outside[:5]}"


def test_imported_outlines_are_drawn(server, page, store_copy, tmp_path):
    territories = store.reader(store_copy).sql(
        "select territory_code, department_code, area_type from territory order by 1"
    )
    centres = demo_geo.territory_centres(territories)
    features = []
    for code, (x, y) in centres.items():
        r = 0.025 if territories.set_index("territory_code").area_type[code] == "城网" else 0.06
        ring = [
            [x + r * dx, y + r * dy] for dx, dy in ((-1, -1), (0, -1.3), (1, -1), (1.2, 0.5), (0, 1.2), (-1.1, 0.6))
        ]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {"片区编码": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = tmp_path / "shapes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    assert geo.import_shapes(path, store_copy)[0] == len(features)
    open_signed_in(page, f"{server}/map?map_metric={quote('价格指数')}")
    wait_for_map(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert f"已导入 {len(features)} 个" in main and "未导入片区边界" not in main
    shoot(page, "map_imported")
    assert not page.outside, f"the map asked the network for {page.outside[:5]}"
