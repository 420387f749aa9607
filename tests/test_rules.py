"""Rules as data: the marketing center exports, edits and loads its monitoring points."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from test_ingest import assert_rollups_equal_rebuild

from marketpulse import cli, lake, store
from marketpulse import rules as reference


@pytest.fixture
def demo(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    return path


def test_export_edit_load_changes_the_market_state(demo, tmp_path, capsys):
    week = "2026-11-16"
    before = store.run("market_state", {"week_from": week, "week_to": week}, path=demo)
    assert cli.main(["rules", "export", str(tmp_path / "rules")]) == 0
    points = pd.read_csv(tmp_path / "rules" / "monitoring_point.csv")
    # everything above 0.8 weeks of cover is now overstock: most cells turn loose
    points["ratio_low"] = 0.1
    points["ratio_high"] = 0.8
    points.to_csv(tmp_path / "edited.csv", index=False)
    assert cli.main(["rules", "load", str(tmp_path / "edited.csv"), "--table", "monitoring_point"]) == 0
    assert "replaced with 5 rows" in capsys.readouterr().out
    after = store.run("market_state", {"week_from": week, "week_to": week}, path=demo)
    assert (after.state == "loose").sum() > (before.state == "loose").sum() + 10
    assert after.ratio_high.dropna().round(9).unique().tolist() == [0.8]  # a weighted mean of equal bands


def test_a_rule_file_that_breaks_a_rule_is_refused_and_nothing_changes(demo, tmp_path, capsys):
    before = reference.rules_frame("monitoring_point", demo)
    bad = before.copy()
    bad.loc[0, "ratio_low"] = 3.0  # low above high
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert cli.main(["rules", "load", str(tmp_path / "bad.csv"), "--table", "monitoring_point"]) == 1
    err = capsys.readouterr().err
    assert "数据库未改动" in err and "store left as it was" in err
    pd.testing.assert_frame_equal(reference.rules_frame("monitoring_point", demo), before)


def test_a_missing_column_is_named(demo, tmp_path, capsys):
    pd.DataFrame({"signal": ["cover"]}).to_csv(tmp_path / "w.csv", index=False)
    assert cli.main(["rules", "load", str(tmp_path / "w.csv"), "--table", "state_score_weight"]) == 1
    assert "weight" in capsys.readouterr().err


def test_unknown_rule_table_is_a_usage_error(demo, capsys):
    assert cli.main(["rules", "show", "--table", "retailer"]) == 2
    assert "No rule table retailer" in capsys.readouterr().err


def test_an_edited_frame_replaces_the_weights_and_moves_the_scores(demo):
    week = "2026-11-16"
    before = store.run("market_state", {"week_from": week, "week_to": week}, path=demo)
    weights = reference.rules_frame("state_score_weight", demo)
    weights["weight"] = weights["signal"].map({"cover": 1.0, "price_index": 0.0, "margin": 0.0})
    assert reference.replace_rules_frame("state_score_weight", weights, db=demo) == 3
    after = store.run("market_state", {"week_from": week, "week_to": week}, path=demo)
    # with all the weight on cover, the score is the cover score wherever cover is known
    known = after.dropna(subset=["cover_score"])
    assert (known.state_score - known.cover_score).abs().max() < 1e-9
    assert not before.state_score.equals(after.state_score)


# 档位 → band, as the new bands put it: tiers 6 and 7 move from 06-15 into 01-07
MOVED_BANDS = pd.DataFrame(
    {"tier_band": ["01-07", "08-15", "16-25", "26-30"], "tier_from": [1, 8, 16, 26], "tier_to": [7, 15, 25, 30]}
)


def _band_of(tier: int) -> str:
    row = MOVED_BANDS[(MOVED_BANDS.tier_from <= tier) & (MOVED_BANDS.tier_to >= tier)]
    return row["tier_band"].iloc[0]


def test_new_tier_bands_regroup_every_rollup_row(demo):
    tiers = store.reader(demo).sql("select distinct tier from weekly_observation where tier in (6, 7)")
    assert len(tiers)  # the demo has retailers of 档位 6 or 7, whose band changes
    assert lake.publish_rules("tier_band", lambda db: reference.replace_rules_frame("tier_band", MOVED_BANDS, db))
    for table in ("weekly_observation", "retailer_visit", "retailer_week"):
        rows = store.reader(demo).sql(f"select tier, tier_band, count(*) as n from {table} group by all")
        # every row carries the band its 档位 falls in now: 6 and 7 in 01-07, 8 in 08-15
        assert (rows["tier_band"] == rows["tier"].map(_band_of)).all(), table
    cells = store.reader(demo).sql("select distinct tier_band from market_cell order by 1")
    assert cells["tier_band"].tolist() == ["01-07", "08-15", "16-25", "26-30"]
    assert_rollups_equal_rebuild(demo)


def test_the_same_bands_loaded_again_rebuild_nothing(demo, monkeypatch):
    calls = []
    monkeypatch.setattr(reference.rollup, "rebuild", lambda con: calls.append(con))
    same = reference.rules_frame("tier_band", demo)
    lake.publish_rules("tier_band", lambda db: reference.replace_rules_frame("tier_band", same, db))
    assert calls == []
