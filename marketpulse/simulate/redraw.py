"""The planted 片区 redraw: a few retailers change 片区 some weeks before the end of the window.

Two neighbouring 片区 of one 市场部 redraw their boundary: a handful of shops each way move
to the other 片区 and its customer manager, who visits and reports them from the redraw
week's Monday on. The shops sell as before (a boundary on a map moves, the customers do
not), so the weeks around the redraw show whether 存销比 follows each retailer's own sales.
Moved shops carry none of the planted events' specs and belong to no planted customer
manager, so the other events stay as they were. Chosen without random draws, so that apart
from the redraw a seed gives the same city. Recorded in retailer_assignment (the old
assignment up to the redraw, the new one from it) and in demo_truth as kind
`territory_redraw`: the first 片区, from the redraw week to the end.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from marketpulse.simulate.assortment import Pairs
from marketpulse.simulate.events import Events
from marketpulse.simulate.reference import RetailerArrays

REDRAW = "territory_redraw"
WEEKS_BEFORE_END = 6  # the new boundary holds from this many weeks before the window ends
MIN_MOVES = 3  # shops each way, at least
MOVE_COLUMNS = ["license_no", "valid_from", "from_territory", "from_cm", "territory_code", "cm_code"]


def plan(
    weeks: int,
    start: date,
    territory: pd.DataFrame,
    cm: pd.DataFrame,
    retailer: pd.DataFrame,
    ra: RetailerArrays,
    pairs: Pairs,
    events: Events,
) -> pd.DataFrame:
    """The moves, one row per moved retailer (MOVE_COLUMNS); empty if no two 片区 qualify.

    The two 片区 are the first pair of one 市场部, fewest planted spec events first, in each
    of which a customer manager without a planted habit has at least MIN_MOVES shops open
    all through the window and carrying no spec of a planted event in either 片区. Each
    gives up as many of them as a tenth of his shops (at least MIN_MOVES): the first 片区
    its biggest, the second its smallest, so that sales shift from the first to the second
    at the redraw (and a cover read over each 片区's credited weeks would go wrong in both).
    """
    spots = [events.overstock, events.discounting, events.stockout, events.lagging_launch]
    habit_cms = {events.copy_counts.cm, events.missed_visits.cm}
    steady = (ra.open_w == 0) & (ra.close_w == weeks)
    cm_ter = cm["territory_code"].map({t: i for i, t in enumerate(territory["territory_code"])}).to_numpy()
    volume = np.bincount(pairs.r, weights=pairs.mu, minlength=len(ra))

    def candidates(t: int, pair: tuple[int, int]) -> tuple[int, np.ndarray] | None:
        """The first customer manager of 片区 t without a planted habit who has MIN_MOVES
        shops fit to move, and those shops, biggest first."""
        fit = steady.copy()
        fit[np.unique(pairs.r[np.isin(pairs.s, [e.spec for e in spots if e.ter in pair])])] = False
        for c in np.flatnonzero(cm_ter == t):
            mine = np.flatnonzero(fit & (ra.cm == c))
            if c not in habit_cms and len(mine) >= MIN_MOVES:
                return int(c), mine[np.argsort(-volume[mine], kind="stable")]
        return None

    departments = territory["department_code"].to_numpy()
    neighbours = [(a, b) for a in range(len(territory)) for b in range(a + 1, len(territory))]
    neighbours = [(a, b) for a, b in neighbours if departments[a] == departments[b]]
    spot_ters = {e.ter for e in spots}
    neighbours.sort(key=lambda ab: (ab[0] in spot_ters) + (ab[1] in spot_ters))
    for a, b in neighbours:
        side_a, side_b = candidates(a, (a, b)), candidates(b, (a, b))
        if side_a is None or side_b is None:
            continue
        (cm_a, fit_a), (cm_b, fit_b) = side_a, side_b
        book = min((ra.cm == cm_a).sum(), (ra.cm == cm_b).sum())
        n = min(max(MIN_MOVES, book // 10), len(fit_a), len(fit_b))
        codes = territory["territory_code"].to_numpy()
        cm_codes = cm["cm_code"].to_numpy()
        since = start + timedelta(weeks=weeks - WEEKS_BEFORE_END)
        rows = [
            [retailer["license_no"].iloc[r], since, codes[t_from], cm_codes[c_from], codes[t_to], cm_codes[c_to]]
            for shops, t_from, c_from, t_to, c_to in ((fit_a[:n], a, cm_a, b, cm_b), (fit_b[-n:], b, cm_b, a, cm_a))
            for r in np.sort(shops)
        ]
        return pd.DataFrame(rows, columns=MOVE_COLUMNS)
    return pd.DataFrame(columns=MOVE_COLUMNS)


def moved(retailer: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """The retailer frame as on file at the end: the moved shops in their new 片区."""
    new = moves.set_index("license_no")
    retailer = retailer.copy()
    at = retailer["license_no"].isin(new.index)
    for column in ("territory_code", "cm_code"):
        retailer.loc[at, column] = retailer.loc[at, "license_no"].map(new[column])
    return retailer


def truth(moves: pd.DataFrame, last_week: date) -> pd.DataFrame:
    """The demo_truth row: the first 片区 of the pair, from the redraw week to the end."""
    if moves.empty:
        return pd.DataFrame(columns=["kind", "spec_code", "territory_code", "cm_code", "first_week", "last_week"])
    first = moves.iloc[0]
    return pd.DataFrame(
        [
            {
                "kind": REDRAW,
                "spec_code": None,
                "territory_code": first["from_territory"],
                "cm_code": None,
                "first_week": first["valid_from"],
                "last_week": last_week,
            }
        ]
    )


def before(retailer: pd.DataFrame, moves: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The retailer list as at the start (moved shops in their old 片区) and the moved rows
    with their 生效日期 (effective_date): the two files a marketing center would import."""
    old = moves.set_index("license_no")
    start = retailer.copy()
    at = start["license_no"].isin(old.index)
    start.loc[at, "territory_code"] = start.loc[at, "license_no"].map(old["from_territory"])
    start.loc[at, "cm_code"] = start.loc[at, "license_no"].map(old["from_cm"])
    later = retailer[at].merge(moves[["license_no", "valid_from"]], on="license_no")
    return start, later.rename(columns={"valid_from": "effective_date"})


def name_old_managers(con: duckdb.DuckDBPyConnection, moves: pd.DataFrame, visits: str = "visit_line") -> None:
    """Visits before the redraw (rows of table `visits` on `con`) name the old customer manager."""
    if moves.empty:
        return
    con.register("redraw_move", moves)
    con.execute(
        f"""
        update {visits} as v set cm_code = m.from_cm
        from redraw_move as m
        where v.license_no = m.license_no and v.visit_date < m.valid_from
        """
    )
    con.unregister("redraw_move")


def record(con: duckdb.DuckDBPyConnection, moves: pd.DataFrame) -> None:
    """Give the moved retailers their history in the store: the old assignment up to the
    redraw, the new one from it, and the old customer manager on the visits before it."""
    if moves.empty:
        return
    name_old_managers(con, moves)
    con.register("redraw_move", moves)
    con.execute(
        """
        update retailer_assignment as a
        set valid_to = m.valid_from, territory_code = m.from_territory, cm_code = m.from_cm
        from redraw_move as m
        where a.license_no = m.license_no
        """
    )
    con.execute(
        """
        insert into retailer_assignment
        select m.license_no, m.valid_from, null, m.territory_code, m.cm_code, r.format, r.tier
        from redraw_move as m
        join retailer as r using (license_no)
        """
    )
    con.unregister("redraw_move")
