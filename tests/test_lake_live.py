"""The dashboard on a lake: with MARKETPULSE_LAKE set, the Data page imports into the lake (progress,
waiting, refusals as for the store), its quarantine and import-log views show the lake's rows, the
`quarantine` CLI reads the lake's, the pages' cache key changes with each lake publish, and the rule
editor publishes its table into the lake instead of writing a store no page reads.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_lake import (
    exported,  # noqa: F401
    own_lake,  # noqa: F401 - the fixtures a lake test starts from
)
from test_lake_import import NEW_WEEK, TODAY, _on_day, files  # noqa: F401
from test_queries_contract import params_for
from test_supply_plan import POLICY, inputs

from marketpulse import auth, cli, errors, forecast, lake, rules, store, supply, views
from marketpulse.cli import imports as cli_imports
from marketpulse.cli import queries as cli_queries
from marketpulse.lake import ingest as lake_ingest
from marketpulse.simulate import plan_eval
from marketpulse.views import geo

ROOT = Path(__file__).resolve().parents[1]


class GiveUp(Exception):
    pass


@pytest.fixture
def served(own_lake, demo_store, tmp_path, monkeypatch):  # noqa: F811
    """The lake serving the pages, beside a store copy (the store accounts live in)."""
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, copy)
    monkeypatch.setenv("MARKETPULSE_DB", str(copy))
    monkeypatch.setenv("MARKETPULSE_LAKE", str(own_lake))
    monkeypatch.setattr(lake_ingest, "import_bytes", _on_day(lake_ingest.import_bytes))
    return own_lake


def _week_rows(week) -> int:
    """Visit lines of `week` as the pages read them (the lake's serving store)."""
    frame = store.reader().sql(
        "select count(*) as n from visit_line where date_trunc('week', visit_date) = $w", {"w": week}
    )
    return int(frame["n"].iloc[0])


def test_the_data_page_imports_into_the_lake_with_progress(served, files):  # noqa: F811
    store_file = store.db_path()
    store_before = store.store_version(store_file)
    version = store.store_version()
    assert _week_rows(NEW_WEEK) == 0
    told = []
    summary = views.import_upload(
        files["new_week"].read_bytes(), "new_week.csv", None, lambda x, msg: told.append((x, msg))
    )
    assert summary.rows_stored > 0 and not summary.any_quarantined
    assert told and told[-1][0] == pytest.approx(1.0) and all(0 <= x <= 1 for x, _ in told)
    assert store.store_version() != version  # the pages' cache key follows the lake
    assert NEW_WEEK.isoformat() in lake.load(served).tables["visit_line"].parts
    assert _week_rows(NEW_WEEK) == summary.rows_stored
    params = params_for("sales_volume", store.reader()) | {"week_from": NEW_WEEK, "week_to": NEW_WEEK}
    assert len(store.run("sales_volume", params))  # a named query, served from the lake, has the new week
    assert store.store_version(store_file) == store_before  # the store was not written
    page = views.data_page("en")
    assert page.imports["File"].iloc[0] == "new_week.csv"  # the lake's import log


def test_bad_rows_of_an_upload_land_in_the_lakes_quarantine_views(served, files):  # noqa: F811
    assert views.data_page("en").quarantine.empty  # an exported lake holds no quarantine yet
    assert views.quarantine_kinds() == []
    assert views.quarantine_page(0, 50, "en")[1] == 0
    summary = views.import_upload(files["bad_rows"].read_bytes(), "bad_rows.csv", None, lambda x, msg: None)
    assert summary.any_quarantined and summary.rows_quarantined >= 3
    page = views.data_page("en")
    assert int(page.quarantine["Rows"].sum()) == summary.rows_quarantined
    rows, total = views.quarantine_page(0, 50, "en")
    assert total == summary.rows_quarantined and set(rows["File"]) == {"bad_rows.csv"}
    assert views.quarantine_kinds() == ["visits"]
    download = views.quarantine_download("visits", "csv", "en").decode("utf-8-sig")
    assert "NOSUCH" in download
    held_in_store = store.reader(store.db_path()).sql("select count(*) as n from quarantine")["n"].iloc[0]
    assert held_in_store == 0  # nothing went to the store


def test_an_upload_waits_for_another_lake_writer_and_can_give_up(served, files):  # noqa: F811
    before = (served / lake.MANIFEST).read_bytes()
    told = []

    def waiting(seconds: float) -> None:
        raise GiveUp  # the page's cancel button

    with lake.lake_lock(served), pytest.raises(GiveUp):
        views.import_upload(
            files["new_week"].read_bytes(), "new_week.csv", None, lambda x, m: None, told.append, waiting
        )
    assert len(told) == 1 and str(os.getpid()) in told[0]
    assert (served / lake.MANIFEST).read_bytes() == before


def test_a_refused_upload_leaves_the_lake_as_it_was(served, files, monkeypatch):  # noqa: F811
    before = (served / lake.MANIFEST).read_bytes()
    with pytest.raises(errors.ImportRefused):
        views.import_upload(files["refused"].read_bytes(), "refused.csv", None, lambda x, m: None)
    monkeypatch.setattr(views.data, "upload_limit_mb", lambda: 0.000001)
    with pytest.raises(errors.ImportRefused, match="above the upload limit") as refused:
        views.import_upload(files["new_week"].read_bytes(), "new_week.csv", None, lambda x, m: None)
    assert "上传上限" in str(refused.value)
    assert (served / lake.MANIFEST).read_bytes() == before


def _quarantine_cli(capsys, **kw) -> list[dict]:
    args = argparse.Namespace(**({"import_id": None, "kind": None, "format": "json", "lang": "en"} | kw))
    assert cli_imports.quarantine_main(args) == 0
    return json.loads(capsys.readouterr().out)


def test_the_quarantine_cli_reads_the_lakes(own_lake, files, tmp_path, demo_store, capsys, monkeypatch):  # noqa: F811
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, copy)
    monkeypatch.setenv("MARKETPULSE_DB", str(copy))
    monkeypatch.delenv("MARKETPULSE_LAKE", raising=False)
    assert _quarantine_cli(capsys, lake=str(own_lake)) == []  # no quarantine in the lake yet
    summary = lake.import_into_lake(own_lake, files["bad_rows"], today=TODAY)
    held = _quarantine_cli(capsys, lake=str(own_lake))
    assert len(held) == summary.rows_quarantined and {r["file_name"] for r in held} == {"bad_rows.csv"}
    assert _quarantine_cli(capsys) == []  # the store's quarantine: empty
    monkeypatch.setenv("MARKETPULSE_LAKE", str(own_lake))
    assert len(_quarantine_cli(capsys)) == summary.rows_quarantined
    args = argparse.Namespace(import_id=None, kind="visits", format="csv", lang="en", lake=str(own_lake))
    assert cli_imports.quarantine_main(args) == 0
    assert "NOSUCH" in capsys.readouterr().out
    with pytest.raises(errors.StoreError, match="export-lake"):
        _quarantine_cli(capsys, lake=str(tmp_path / "nolake"))


def test_store_version_changes_with_each_lake_publish(served, files):  # noqa: F811
    first = store.store_version()
    lake.import_into_lake(served, files["correction"], today=TODAY)
    second = store.store_version()
    assert second != first
    lake.build_serving(served)  # a serving store swapped in alone
    assert store.store_version() != second


def test_the_rule_editor_publishes_into_the_lake(served):
    store_file = store.db_path()
    store_before = store.store_version(store_file)
    version = store.store_version()
    rules = views.rules("setting")
    assert "import_max_upload_mb" in set(rules["key"])
    edited = rules.copy()
    edited.loc[edited["key"] == "import_max_upload_mb", "value"] = 123
    assert views.save_rules("setting", edited) == len(edited)
    assert views.data.upload_limit_mb() == 123  # read back from the lake
    assert store.store_version() != version
    assert store.store_version(store_file) == store_before
    assert lake.verify(served) == []
    assert not list(served.glob(".staging-*"))


def test_a_refused_rule_edit_leaves_the_lake_as_it_was(served):
    before = (served / lake.MANIFEST).read_bytes()
    rules = views.rules("tier_band")
    broken = pd.concat([rules, rules.iloc[:1]], ignore_index=True)  # a key twice
    with pytest.raises(errors.RuleError):
        views.save_rules("tier_band", broken)
    assert (served / lake.MANIFEST).read_bytes() == before
    pd.testing.assert_frame_equal(views.rules("tier_band"), rules)


def test_the_data_page_uploads_into_the_lake_in_the_app(served, files, signed_in):  # noqa: F811
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)).run()
    at.switch_page("app_pages/8_data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader(key="upload").upload("bad_rows.csv", files["bad_rows"].read_bytes(), "text/csv")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    assert any("隔离" in m.value for m in at.warning)
    assert "quarantine" in lake.load(served).tables
    held = next(d.value for d in at.dataframe if "原始内容" in d.value.columns)  # the paged rows
    assert len(held) >= 3 and set(held["文件"]) == {"bad_rows.csv"}  # the lake's quarantine, on the page


def test_accounts_are_read_from_the_store_while_a_lake_serves(served):
    assert "account" not in lake.load(served).tables  # password hashes never enter the lake
    names = set(auth.accounts()["user_name"])  # read through the pages' reader
    assert "admin" in names
    version = store.store_version()
    auth.set_password("admin", "another-password-1", path=store.db_path())
    assert store.store_version() != version  # an account written to the store reaches the pages


def test_a_small_table_write_goes_into_the_lake_while_it_serves(served, tmp_path):
    code, name = store.reader().query("geo/territory_codes", {}).iloc[0]
    shapes = tmp_path / "shapes.geojson"
    ring = [[120.1, 30.1], [120.2, 30.1], [120.2, 30.2], [120.1, 30.1]]
    feature = {
        "type": "Feature",
        "properties": {"territory_code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    store_before = store.store_version(store.db_path())
    stored, _ = lake.write_tables(["territory_shape"], lambda db: geo.import_shapes(shapes, db), reads=("territory",))
    assert stored == 1
    held = store.reader().sql("select territory_code from territory_shape")
    assert list(held["territory_code"]) == [code]  # served from the lake
    assert store.store_version(store.db_path()) == store_before
    with pytest.raises(ValueError, match="by week"):
        lake.write_tables(["visit_line"], lambda db: None)
    with pytest.raises(ValueError, match="private"):
        lake.write_tables(["account"], lambda db: None)


def test_a_write_only_the_store_would_see_is_refused_in_both_languages(served):
    message = str(lake.store_only(served, "data.rules"))
    assert "MARKETPULSE_LAKE" in message and "export-lake" in message and str(served) in message
    assert "未执行" in message and "not done" in message


def test_an_approved_plan_and_the_replay_go_into_the_lake(served):
    store_before = store.store_version(store.db_path())
    plan = supply.make_plan(inputs(), None, POLICY)
    plan_id = supply.approve(supply.recompute(plan.lines, plan.lines), plan.plan_week, plan.week, "tier", "center")
    kept = supply.approved_plans()  # read where the pages read: the lake
    assert list(kept["plan_id"]) == [plan_id] and kept["total_qty"].iloc[0] == 72
    own = store.reader().sql("select license_no, limit_qty from supply_plan_retailer")
    assert own.values.tolist() == [["B", 14]]  # the 控量户 went with it
    frame = pd.DataFrame(
        [{"origin": pd.Timestamp("2026-11-09").date(), "policy": "plan", "stockout": 3, "overstock": 4,
          "supplied": 10.0, "sales": 9.0}]
    )  # fmt: skip
    plan_eval.save(frame)
    assert plan_eval.latest()["stockout"].tolist() == [3]
    assert store.store_version(store.db_path()) == store_before  # the store was not written


def test_a_forecast_refresh_goes_into_the_lake(served):
    store_before = store.store_version(store.db_path())
    run = forecast.refresh(h=1, n_origins=0, workers=1)
    assert run is not None and forecast.last_run()["run_id"] == run["run_id"]  # served from the lake
    assert len(forecast.stored_forecasts()) > 0
    assert store.store_version(store.db_path()) == store_before


def test_a_store_rebuild_is_refused_while_a_lake_serves(served):
    with pytest.raises(errors.StoreError) as refused:
        cli_queries.cmd_rebuild(argparse.Namespace())
    assert f"rollup --lake {served}" in str(refused.value) and "重建" in str(refused.value)


def test_the_delivery_log_stays_in_the_store(served):
    assert "delivery_log" not in lake.load(served).tables
    assert "delivery_log" in lake.PRIVATE_TABLES
    assert store.reader().sql("select count(*) as n from delivery_log")["n"].iloc[0] >= 0  # read from the store


def test_the_rules_command_loads_into_the_lake(served, tmp_path):
    store_before = store.store_version(store.db_path())
    folder = tmp_path / "rules"
    cli_queries.cmd_rules(argparse.Namespace(action="export", path=str(folder), table="monitoring_point"))
    table = pd.read_csv(folder / "monitoring_point.csv", keep_default_na=False)
    table.loc[0, "ratio_high"] = 9.5
    table.to_csv(folder / "monitoring_point.csv", index=False)
    done = cli_queries.cmd_rules(
        argparse.Namespace(action="load", path=str(folder / "monitoring_point.csv"), table="monitoring_point")
    )
    assert done == 0
    assert 9.5 in set(rules.rules_frame("monitoring_point")["ratio_high"])  # served from the lake
    assert store.store_version(store.db_path()) == store_before


def test_new_tier_bands_rebuild_the_lakes_rollups(served):
    from test_rules import MOVED_BANDS, _band_of

    assert views.save_rules("tier_band", MOVED_BANDS) == 4
    rows = store.reader().sql("select tier, tier_band, count(*) as n from weekly_observation group by all")
    assert set(rows["tier"]) & {6, 7}  # retailers whose band moved
    assert (rows["tier_band"] == rows["tier"].map(_band_of)).all()
    cells = store.reader().sql("select distinct tier_band from market_cell order by 1")
    assert cells["tier_band"].tolist() == ["01-07", "08-15", "16-25", "26-30"]
    assert lake.verify(served) == []


def test_an_export_over_a_lake_with_its_own_writes_is_refused_unless_replaced(served, files, capsys):  # noqa: F811
    """An import into the lake is not in the store: exporting the store over it would drop it."""
    views.import_upload(files["new_week"].read_bytes(), "new_week.csv", None, lambda x, msg: None)
    weeks = _week_rows(NEW_WEEK)
    assert weeks > 0
    before = (served / lake.MANIFEST).read_bytes()
    assert cli.main(["export-lake", str(served)]) == 1
    err = capsys.readouterr().err
    assert "导出会把它们丢掉" in err and "exporting would drop them" in err and "--replace" in err
    assert (served / lake.MANIFEST).read_bytes() == before
    assert _week_rows(NEW_WEEK) == weeks  # the imported week is still served
    # asked for, the store replaces the lake, and the lake's next export needs no flag
    assert cli.main(["export-lake", str(served), "--replace"]) == 0
    assert _week_rows(NEW_WEEK) == 0
    assert lake.load(served).lake_writes == 0
    assert cli.main(["export-lake", str(served)]) == 0
