"""The benchmark's verdicts: one line per target, met or missed by how much, and a target left
unmeasured (the pandas comparison skipped at a scale it cannot load) said to be so, not met."""

from __future__ import annotations

import pytest

from bench import lake_writes, pages


def _row(warm_p95: float, cold_p95: float, **more) -> dict:
    return {"warm": {"p95_s": warm_p95}, "cold": {"p95_s": cold_p95}, "peak_mb": 400, **more}


def test_each_target_is_met_or_missed_by_its_factor():
    lines = pages.summary({"scale": "city", "pages": {"prices": _row(0.05, 2.5, speedup=40.0, memory_ratio=2.5)}})
    assert "met    prices warm p95: 0.05 s (target ≤ 0.1 s)" in lines
    # 2.5 s against 1 s: missed by ×2.5; 2.5× less memory against 5×: missed by ×2.0
    assert "MISSED prices cold: 2.5 s (target ≤ 1 s, missed by ×2.5)" in lines
    assert "met    prices vs pandas speed: 40× (target ≥ 20×)" in lines
    assert "MISSED prices vs pandas memory: 2.5× (target ≥ 5×, missed by ×2.0)" in lines


def test_a_skipped_pandas_comparison_is_neither_met_nor_missed():
    lines = pages.summary({"scale": "city", "pages": {"brands": _row(0.2, 0.9)}})
    assert "NOT MEASURED brands vs pandas speed and memory (--skip-pandas)" in lines
    assert not [line for line in lines if "pandas" in line and line.startswith(("met", "MISSED"))]


def test_a_scoped_run_names_its_scope_on_every_page_line():
    lines = pages.summary({"scale": "city", "scope": "ter=T0101", "pages": {"prices": _row(0.3, 0.8)}})
    # 0.3 s against 0.1 s warm: missed by ×3.0; the city's pandas views are not the 片区's
    assert "MISSED prices (ter=T0101) warm p95: 0.3 s (target ≤ 0.1 s, missed by ×3.0)" in lines
    assert "met    prices (ter=T0101) cold: 0.8 s (target ≤ 1 s)" in lines
    assert "NOT MEASURED prices (ter=T0101) vs pandas speed and memory (the pandas views are the city's)" in lines


def test_a_scope_is_named_by_the_sidebars_keys():
    assert pages.scope_of("") == pages.store.CITY
    assert pages.scope_of("ter=T0101") == pages.store.Scope(territory_code="T0101")
    assert pages.scope_of("cm=KH001") == pages.store.Scope(cm_code="KH001")
    for wrong in ("T0101", "territory=T0101", "ter="):
        with pytest.raises(SystemExit):
            pages.scope_of(wrong)


def test_a_write_that_did_not_finish_is_reported_failed_not_met():
    writes = {"import_utf8": {"error": "Out of Memory"}, "import_gb18030": {"s": 80.0, "mb": 3400.0}}
    lines = lake_writes.summary({"scale": "province", "writes": writes | {"correction": {"s": 45.0}}})
    assert "FAILED lake week import utf8 (target ≤ 10 s): the write did not finish" in lines
    # the province's week import target is 10 s: 80 s misses it ×8
    assert "MISSED lake week import gb18030: 80 s (target ≤ 10 s, missed by ×8.0)" in lines


def test_a_write_says_when_its_data_and_when_its_kept_alerts_were_published():
    week = {"s": 6.2, "published_s": 4.8, "mb": 1000.0}
    writes = {"import_utf8": week, "import_gb18030": week, "correction": {"s": 1.5, "published_s": 0.9}}
    lines = lake_writes.summary({"scale": "city", "writes": writes})
    assert "met    lake week import utf8, its data published: 4.8 s (target ≤ 5 s)" in lines
    assert "MISSED lake week import utf8, with its kept tables: 6.2 s (target ≤ 5 s, missed by ×1.2)" in lines
    assert "met    lake one-row correction, published: 0.9 s (target ≤ 1 s)" in lines
    assert "MISSED lake one-row correction, with its kept tables: 1.5 s (target ≤ 1 s, missed by ×1.5)" in lines


def _lake_run(lines: int, duck_s: float, spark_s: float) -> dict:
    return {
        "lake": f"lake-{lines}",
        "visit_lines": lines,
        "queries": {"q": {"duckdb_lake_s": duck_s, "spark_s": spark_s}},
    }


def test_the_crossover_is_where_the_two_engines_lines_meet():
    from bench import spark

    runs = [_lake_run(110_000_000, 11.0, 26.0), _lake_run(10_000_000, 1.0, 21.0)]
    # DuckDB: 1 s + 1e-7 s a line past 10M lines, 0 s fixed; Spark: 21 s + 5e-8 s a line past 10M, 20.5 s fixed;
    # they meet at 20.5 / (1e-7 − 5e-8) = 410M lines. No build was measured.
    lines = spark.crossover(runs, "duckdb_lake_s")
    assert lines == [
        "crossover (queries, 10,000,000 → 110,000,000 visit lines): Spark local would overtake DuckDB at about "
        "410,000,000 visit lines",
        "crossover (roll-up build): not measured at two scales",
    ]


def test_result_files_of_one_lake_merge_into_one_run(tmp_path):
    import json

    from bench import spark

    queries, build = tmp_path / "q.json", tmp_path / "b.json"
    queries.write_text(json.dumps({"runs": [_lake_run(10, 1.0, 2.0)]}))
    build.write_text(json.dumps({"runs": [{"lake": "lake-10", "visit_lines": 10, "duckdb_rollup_build_s": 5.0}]}))
    (run,) = spark.combine([queries, build])
    assert run["queries"]["q"]["spark_s"] == 2.0 and run["duckdb_rollup_build_s"] == 5.0
