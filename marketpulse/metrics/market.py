"""The market as a whole: 市场状态 per spec × 片区, the 预警 it raises, and the signals in
customer managers' notes."""

from __future__ import annotations

import dataclasses

import duckdb
import pandas as pd

from marketpulse import store
from marketpulse.metrics import kept
from marketpulse.metrics.api import HIERARCHY_LEVELS, city_read, lookup, query
from marketpulse.metrics.calendar import WEEK, week_of

TRACE_WEEKS = 12  # an alert's run is first traced this far before week_from, then further as needed
YEAR = 52 * WEEK
ALERT_KINDS = (
    "overstock",
    "stockout",
    "discounting",
    "lagging_launch",
    "copy_suspect",
    "missed_visits",
    "retailer_outlier",
)
# kinds that cost about as much to evaluate over a year as over a quarter, traced a year back at
# once: a lagging launch holds at most 48 weeks (a spec is new for 52, judged from its week 4)
YEAR_TRACED = ("lagging_launch", "copy_suspect", "missed_visits")
# alert kinds about one spec (in a 片区): a spec's cells and uptake do not depend on other specs
SPEC_KINDS = ("overstock", "stockout", "discounting", "lagging_launch")


def market_state(week_from, week_to, scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """市场状态 per spec × territory × week: signals, bands, state and 0–100 score."""
    return query("market_state", {"week_from": week_from, "week_to": week_to, **filters}, scope, path)


def alerts(week_from, week_to, scope=store.CITY, path=None, trace_weeks=TRACE_WEEKS, **filters) -> pd.DataFrame:
    """预警 per alert × week from week_from to week_to, each with since when it has held (始于,
    持续周数) however long ago its run began.

    The alerts are evaluated from `trace_weeks` before week_from (those in YEAR_TRACED from a
    year before). An alert whose run reaches that far (run_open) is traced a year further back
    at a time: only the year before its run's start is evaluated, for what is still open
    (_open_groups: a market or new-brand alert for its spec, retailer outliers for their 片区,
    the rest by kind), and the run found there is joined to it (_stitch). So a long run costs a
    year's evaluation per year it lasts, not the whole span each time.
    Where the lake keeps the city's alerts (lake/alert_week.py), the kinds it can answer for the
    scope and filters (_kept_kinds) are read from there instead, each run from its start.
    """
    week_from, week_to = week_of(week_from), week_of(week_to)
    kept = _kept_kinds(scope, filters, path)
    live = [k for k in ALERT_KINDS if k not in kept]
    read, traced = store.side_by_side(
        lambda: _kept(week_from, week_to, kept, scope, path) if kept else None,
        lambda: _traced(live, week_from, week_to, scope, path, trace_weeks, filters) if live else None,
    )
    if kept and read is None:  # a write took them away between the look and the read
        read = _traced(list(kept), week_from, week_to, scope, path, trace_weeks, filters)
    found = _concat([f for f in (read, traced) if f is not None])
    order = ["week", "severity_score", "kind", "territory_code"]
    return found.sort_values(order, ascending=[False, False, True, True], kind="stable").reset_index(drop=True)


# kinds about one spec × 片区 cell: a scope's cells are the city's within it, whoever moved
CELL_KINDS = ("overstock", "stockout", "discounting")
# kinds about a customer manager's own visits: the kept rows carry no 片区 for a scope to keep them by
MANAGER_KINDS = ("copy_suspect", "missed_visits")


def _kept_kinds(scope: store.Scope, filters: dict, path) -> tuple[str, ...]:
    """The kinds read from the alerts the lake keeps (kept/alerts.sql) for this scope and filters:
    none without them, under a filter, or for a customer manager (a manager's alerts are of their
    own retailers, cells included). A 市场部's or 片区's alerts are the city's within it, but for
    MANAGER_KINDS, and where a retailer or manager of it ever lay outside it (kept.crossed) for
    all but CELL_KINDS: the scope then sees only part of their history."""
    if scope.cm_code or any(v is not None for v in filters.values()):
        return ()
    if not kept.keeps("alert_week", "base/alert_rows", path):
        return ()
    if scope.is_city:
        return ALERT_KINDS
    return CELL_KINDS if kept.crossed(scope, path) else tuple(k for k in ALERT_KINDS if k not in MANAGER_KINDS)


def _kept(week_from, week_to, kinds: tuple[str, ...], scope: store.Scope, path) -> pd.DataFrame | None:
    """The kept alerts of `kinds`; None when the store no longer offers them (a write since the look)."""
    params = {"week_from": week_from, "week_to": week_to, "kinds": ",".join(kinds)}
    try:
        return query("kept/alerts", params, scope, path)
    except duckdb.CatalogException as error:
        if not kept.taken_away(error, "alert_week"):
            raise
        return None


def _traced(kinds, week_from, week_to, scope, path, trace_weeks, filters) -> pd.DataFrame:
    """The alerts of `kinds` evaluated from the facts, each run traced back to its start."""

    def evaluate(kinds, start, end, narrow=None) -> pd.DataFrame:
        params = {"week_from": start, "week_to": end, **filters, **(narrow or {})}
        return _evaluate(kinds, params, scope, path)

    first = [
        ([k for k in kinds if k not in YEAR_TRACED], week_from - trace_weeks * WEEK),
        ([k for k in kinds if k in YEAR_TRACED], week_from - max(trace_weeks * WEEK, YEAR - WEEK)),
    ]
    first = [(k, s) for k, s in first if k]
    found = store.side_by_side(*(lambda k=k, s=s: evaluate(k, s, week_to) for k, s in first))
    shown = _concat([_from(frame, week_from) for frame in found])
    while (still := shown[shown["run_open"].eq(True)]).size:
        asks = [  # open runs reach the start of their evaluation
            (week_of(start), kinds, narrow)
            for start, opened in still.groupby("since_week")
            for kinds, narrow in _open_groups(opened)
        ]
        # the years before are evaluated side by side; each found run is joined on in turn
        found = store.side_by_side(*(lambda s=s, k=k, n=n: evaluate(k, s - YEAR, s, n) for s, k, n in asks))
        for (start, kinds, narrow), before in zip(asks, found):
            shown = _stitch(shown, start, _covered(shown, kinds, narrow), before)
    return shown


def lagging_launches(week, scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """新品滞后 in `week` alone, as alerts.sql raises it: each 片区 × new spec of the scope whose
    铺货率 lies below the lag ratio × the whole city's (read from the alerts the lake keeps where
    it can, else evaluated for the week alone, its run not traced)."""
    week = week_of(week)
    if "lagging_launch" in _kept_kinds(scope, filters, path):
        found = _kept(week, week, ("lagging_launch",), scope, path)
        if found is not None:
            return found
    return _evaluate(["lagging_launch"], {"week_from": week, "week_to": week, **filters}, scope, path)


def _evaluate(kinds: list[str], params: dict, scope: store.Scope, path) -> pd.DataFrame:
    """The alerts of `kinds` within `scope`, each measured on the scope's own retailers and
    judged against the benchmark its definition names, however narrow the scope: 新品滞后
    against the whole city's 铺货率, a retailer outlier against the peers of its whole 片区
    (under a customer manager's scope the 片区's are evaluated and the manager's retailers
    kept: those whose current manager it is, as the city's list names them, the one to act).
    Only those benchmarks are read beyond the scope; no row outside it is returned."""
    outliers_by_peers = scope.cm_code is not None and "retailer_outlier" in kinds
    own = [k for k in kinds if not (outliers_by_peers and k == "retailer_outlier")]

    def in_scope() -> pd.DataFrame:
        city = None
        if "lagging_launch" in own and not scope.is_city:
            city = _city_distribution(params, path)
        return query("alerts", {**params, "kinds": ",".join(own), "city_distribution": city}, scope, path)

    def outliers() -> pd.DataFrame:
        cms = lookup("customer_managers", path=path)
        home = cms.loc[cms["cm_code"] == scope.cm_code, "territory_code"]
        if home.empty:  # not a customer manager of this store: nothing is in scope
            peers = scope
        else:  # the scope without its manager: the manager's 片区 within whatever else it names
            # (a 市场部 or 片区 the manager is not in leaves nothing, as the scope itself does)
            peers = dataclasses.replace(scope, cm_code=None, territory_code=scope.territory_code or home.iloc[0])
        found = query("alerts", {**params, "kinds": "retailer_outlier"}, peers, path)
        return found[found["cm_code"].eq(scope.cm_code)].reset_index(drop=True)

    calls = ([in_scope] if own else []) + ([outliers] if outliers_by_peers else [])
    return _concat(store.side_by_side(*calls))


def _city_distribution(params: dict, path) -> list[dict]:
    """The whole city's 铺货率 per week × new spec over the evaluated weeks, as the alerts query
    takes it ($city_distribution): read under the city's scope, once per store version and
    parameters, whichever scope asks (city_read)."""
    wanted = tuple(sorted((k, v) for k, v in params.items() if k not in ("territories", "kinds")))
    return city_read(_city_rates, wanted, store.CITY, path=path)


def _city_rates(params: tuple, scope: store.Scope, path=None) -> list[dict]:
    wanted = {**dict(params), "level": "city", "measures": "distribution"}
    city = query("new_brand_uptake", wanted, scope, path)
    return [
        {
            "week": pd.Timestamp(week).date(),
            "spec_code": spec,
            "distribution_rate": None if pd.isna(rate) else float(rate),
        }
        for week, spec, rate in zip(city["week"], city["spec_code"], city["distribution_rate"])
    ]


# what identifies one alert's run across evaluations
RUN_KEY = ["kind", "signal", "spec_code", "territory_code", "cm_code", "license_no"]


def _stitch(shown: pd.DataFrame, start, covered: pd.Series, before: pd.DataFrame) -> pd.DataFrame:
    """Join the open runs of `shown` that begin at `start` (of the `covered` rows) to the runs
    `before` finds for the same alerts in its weeks up to `start`: their start, length and
    openness become the older run's."""
    at = covered & pd.to_datetime(shown["since_week"]).dt.date.eq(start) & shown["run_open"].eq(True)
    linked = before[pd.to_datetime(before["week"]).dt.date == start]
    older = linked[RUN_KEY + ["since_week", "weeks_running", "run_open"]].rename(
        columns={"since_week": "older_since", "weeks_running": "older_weeks", "run_open": "older_open"}
    )
    opened = shown[at].reset_index().merge(older, on=RUN_KEY, how="left").set_index("index")
    found = opened["older_since"].notna()
    opened = opened[found]
    # the row's weeks since `start` plus the older run's weeks before it (`start` counted once)
    shown.loc[opened.index, "weeks_running"] = opened["weeks_running"] + opened["older_weeks"] - 1
    shown.loc[opened.index, "since_week"] = opened["older_since"]
    shown.loc[opened.index, "run_open"] = opened["older_open"]
    # an open run whose alert the older weeks do not hold at `start` (not expected) began there
    shown.loc[opened.index.symmetric_difference(shown.index[at]), "run_open"] = False
    return shown


def _from(frame: pd.DataFrame, week_from) -> pd.DataFrame:
    return frame[pd.to_datetime(frame["week"]).dt.date >= week_from]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other; empty ones left out (they would blur the column types)."""
    full = [f for f in frames if len(f)]
    return pd.concat(full, ignore_index=True) if full else frames[0]


def _covered(shown: pd.DataFrame, kinds: list[str], narrow: dict) -> pd.Series:
    """The rows of `shown` that an evaluation of `kinds` narrowed by `narrow` gives again."""
    covered = shown["kind"].isin(kinds)
    if "spec_code" in narrow:
        covered &= shown["spec_code"].eq(narrow["spec_code"])
    if "territories" in narrow:
        outlier = shown["kind"].eq("retailer_outlier")
        covered &= ~outlier | shown["territory_code"].isin(narrow["territories"].split(","))
    return covered


def _open_groups(still: pd.DataFrame) -> list[tuple[list[str], dict]]:
    """What to evaluate again for the open alerts, as (kinds, parameters that narrow them): a
    market or new-brand alert for its spec alone (a spec's cells and uptake do not depend on
    other specs), retailer outliers for their 片区 (the peers are there), the rest by kind."""
    by_spec = still["kind"].isin(SPEC_KINDS)
    groups = [(sorted(set(g["kind"])), {"spec_code": spec}) for spec, g in still[by_spec].groupby("spec_code")]
    rest = still[~by_spec]
    if len(rest):
        outliers = rest.loc[rest["kind"] == "retailer_outlier", "territory_code"]
        narrow = {"territories": ",".join(sorted(set(outliers)))} if len(outliers) else {}
        groups.append((sorted(set(rest["kind"])), narrow))
    return groups


def notes_signals(week_from, week_to, level="territory", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """Market signals in customer managers' notes: mentions per level key × week × signal."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    return query("notes_signals", params, scope, path, levels=HIERARCHY_LEVELS)
