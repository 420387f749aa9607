"""The benchmark's verdicts: one line per target, met or missed by how much, and a target left
unmeasured (the pandas comparison skipped at a scale it cannot load) said to be so, not met."""

from __future__ import annotations

from bench import pages


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
