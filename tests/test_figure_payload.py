"""Charts that summarise many points send the summary, not the points: the price spread's boxes
are worked out on the server (quartiles, Tukey's whiskers, the outliers named), and the
market-state grid carries each cell's words once."""

from __future__ import annotations

import pandas as pd
import pytest

from marketpulse.ui import grid, spread


def spread_frame() -> pd.DataFrame:
    """Spec A: 1, 2, 3, 4, 100 (one far outlier); spec B: 10, 10, 10, 10 (no spread); C: one undefined index."""
    rows = [("A", f"店{i}", v) for i, v in enumerate([1.0, 2.0, 3.0, 4.0, 100.0])]
    rows += [("B", f"铺{i}", 10.0) for i in range(4)]
    rows += [("C", "空店", None)]
    return pd.DataFrame(rows, columns=["spec_name", "level_name", "price_index"])


def test_box_stats_are_the_quartiles_and_tukeys_whiskers():
    stats = spread.box_stats(spread_frame(), "spec_name", "price_index").set_index("spec_name")
    # A sorted 1 2 3 4 100: linear quartiles at positions 1, 2, 3 → q1 2, median 3, q3 4;
    # IQR 2, whiskers reach 1.5 × 2 = 3 beyond the box: −1 … 7, so 1 … 4 lie within, 100 beyond
    assert stats.loc["A", ["q1", "median", "q3", "lowerfence", "upperfence", "count"]].tolist() == [2, 3, 4, 1, 4, 5]
    # B: every value 10, a box of no width
    assert stats.loc["B", ["q1", "median", "q3", "lowerfence", "upperfence"]].tolist() == [10] * 5
    assert "C" not in stats.index  # no index known: no box


def test_spread_sends_boxes_and_only_the_outliers_with_their_names():
    fig = spread.spread(spread_frame(), "spec_name", "price_index", "t", "s", "规格", "指数", name="level_name")
    box, points = fig.data
    assert box.type == "box" and box.y is None  # no raw values travel
    assert list(box.x) == ["A", "B"] and list(box.median) == [3, 10]
    assert list(points.y) == [100.0] and list(points.customdata) == ["店4"]
    assert list(fig.layout.xaxis.categoryarray) == ["A", "B"]


def test_spread_without_outliers_has_the_boxes_alone():
    frame = spread_frame()
    frame = frame[frame["price_index"].ne(100.0)]
    assert len(spread.spread(frame, "spec_name", "price_index", "t", "s", "x", "y").data) == 1


@pytest.mark.parametrize("score", [None, "score"])
def test_state_grid_carries_each_cells_words_once(score):
    frame = pd.DataFrame(
        {
            "spec": ["甲", "甲", "乙"],
            "territory": ["东城", "西城", "东城"],
            "state": ["tight", "balanced", "loose"],
            "tip": ["紧 1", "平 2", "松 3"],
            "score": [0.8, 0.0, -0.7],
        }
    )
    labels = {"tight": "紧俏", "balanced": "平衡", "loose": "宽松"}
    fig = grid.state_matrix(frame, "spec", "territory", "state", labels, "tip", "t", "s", score=score)
    heat, marks = fig.data
    assert heat.customdata is None  # the heatmap takes no hover: the markers do
    # the markers cover every cell, row by row; 乙 × 西城 holds no cell: "—"
    assert list(marks.customdata) == ["紧 1", "平 2", "松 3", "—"]


def test_state_grid_with_a_template_sends_each_cells_numbers_alone():
    frame = pd.DataFrame(
        {
            "spec": ["甲", "乙"],
            "territory": ["东城", "东城"],
            "state": ["tight", "loose"],
            "tip": [["1.2", "98"], ["3.4", "91"]],
        }
    )
    labels = {"tight": "紧俏", "balanced": "平衡", "loose": "宽松"}
    template = "存销比 %{customdata[0]} 周 · 价格指数 %{customdata[1]}"
    fig = grid.state_matrix(frame, "spec", "territory", "state", labels, "tip", "t", "s", hover_template=template)
    marks = fig.data[1]
    assert template in marks.hovertemplate
    assert [list(cell) for cell in marks.customdata] == [["1.2", "98"], ["3.4", "91"]]
