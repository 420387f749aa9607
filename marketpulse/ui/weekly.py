"""The weekly review's own pieces: KPI card texts, the alert cards and what a click on an alert
or a grid cell opens, the market-state grid, the count of cells per state, and the state-score
ranking with its weights."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from marketpulse import i18n, numbers, views
from marketpulse.ui import figures, grid, widgets
from marketpulse.ui.shell import Filters, load

TOP_ALERTS = 5  # alerts shown as cards above the table, most severe first
SEVERITY_COLORS = {"high": "#D62728", "medium": "#F0A30A", "low": "#9AA5B1"}

MATRIX_ROWS = 30  # specs the grid shows at most (besides every flagged one)
SUFFIXES = ("片区", "市场部")  # the level word a crowded grid's column names drop
CROWDED_COLUMNS = 12  # past this many columns the grid's labels stand upright and its cells carry one mark


def kpi_texts(kpis, lang: str) -> list[dict]:
    """KPI records from the view as card texts: value in its unit, changes (个百分点 for a rate,
    点 for an index), traffic light, the year to date (年累计) with its 累计同比 (None on a card
    without one: a level, not a sum), and the whole city's value beside a territory's."""
    cards = []
    for k in kpis:
        unit = i18n.t(f"unit.{k.unit}", lang)
        value = numbers.show(k.value, k.unit, lang, with_unit=False)
        if value != numbers.UNDEFINED and unit.strip():
            value += f" <span style='font-size:0.64em;color:#666'>{unit.strip()}</span>"
        moves = "index_points" if k.unit == "index" else "points" if k.points else "pct"
        cards.append(
            {
                "label": i18n.t(k.key, lang),
                "value": value,
                "rag": k.rag,
                "wow": numbers.change(k.wow, lang, moves),
                "yoy": numbers.change(k.yoy, lang, moves),
                "ytd": numbers.show(k.ytd, k.unit, lang) if k.cumulative else None,
                "ytd_yoy": numbers.change(k.ytd_yoy, lang, moves) if k.cumulative else None,
                "city": None if k.city is None else numbers.show(k.city, k.unit, lang),
            }
        )
    return cards


def _tips(state: pd.DataFrame, f: Filters) -> tuple[str, list[list[str]]]:
    """Each cell's numbers in words — cover, price index, and the score with its parts and
    weights — as one hover template and each cell's numbers (the words travel once)."""
    field = [f"%{{customdata[{i}]}}" for i in range(6)]
    template = i18n.t("weekly.state_hover", f.lang, ratio=field[0], index=field[1])
    numbers_of = [[numbers.fmt(r, 2), numbers.fmt(i, 1)] for r, i in zip(state["ratio"], state["price_index"])]
    weights = views.score_weights(state)
    if weights is None or "state_score" not in state:
        return template, numbers_of
    template += "<br>" + i18n.t(
        "weekly.score_hover",
        f.lang,
        score=field[2],
        cover=field[3],
        price=field[4],
        margin=field[5],
        cw=f"{weights['cover']:.0f}",
        pw=f"{weights['price']:.0f}",
        mw=f"{weights['margin']:.0f}",
    )
    scores = zip(state["state_score"], state["cover_score"], state["price_score"], state["margin_score"])
    return template, [
        two + [numbers.fmt(s, 1), numbers.fmt(c, 0), numbers.fmt(p, 0), numbers.fmt(m, 0)]
        for two, (s, c, p, m) in zip(numbers_of, scores)
    ]


def state_matrix(state: pd.DataFrame, f: Filters, by_week: bool = False, title: str | None = None):
    """The spec × territory market-state grid for one week (territory names across), or with
    `by_week` one 片区's spec × week grid; shaded by the state score, exceptions labelled."""
    cells = state.assign(spec_label=state["spec_name"])
    column, subtitle = "territory_name", f.desc
    if by_week:
        weeks = pd.to_datetime(cells["week"])
        cells = cells.assign(week_label=weeks.dt.strftime("%m-%d"))
        column = "week_label"
        if len(weeks) and f.week_from and f.week_to:  # the weeks the grid holds, not the sidebar's range
            shown = f"{weeks.min().date()}–{weeks.max().date()}"
            subtitle = f.desc.replace(f"{f.week_from}–{f.week_to}", shown)
    # a city carries a hundred specs: the grid keeps every spec with a tight or loose cell,
    # then the best sellers, so it stays readable; the ranking table below has the rest
    if cells["spec_code"].nunique() > MATRIX_ROWS:
        flagged = set(cells.loc[cells["state"].isin(["tight", "loose"]), "spec_code"])
        by_sales = cells.groupby("spec_code")["sales_qty"].sum().sort_values(ascending=False).index
        keep = list(dict.fromkeys([c for c in by_sales if c in flagged] + list(by_sales)))[
            : max(MATRIX_ROWS, len(flagged))
        ]
        cells = cells[cells["spec_code"].isin(keep)]
        subtitle = f"{subtitle} · {f.t('weekly.state_rows', n=len(keep))}"
    columns = list(dict.fromkeys(cells[column]))
    crowded = len(columns) > CROWDED_COLUMNS
    # a crowded grid's cells are too narrow for a word: one mark each, explained under the grid
    labels = {s: f.t(f"weekly.mark.{s}") if crowded else i18n.state(s, f.lang) for s in figures.STATE_ORDER}
    template, tips = _tips(cells, f)  # the cells shown: their numbers in words
    cells = cells.assign(tip=tips)
    banded = {"ratio_low", "ratio_high", "index_loose"} <= set(cells.columns)
    if banded:
        cells = cells.assign(deviation=deviation(cells))
    fig = grid.state_matrix(
        cells,
        "spec_label",
        column,
        "state",
        labels,
        "tip",
        title or f.t("weekly.state_title"),
        subtitle,
        score="deviation" if banded else None,
        hover_template=template,
    )
    # the cells fill the plot: no padding for the click markers (a row's worth above the grid)
    rows = cells["spec_label"].nunique()
    fig.update_yaxes(autorange=False, range=[rows - 0.5, -0.5])
    fig.update_xaxes(autorange=False, range=[-0.5, len(columns) - 0.5])
    if crowded:
        _upright_columns(fig, columns)
    return fig


def _upright_columns(fig, columns: list[str]) -> None:
    """Column names that cannot stand side by side: the suffix they share (片区) dropped, Chinese
    names written top to bottom one character a line, others turned upright; labels never overlap."""
    shown = short_names(columns)
    stacked = all(_is_cjk(name) for name in shown)
    fig.update_xaxes(
        tickvals=columns,
        ticktext=["<br>".join(name) if stacked else name for name in shown],
        tickangle=0 if stacked else -90,
        tickfont={"size": 12 if stacked else 11},
    )
    longest = max((len(name) for name in shown), default=1)
    label = 15 * longest if stacked else 7 * longest  # px the column labels take above the grid
    fig.update_layout(margin={"t": 84 + label}, height=fig.layout.height - 150 + 84 + label)
    fig.update_traces(textfont={"size": 12}, selector={"type": "heatmap"})
    # a hover names its column by its tick text on a category axis: the stacked "石<br>桥" would
    # show; the cells' markers carry the whole name instead
    for trace in fig.select_traces(selector={"type": "scatter"}):
        trace.update(text=list(trace.x), hovertemplate=trace.hovertemplate.replace("%{x}", "%{text}"))


def crowded(fig) -> bool:
    """Whether the grid's columns were too many for words (its cells then carry one mark each)."""
    return fig.layout.xaxis.ticktext is not None


def short_names(names: list[str]) -> list[str]:
    """Names without the level word they all end in ("东城片区", "西城片区" → "东城", "西城")."""
    for suffix in SUFFIXES:
        if names and all(n.endswith(suffix) and len(n) > len(suffix) for n in names):
            return [n[: -len(suffix)] for n in names]
    return list(names)


def _is_cjk(text: str) -> bool:
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or ch in "()()" for ch in text)


def deviation(cells: pd.DataFrame) -> list[float]:
    """How far each cell is from balance, -1 … 1: past the band it is ±0.5 … ±1 by how far
    (cover under the floor or over the ceiling, index under the loose line); inside it, a pale
    ±0.3 by where cover sits between floor and ceiling (near the floor warm, near the ceiling cool)."""
    out = []
    for r in cells.itertuples(index=False):
        low, high, ratio, index = r.ratio_low, r.ratio_high, r.ratio, r.price_index
        if r.state == "tight":
            far = (low - ratio) / low if pd.notna(ratio) and low else 1.0
            out.append(0.5 + 0.5 * min(1.0, max(0.0, far)))
        elif r.state == "loose":
            over = (ratio - high) / high if pd.notna(ratio) and ratio > high else 0.0
            under = (r.index_loose - index) / 5 if pd.notna(index) and index < r.index_loose else 0.0
            far = max(over, under) if pd.notna(ratio) or pd.notna(index) else 1.0
            out.append(-0.5 - 0.5 * min(1.0, far))
        elif pd.notna(ratio) and high > low:
            out.append(-0.3 * max(-1.0, min(1.0, (ratio - (low + high) / 2) / ((high - low) / 2))))
        else:
            out.append(0.0)
    return out


def state_summary(state: pd.DataFrame, f: Filters) -> None:
    """How many spec × territory cells are tight, balanced and loose, side by side above the grid."""
    counts = state["state"].value_counts()
    for col, code in zip(st.columns(len(figures.STATE_ORDER)), figures.STATE_ORDER):
        col.markdown(
            f"<div class='mp-kpi' style='border-left:5px solid {figures.STATE_COLORS[code]};min-height:0'>"
            f"<div class='mp-kpi-label'>{i18n.state(code, f.lang)}</div>"
            f"<div class='mp-kpi-value'>{int(counts.get(code, 0))}</div></div>",
            unsafe_allow_html=True,
        )


def state_ranking(data, f: Filters) -> None:
    """The tightest tight cells and the loosest loose cells by state score, the score's weights in
    the caption; a sentence where a list is empty (a balanced cell is never "tightest")."""
    if data.ranking is None:
        return
    st.markdown(f"**{f.t('weekly.ranking')}**")
    if data.weights:
        w = {k: f"{v:.3g}" for k, v in data.weights.items()}
        st.caption(f.t("weekly.score_formula", cover=w["cover"], price=w["price"], margin=w["margin"]))
    shown = set(data.ranking[f.t("col.state")]) if len(data.ranking) else set()
    missing = [f.t(f"weekly.no_{s}") for s in ("tight", "loose") if i18n.state(s, f.lang) not in shown]
    if missing:
        st.markdown(" ".join(missing))
    if data.ranking.empty:
        return
    widgets.table(
        data.ranking,
        f,
        "state_score_ranking",
        key="state_ranking",
        height=38 + 35 * len(data.ranking),
        column_config={
            f.t("col.rank"): st.column_config.TextColumn(width=100),
            f.t("col.spec"): st.column_config.TextColumn(width=150),
            f.t("col.territory"): st.column_config.TextColumn(width=90),
        },
    )


def alert_cards(data, f: Filters) -> None:
    """The most severe alerts as cards that wrap on any screen: what, why in full, who owns it, what to do."""
    a, t = data.alerts.head(TOP_ALERTS), f.t
    severity = {t(f"severity.{k}"): k for k in SEVERITY_COLORS}
    for row in a.to_dict("records"):
        colour = SEVERITY_COLORS.get(severity.get(row[t("col.severity")]), "#BBB")
        what = " · ".join(str(v) for v in (row[t("col.kind")], row[t("col.spec")], row[t("col.territory")]) if v)
        since = t("weekly.alert_since", since=row[t("col.since")], n=row[t("col.weeks_running")])
        st.markdown(
            f"<div class='mp-alert' style='border-left:5px solid {colour}'>"
            f"<div class='mp-alert-what'>[{row[t('col.severity')]}] {what}</div>"
            f"<div class='mp-alert-why'>{row[t('col.reason')]}</div>"
            f"<div class='mp-alert-who'>{t('col.cm')}:{row[t('col.cm')] or '—'} · "
            f"{t('col.action')}:<b>{row[t('col.action')]}</b> · {since}</div></div>",
            unsafe_allow_html=True,
        )


def alert_columns(f: Filters) -> dict:
    """The alert table's columns: the reason wide, the numbers to two decimals."""
    two = st.column_config.NumberColumn(format="%.2f")
    return {
        f.t("col.reason"): st.column_config.TextColumn(width="large"),
        f.t("col.action"): st.column_config.TextColumn(width="medium"),
        f.t("col.value"): two,
        f.t("col.threshold"): two,
        f.t("col.severity_score"): two,
    }


def _code(value) -> str | None:
    return value if isinstance(value, str) and value else None


MANAGERS_PAGE = "app_pages/6_customer_managers.py"
MANAGER_KINDS = ("copy_suspect", "missed_visits")  # alerts about a manager's own work


def alert_target(data, row: int, f: Filters) -> dict:
    """What a click on an alert opens: its spec × 片区 here; a customer manager's (照搬照抄, 漏访)
    that manager's detail on the 客户经理 page; a retailer outlier its manager's retailers here;
    else its 片区. The sidebar follows: the 市场部 of a 片区 opened, and a manager's 片区 and 市场部
    (a retailer outlier's manager only while it still serves the alert's 片区: else the sidebar
    of a 片区's account would be taken outside its 片区)."""
    codes = data.alert_codes.iloc[row]
    spec, ter, cm = _code(codes["spec_code"]), _code(codes["territory_code"]), _code(codes["cm_code"])
    if spec and ter:
        return _placed({"ter": ter, "spec": spec})
    if cm and codes.get("kind") in MANAGER_KINDS:
        return _placed({"page": MANAGERS_PAGE, "cm": cm, "ter": _home(cm) or ter})
    if cm:
        home = _home(cm)
        return _placed({"cm": cm, "ter": home}) if home and ter in (None, home) else {"cm": cm}
    return _placed({"ter": ter}) if ter else {}


def _home(cm: str) -> str | None:
    """The 片区 customer manager `cm` serves now."""
    cms = load(views.reference).cms
    home = cms.loc[cms["cm_code"] == cm, "territory_code"]
    return home.iloc[0] if len(home) else None


def _placed(target: dict) -> dict:
    """`target` with the 市场部 of its 片区 (none without one), so the sidebar's 市场部 shows
    where the opened view lies."""
    if not target.get("ter"):
        return {k: v for k, v in target.items() if k != "ter"}
    ref = load(views.reference).territories
    dep = ref.loc[ref["territory_code"] == target["ter"], "department_code"]
    return {**target, "dep": dep.iloc[0]} if len(dep) else target


def matrix_target(data, picked: str, f: Filters, by_week: bool) -> dict:
    """What a click on the grid opens, one level down: a 片区's column opens its 市场部 (from the
    city) or the 片区 (from a 市场部); in a 片区's spec × week grid a row opens that spec's retailers."""
    if by_week:
        cells = data.recent
        row = cells[cells["spec_name"] == picked].head(1)
        if row.empty:
            return {}
        target = {"ter": row["territory_code"].iloc[0], "spec": row["spec_code"].iloc[0]}
        return {**target, "cm": f.cm} if f.cm else target
    ter = dict(zip(data.state["territory_name"], data.state["territory_code"])).get(picked)
    if ter is None:
        return {}
    if f.department:
        return {"ter": ter}
    ref = load(views.reference).territories
    return {"dep": ref.loc[ref["territory_code"] == ter, "department_code"].iloc[0]}


def scope_name(f: Filters) -> str:
    """The name of the narrowest level chosen: the manager, else the 片区, else the 市场部, else 全市."""
    ref = load(views.reference)
    if f.cm:
        return dict(zip(ref.cms["cm_code"], ref.cms["cm_name"])).get(f.cm, f.cm)
    if f.territory:
        return dict(zip(ref.territories["territory_code"], ref.territories["territory_name"])).get(f.territory, "")
    if f.department:
        return ref.departments.get(f.department, f.department)
    return f.t("filter.whole_city")
