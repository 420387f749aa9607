"""A shell import while the dashboard serves: the import goes through at once, the
running dashboard keeps answering, and its next page load shows the new numbers.

The dashboard is the real one (`streamlit run app.py`) driven in Debian's Chromium, so
its DuckDB reader holds the live store the way it does in production.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import duckdb
import pytest
from playwright.sync_api import sync_playwright
from test_browser import CHROMIUM, ROOT, _free_port, require_chromium, settle  # shared browser helpers

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served_store(demo_store, tmp_path_factory, shared_secret):
    """A copy of the demo city and a dashboard serving it (signing session tokens with the module's key)."""
    require_chromium()
    db = tmp_path_factory.mktemp("serving") / "store.duckdb"
    shutil.copyfile(demo_store, db)
    env = {**os.environ, "MARKETPULSE_DB": str(db)}
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
            env=env,
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
        yield db, url, env
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def week_sales(pg) -> int:
    """The 销量 KPI card of the weekly review, in 条."""
    pg.wait_for_function(
        "() => /销量\\s*[\\d,]+/.test(document.querySelector('[data-testid=\"stMain\"]').innerText)", timeout=60_000
    )
    text = pg.locator('[data-testid="stMain"]').inner_text()
    match = re.search(r"销量\s*([\d,]+)", text)
    assert match, text[:500]
    return int(match.group(1).replace(",", ""))


def test_cli_import_goes_through_while_the_dashboard_serves(served_store, tmp_path, session_cookie):
    db, url, env = served_store
    # a corrected visit line of the last week: the same retailer, spec and day, now with
    # 1,000 more cartons reported sold
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "select v.visit_date, v.cm_code, v.license_no, v.spec_code, v.stock_qty, v.retail_price, o.sales_qty "
            "from visit_line as v join weekly_observation as o "
            "  on o.license_no = v.license_no and o.spec_code = v.spec_code and o.week = date_trunc('week', v.visit_date) "
            "where v.visit_date >= (select max(week) from weekly_observation) and o.sales_qty is not null "
            "  and o.visit_lines = 1 order by all limit 1"
        ).fetchone()
    day, cm, lic, spec, stock, price, sales = row
    csv = tmp_path / "visits-correction.csv"
    csv.write_text(
        "拜访日期,客户经理编码,许可证号,卷烟编码,库存,实际零售价,销量\n"
        f"{day},{cm},{lic},{spec},{stock},{price},{float(sales) + 1000}\n",
        encoding="utf-8",
    )

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        context.add_cookies([session_cookie("center", db)])  # the center imports and reads the review
        pg = context.new_page()
        pg.set_default_timeout(45_000)
        pg.goto(url)
        settle(pg)
        before = week_sales(pg)  # the dashboard now holds the live store open

        done = subprocess.run(
            [sys.executable, "-m", "marketpulse", "import", str(csv)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "等待" not in done.stdout + done.stderr  # nothing to wait for: readers never block a writer
        assert "replaced" in done.stdout.lower() or "更正" in done.stdout

        pg.reload()
        settle(pg)
        after = week_sales(pg)
        assert pg.locator('[data-testid="stException"]').count() == 0
        browser.close()
    assert after == pytest.approx(before + 1000, abs=1)
