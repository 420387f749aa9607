"""The weekly review's own pieces: KPI card texts, the spec × territory market-state grid,
the count of cells per state, and the state-score ranking with its weights."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from marketpulse import i18n, numbers, views
from marketpulse.ui import figures, widgets
from marketpulse.ui.shell import Filters

MATRIX_ROWS = 30  # specs the grid shows at most (besides every flagged one)
DIGITS = {"qty": 0, "price": 1, "weeks": 2, "index": 1, "pct": 1}


def kpi_texts(kpis, lang: str) -> list[dict]:
    """KPI records from the view as card texts: value in its unit, changes, traffic light, and
    the year to date (年累计) with its 累计同比 (None on a card without one: a level, not a sum)."""
    cards = []
    for k in kpis:
        unit = i18n.t(f"unit.{k.unit}", lang)
        value = _amount(k.value, k.unit, lang)
        if value != numbers.UNDEFINED and unit:
            value += f" <span style='font-size:14px;color:#666'>{unit}</span>"
        ytd = _amount(k.ytd, k.unit, lang)
        cards.append(
            {
                "label": i18n.t(k.key, lang),
                "value": value,
                "rag": k.rag,
                "wow": widgets.change(k.wow, lang, k.points),
                "yoy": widgets.change(k.yoy, lang, k.points),
                "ytd": _with_unit(ytd, unit, k.unit) if k.cumulative else None,
                "ytd_yoy": widgets.change(k.ytd_yoy, lang, k.points) if k.cumulative else None,
            }
        )
    return cards


def _with_unit(text: str, unit_text: str, unit: str) -> str:
    if text == numbers.UNDEFINED or not unit_text:
        return text
    return text + unit_text if unit == "pct" else f"{text} {unit_text}"


def _amount(value, unit: str, lang: str) -> str:
    digits = DIGITS[unit]
    return widgets.number(value, lang, digits) if unit == "qty" else numbers.fmt(value, digits)


def state_matrix(state: pd.DataFrame, f: Filters):
    """The spec × territory market-state grid for one week (territory names on the x axis)."""
    tips = [
        i18n.t("weekly.state_hover", f.lang, ratio=numbers.fmt(r, 2), index=numbers.fmt(i, 1))
        for r, i in zip(state["ratio"], state["price_index"])
    ]
    weights = views.score_weights(state)
    if weights is not None and "state_score" in state:
        tips = [
            tip
            + "<br>"
            + i18n.t(
                "weekly.score_hover",
                f.lang,
                score=numbers.fmt(r.state_score, 1),
                cover=numbers.fmt(r.cover_score, 0),
                price=numbers.fmt(r.price_score, 0),
                margin=numbers.fmt(r.margin_score, 0),
                cw=f"{weights['cover']:.0f}",
                pw=f"{weights['price']:.0f}",
                mw=f"{weights['margin']:.0f}",
            )
            for tip, r in zip(tips, state.itertuples())
        ]
    cells = state.assign(spec_label=state["spec_name"], tip=tips)
    # a city carries a hundred specs: the grid keeps every spec with a tight or loose cell,
    # then the best sellers, so it stays readable; the ranking table below has the rest
    subtitle = f.desc
    if cells["spec_code"].nunique() > MATRIX_ROWS:
        flagged = set(cells.loc[cells["state"].isin(["tight", "loose"]), "spec_code"])
        by_sales = cells.groupby("spec_code")["sales_qty"].sum().sort_values(ascending=False).index
        keep = list(dict.fromkeys([c for c in by_sales if c in flagged] + list(by_sales)))[
            : max(MATRIX_ROWS, len(flagged))
        ]
        cells = cells[cells["spec_code"].isin(keep)]
        subtitle = f"{f.desc} · {f.t('weekly.state_rows', n=len(keep))}"
    labels = {s: i18n.state(s, f.lang) for s in figures.STATE_ORDER}
    return figures.state_matrix(
        cells, "spec_label", "territory_name", "state", labels, "tip", f.t("weekly.state_title"), subtitle
    )


def state_summary(state: pd.DataFrame, f: Filters) -> None:
    """How many spec × territory cells are tight, balanced and loose, and what decides it."""
    counts = state["state"].value_counts()
    for code in figures.STATE_ORDER:
        st.markdown(
            f"<div class='mp-kpi' style='border-left:5px solid {figures.STATE_COLORS[code]};min-height:0;"
            f"margin-bottom:8px'><div class='mp-kpi-label'>{i18n.state(code, f.lang)}</div>"
            f"<div class='mp-kpi-value'>{int(counts.get(code, 0))}</div></div>",
            unsafe_allow_html=True,
        )
    st.caption(f.t("weekly.state_rule"))


def state_ranking(data, f: Filters) -> None:
    """The tightest and loosest cells by state score, the weights of the score in the caption."""
    if data.ranking is None or data.ranking.empty:
        return
    st.markdown(f"**{f.t('weekly.ranking')}**")
    if data.weights:
        w = {k: f"{v:.3g}" for k, v in data.weights.items()}
        st.caption(f.t("weekly.score_formula", cover=w["cover"], price=w["price"], margin=w["margin"]))
    widgets.table(data.ranking, f, "state_score_ranking", key="state_ranking", height=38 + 35 * len(data.ranking))
