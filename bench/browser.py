"""`python -m bench browser --scale town|city [--store FILE] [--lake DIR] [--filters N] [--json FILE]`.

Each page as a user meets it: the dashboard started with `streamlit run app.py` over the
store (with `--lake`, the pages read that lake and sign-in stays with the store), Debian's
Chromium (Playwright) signed in as the center, and for every page first the default view,
then `--filters` views with a 片区 or customer-manager filter no one has asked for yet (so no
cache helps), each timed from the address being opened to its charts drawn: the heading
shown, no element still running or stale, and every chart's SVG in place. Reports median
and p95 per page and one summary line against the target (≤ 2 s drawn, issue "A city in a
blink"). The browser's own start is left out; the server is warmed by one page first.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.pages import RESULTS, ROOT, stats
from marketpulse import auth, store
from marketpulse.auth import tokens
from marketpulse.ui import signin

CHROMIUM = "/usr/bin/chromium"
TARGET_DRAWN_S = 2.0
PAGES = [  # url path, whether the page draws charts
    ("", True),
    ("inventory", True),
    ("prices", True),
    ("brands", True),
    ("territory", True),
    ("managers", False),
]
# drawn: the heading is there, nothing runs or is stale, no skeleton, and (if wanted) a chart's SVG
DRAWN_JS = """(charts) => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('h1')) return false;
  if (main.querySelector('[data-testid="stException"]')) return true;  // reported as an error below
  if (document.querySelector('[data-stale="true"]')) return false;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  if (!charts) return true;
  const plots = main.querySelectorAll('.js-plotly-plot');
  return plots.length > 0 && [...plots].every(p => p.querySelector('.main-svg'));
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard(db: Path, env: dict):
    """`streamlit run app.py` over `db` on a free port; yields its URL."""
    port = _free_port()
    log = open(db.with_name(f"bench-browser-{port}.log"), "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port)]
        + ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def drawn_seconds(pg, url: str, charts: bool) -> float:
    """Seconds from opening `url` until the page is drawn and stays so for 300 ms."""
    t0 = time.perf_counter()
    pg.goto(url, wait_until="commit")
    while True:
        pg.wait_for_function(DRAWN_JS, arg=charts, polling=50, timeout=120_000)
        seen = time.perf_counter() - t0
        pg.wait_for_timeout(300)  # a rerun that starts right after would make this a false finish
        if pg.evaluate(DRAWN_JS, charts):
            if pg.locator('[data-testid="stException"]').count():
                raise RuntimeError(f"error box on {url}")
            return seen


def unseen_filters(path: Path) -> list[tuple[str, str]]:
    """The filters to ask for, each once: every 片区, then every customer manager (URL key, code)."""
    reader = store.reader(path)
    ters = reader.sql("select territory_code as c from territory order by 1")["c"]
    cms = reader.sql("select cm_code as c from customer_manager order by 1")["c"]
    return [("ter", c) for c in ters] + [("cm", c) for c in cms]


def measure(path: Path, filters: int, lake: Path | None = None) -> dict:
    """Default and never-seen-filter load times of each page, in one browser and one server."""
    env = {**os.environ, "MARKETPULSE_DB": str(path), "MARKETPULSE_SECRET": secrets.token_hex(32)}
    env.pop("MARKETPULSE_LAKE", None)
    if lake is not None:
        env["MARKETPULSE_LAKE"] = str(lake)
    os.environ.update({k: env[k] for k in ("MARKETPULSE_DB", "MARKETPULSE_SECRET")})
    token = tokens.issue(tokens.new_claims("admin", auth.limit("session_idle_minutes", path) * 60), path)
    unseen = iter(unseen_filters(path))
    out: dict = {}
    with dashboard(path, env) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        context.add_cookies([{"name": signin.COOKIE, "value": token, "domain": "127.0.0.1", "path": "/"}])
        pg = context.new_page()
        drawn_seconds(pg, f"{url}/inventory", True)  # the server's first run: imports, reader attached
        for path_part, charts in PAGES:
            name = path_part or "weekly_review"
            default = drawn_seconds(pg, f"{url}/{path_part}", charts)
            fresh = []
            for _ in range(filters):
                key_code = next(unseen, None)
                if key_code is None:
                    break
                fresh.append(drawn_seconds(pg, f"{url}/{path_part}?{key_code[0]}={key_code[1]}", charts))
            out[name] = {"default_s": round(default, 3), "new_filter": stats(fresh) if fresh else None}
            shown = out[name]["new_filter"] or {"median_s": float("nan"), "p95_s": float("nan")}
            print(
                f"{name:14s} default {default:6.2f} s   new filter median {shown['median_s']:6.2f} / "
                f"p95 {shown['p95_s']:6.2f} s",
                flush=True,
            )
        browser.close()
    return out


def summary(pages: dict) -> list[str]:
    """One line per page against ≤ 2 s drawn with a filter not seen before."""
    lines = []
    for name, row in pages.items():
        value = (row["new_filter"] or {}).get("p95_s", row["default_s"])
        met = value <= TARGET_DRAWN_S
        by = "" if met else f", missed by ×{value / TARGET_DRAWN_S:.1f}"
        lines.append(
            f"{'met   ' if met else 'MISSED'} {name} drawn in Chromium (p95): {value:.3g} s (target ≤ 2 s{by})"
        )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench browser")
    parser.add_argument("--scale", choices=["town", "city", "province"], default="town")
    parser.add_argument("--store", help="measure this store (default data/bench-<scale>.duckdb)")
    parser.add_argument("--lake", help="the pages read this lake (exported from the store; sign-in stays there)")
    parser.add_argument("--filters", type=int, default=3, help="never-seen filters per page (default 3)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    path = Path(args.store) if args.store else ROOT / "data" / f"bench-{args.scale}.duckdb"
    if not path.exists():
        print(f"no store at {path}: build it with `python -m bench pages --scale {args.scale}` first")
        return 2
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (`make test` installs it)")
        return 2
    lake = Path(args.lake) if args.lake else None
    if lake is not None and not (lake / "manifest.json").exists():
        print(f"{lake}: no lake (python -m marketpulse export-lake {lake})")
        return 2
    result = {"scale": args.scale, "started": dt.datetime.now().isoformat(timespec="seconds"), "store": str(path)}
    if lake is not None:
        result["lake"] = str(lake)
    result["pages"] = measure(path, args.filters, lake)
    result["summary"] = summary(result["pages"])
    for line in result["summary"]:
        print(line)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"browser-{args.scale}-{dt.datetime.now():%Y%m%d-%H%M%S}.json").write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    return 0
