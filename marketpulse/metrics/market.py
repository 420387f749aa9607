"""The market as a whole: 市场状态 per spec × 片区, the 预警 it raises, and the signals in
customer managers' notes."""

from __future__ import annotations

import pandas as pd

from marketpulse import store
from marketpulse.metrics.api import HIERARCHY_LEVELS, query
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
    year before). An alert whose run reaches that far (run_open) is evaluated again from
    further back (a year, then twice the weeks each time) until no run does or the first week
    with data is reached. Only what is still open is evaluated again (_open_groups: a market
    or new-brand alert for its spec, retailer outliers for their 片区, the rest by kind), so
    a long run costs little.
    """
    week_from, week_to = week_of(week_from), week_of(week_to)

    def evaluate(kinds, start, narrow=None) -> pd.DataFrame:
        params = {"week_from": start, "week_to": week_to, **filters, **(narrow or {}), "kinds": ",".join(kinds)}
        return _from(query("alerts", params, scope, path), week_from)

    first = [
        ([k for k in ALERT_KINDS if k not in YEAR_TRACED], week_from - trace_weeks * WEEK),
        (YEAR_TRACED, week_from - max(trace_weeks * WEEK, YEAR - WEEK)),
    ]
    shown = _concat([evaluate(kinds, start) for kinds, start in first])
    start = min(start for _, start in first)
    while (still := shown[shown["run_open"].eq(True)]).size:
        start -= max(week_to - start + WEEK, YEAR)
        for kinds, narrow in _open_groups(still):
            shown = _concat([shown[~_covered(shown, kinds, narrow)], evaluate(kinds, start, narrow)])
    order = ["week", "severity_score", "kind", "territory_code"]
    return shown.sort_values(order, ascending=[False, False, True, True], kind="stable").reset_index(drop=True)


def _from(frame: pd.DataFrame, week_from) -> pd.DataFrame:
    return frame[pd.to_datetime(frame["week"]).dt.date >= week_from]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other; empty ones left out (they would blur the column types)."""
    full = [f for f in frames if len(f)]
    return pd.concat(full) if full else frames[0]


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


def _covered(shown: pd.DataFrame, kinds: list[str], narrow: dict) -> pd.Series:
    """The rows of `shown` that an evaluation of `kinds` narrowed by `narrow` gives again."""
    covered = shown["kind"].isin(kinds)
    if "spec_code" in narrow:
        covered &= shown["spec_code"].eq(narrow["spec_code"])
    if "territories" in narrow:
        outlier = shown["kind"].eq("retailer_outlier")
        covered &= ~outlier | shown["territory_code"].isin(narrow["territories"].split(","))
    return covered


def notes_signals(week_from, week_to, level="territory", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """Market signals in customer managers' notes: mentions per level key × week × signal."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    return query("notes_signals", params, scope, path, levels=HIERARCHY_LEVELS)
