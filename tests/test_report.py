"""The weekly 周报 workbook: four sheets (KPIs with brand cultivation, alerts, market state,
customer managers), the dashboard's numbers, formatted; and the same file from `python -m marketpulse report`."""

from __future__ import annotations

import datetime as dt
import io
import os

import openpyxl
import pytest

from marketpulse import cli, i18n, report, store

WEEK = dt.date(2026, 11, 16)


@pytest.fixture(scope="module")
def city(demo_store):
    return demo_store


@pytest.fixture(scope="module")
def book(city):
    old = os.environ.get("MARKETPULSE_DB")
    os.environ["MARKETPULSE_DB"] = str(city)
    try:
        week = store.reader(city).sql("select max(week) as w from weekly_observation")["w"][0].date()
        yield week, openpyxl.load_workbook(io.BytesIO(report.workbook(week, {}, store.CITY, "zh")))
    finally:
        if old is None:
            os.environ.pop("MARKETPULSE_DB", None)
        else:
            os.environ["MARKETPULSE_DB"] = old


def rows(ws) -> list[dict]:
    header = [c.value for c in ws[3]]
    return [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=4)]


def test_one_sheet_per_section_with_title_and_header(book):
    week, wb = book
    assert wb.sheetnames == [report.sheet_name(s, "zh") for s in report.SHEETS]
    for ws in wb.worksheets:
        assert week.isoformat() in ws["A1"].value
        assert ws["A3"].font.bold and ws["A3"].fill.fgColor.rgb.endswith("1F5FA8")
        assert ws.freeze_panes == "A4"


def test_kpis_equal_the_named_queries(book, city):
    week, wb = book
    kpis = {r[i18n.t("report.metric", "zh")]: r for r in rows(wb[report.sheet_name("kpis", "zh")])}
    sales = store.run(
        "sales_volume", {"level": "city", "product_level": "all", "week_from": week, "week_to": week}, path=city
    )
    ratio = store.run("inventory_ratio", {"level": "city", "week_from": week, "week_to": week}, path=city)
    assert kpis["销量"][i18n.t("report.value", "zh")] == pytest.approx(sales["sales_qty"][0])
    assert kpis["销量"][i18n.t("report.yoy", "zh")] == pytest.approx(sales["sp_growth"][0] * 100)
    assert kpis["存销比"][i18n.t("report.value", "zh")] == pytest.approx(ratio["ratio"][0])


def test_market_state_sheet_lists_every_cell_with_coloured_states(book, city):
    week, wb = book
    ws = wb[report.sheet_name("state", "zh")]
    state = store.run("market_state", {"week_from": week, "week_to": week}, path=city)
    assert len(rows(ws)) == len(state)
    assert {r[i18n.t("col.state", "zh")] for r in rows(ws)} <= {"紧俏", "平衡", "宽松"}
    rules = [rule for rng in ws.conditional_formatting for rule in rng.rules]
    assert len(rules) == 3 and all(rule.dxf.fill is not None for rule in rules)


def test_alerts_brand_and_scorecard_sheets_are_filled(book, city):
    week, wb = book
    alerts = store.run("alerts", {"week_from": week, "week_to": week}, path=city)
    assert len(rows(wb[report.sheet_name("alerts", "zh")])) == len(alerts)
    # brand cultivation: a row per new spec under the KPIs, its distribution against its target
    prefix = i18n.t("report.brand_row", "zh", spec="", weeks=0, target="", gap="").split(" · ")[0] + " · "
    kpis = rows(wb[report.sheet_name("kpis", "zh")])
    brands = [r for r in kpis if str(r[i18n.t("report.metric", "zh")]).startswith(prefix)]
    assert brands and all(0 <= r[i18n.t("report.value", "zh")] <= 100 for r in brands)
    assert all("目标" in r[i18n.t("report.metric", "zh")] for r in brands)
    assert {r[i18n.t("report.light", "zh")] for r in brands} <= {"绿", "红"}
    card = rows(wb[report.sheet_name("scorecard", "zh")])
    cms = store.reader(city).sql("select count(*) as n from customer_manager")["n"][0]
    assert len(card) == cms


def test_alerts_sheet_says_since_when_an_alert_has_held(book, city):
    week, wb = book
    cm = store.reader(city).sql("select cm_code from demo_truth where kind = 'copy_counts'")["cm_code"][0]
    name = store.reader(city).sql("select cm_name from customer_manager where cm_code = $c", {"c": cm})["cm_name"][0]
    copied = [
        r
        for r in rows(wb[report.sheet_name("alerts", "zh")])
        if r[i18n.t("col.cm", "zh")] == name and r[i18n.t("col.kind", "zh")] == "照搬照抄"
    ]
    assert len(copied) == 1
    since = copied[0][i18n.t("col.since", "zh")].date()
    assert since <= week - dt.timedelta(weeks=8)
    assert copied[0][i18n.t("col.weeks_running", "zh")] > 8


def test_cli_writes_the_same_workbook(city, tmp_path, monkeypatch, book):
    week, wb = book
    monkeypatch.setenv("MARKETPULSE_DB", str(city))
    out = tmp_path / "周报.xlsx"
    assert cli.main(["report", "--week", week.isoformat(), "--out", str(out)]) == 0
    written = openpyxl.load_workbook(out)
    assert written.sheetnames == wb.sheetnames
    assert [c.value for c in written.worksheets[0]["B"]] == [c.value for c in wb.worksheets[0]["B"]]
    assert cli.main(["report", "--week", "not-a-date", "--out", str(out)]) == cli.EXIT_USAGE


def test_english_workbook_has_english_sheets(city, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(city))
    wb = openpyxl.load_workbook(io.BytesIO(report.workbook(WEEK, {}, store.CITY, "en")))
    assert wb.sheetnames == ["KPIs", "Alerts", "Market state", "Scorecard"]
    assert wb["Market state"]["A3"].value == "Spec"
