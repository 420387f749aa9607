"""Signing in, in a real browser: nothing before the form; a shared link opened signed out
lands on its view after sign-in; the session cookie keeps one signed in across a reload and a
new tab and holds no password; signing out ends it; a customer manager reaches neither the
Data page nor another manager by URL. Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from test_browser import browser, require_chromium, serving, settle, shoot  # noqa: F401 (browser: a fixture)

from marketpulse import auth, store
from marketpulse.auth import sessions
from marketpulse.ui import signin

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_secret")]


@pytest.fixture(scope="module")
def store_path(demo_store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser_auth") / "store.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture(scope="module")
def server(store_path):
    require_chromium()
    with serving(store_path) as url:
        yield url


@pytest.fixture
def context(browser):  # noqa: F811 (the fixture imported above)
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    ctx.set_default_timeout(45_000)
    yield ctx
    ctx.close()


def sign_in(pg, name: str, password: str) -> None:
    pg.get_by_label("账号").fill(name)
    pg.get_by_label("密码").fill(password)
    pg.get_by_role("button", name="登录", exact=True).click()


def on_signin_form(pg) -> bool:
    return pg.get_by_role("button", name="登录", exact=True).count() > 0


def main_text(pg) -> str:
    return pg.locator('[data-testid="stMain"]').inner_text()


def managers(path: Path):
    return store.reader(path).sql("select cm_code, cm_name from customer_manager order by cm_code")


def test_a_shared_link_opened_signed_out_opens_its_view_after_sign_in(server, context, store_path):
    cms = managers(store_path)
    name, code = cms.cm_name.iloc[1], cms.cm_code.iloc[1]
    pg = context.new_page()
    pg.goto(f"{server}/managers?cm={quote(f'{name} ({code})')}")
    settle(pg)
    assert on_signin_form(pg)
    assert pg.locator('[data-testid="stDataFrame"], .js-plotly-plot, [data-testid="stMetric"]').count() == 0
    assert "/managers" in pg.url and "cm=" in pg.url  # the address waits for the sign-in
    shoot(pg, "signin_form")
    sign_in(pg, "center", "mp-demo-center")
    pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=45_000)
    settle(pg)
    assert "客户经理" in pg.locator('[data-testid="stMain"] h1').first.inner_text()
    assert name in main_text(pg) and "/managers" in pg.url and "cm=" in pg.url
    shoot(pg, "signin_landed_on_the_link")


def test_the_cookie_keeps_the_session_across_a_reload_and_a_new_tab_and_sign_out_ends_it(server, context, store_path):
    pg = context.new_page()
    pg.goto(server)
    settle(pg)
    sign_in(pg, "leader", "mp-demo-leader")
    pg.wait_for_function("() => document.cookie.includes('mp_session=')", timeout=30_000)
    settle(pg)
    cookie = next(c for c in context.cookies() if c["name"] == signin.COOKIE)
    assert "mp-demo-leader" not in cookie["value"] and cookie["sameSite"] == "Strict"
    user, _ = sessions.resume(cookie["value"], store_path)
    assert user.name == "leader"
    pg.reload()
    settle(pg)
    assert not on_signin_form(pg) and "营销周报" in pg.locator('[data-testid="stMain"] h1').first.inner_text()
    other = context.new_page()
    other.goto(f"{server}/prices")
    settle(other)
    assert not on_signin_form(other) and "价格指数" in other.locator('[data-testid="stMain"] h1').first.inner_text()
    other.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    other.wait_for_function("() => !document.cookie.includes('mp_session=v1')", timeout=30_000)
    settle(other)
    assert on_signin_form(other)
    assert sessions.resume(cookie["value"], store_path) == (None, None)  # the old token is void too
    pg.reload()
    settle(pg)
    assert on_signin_form(pg)


def test_a_customer_manager_reaches_neither_the_data_page_nor_another_manager(server, context, store_path):
    own = auth.get_user("cm", store_path).scope.cm_code
    cms = managers(store_path)
    own_name = cms[cms.cm_code == own].cm_name.iloc[0]
    other = cms[cms.cm_code != own].iloc[0]
    pg = context.new_page()
    pg.goto(f"{server}/data")
    settle(pg)
    sign_in(pg, "cm", "mp-demo-cm")
    pg.wait_for_timeout(1500)
    settle(pg)
    assert pg.locator('[data-testid="stFileUploader"]').count() == 0
    # the data page's address answers with a refusal in the user's language, and a way back
    assert "你的账号无权打开此页。" in main_text(pg)
    assert pg.locator('[data-testid="stMain"] h1').first.inner_text() == "无权访问"
    assert pg.get_by_text("打开我的线路").count() == 1  # where a customer manager's work starts
    nav = [line.strip() for line in pg.locator('[data-testid="stSidebarNav"]').inner_text().splitlines()]
    assert "数据" not in nav and "账号" not in nav and "审计日志" not in nav and "营销周报" in nav
    pg.goto(f"{server}/managers?cm={quote(f'{other.cm_name} ({other.cm_code})')}")
    pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=45_000)
    settle(pg)
    text = main_text(pg)
    assert own_name in text
    assert f"{other.cm_name}" not in pg.locator('[data-testid="stMain"] h3').all_inner_texts().__str__()
    assert other.cm_code not in pg.url or own in pg.url
    shoot(pg, "signin_cm_managers")
