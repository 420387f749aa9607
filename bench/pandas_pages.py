"""The pages' views the way many Streamlit apps compute them: the weekly observations loaded
into pandas once (with the spec list), then filtered and grouped per view on every rerun.

The baseline of `python -m bench pages`. Each page function computes the frames its page
draws at the sidebar's default (last 13 weeks, no filter, the city): the same sums and
ratios as the metric queries, in the simplest faithful pandas, without their finer points
(price history, moved retailers' trailing sales), which would only make pandas slower.
"""

from __future__ import annotations

import pandas as pd

from marketpulse import store

WEEK = pd.Timedelta(weeks=1)
COLUMNS = (
    "week, license_no, spec_code, department_code, territory_code, cm_code, format, tier_band, area_type, "
    "stock_qty::double as stock_qty, sales_qty::double as sales_qty, retail_price::double as retail_price, "
    "on_shelf, visit_lines, demand_qty::double as demand_qty, supplied_qty::double as supplied_qty, "
    "order_lines, filled_order_lines"
)


def load() -> dict:
    """weekly_observation with each spec's attributes, and the spec list, as pandas frames."""
    reader = store.reader()
    obs = reader.sql(f"select {COLUMNS} from weekly_observation")
    spec = reader.sql(
        "select spec_code, brand, price_class, is_key_brand, launch_date, "
        "wholesale_price::double as wholesale_price, suggested_retail_price::double as suggested_price from spec"
    )
    obs = obs.merge(spec, on="spec_code", how="left")
    obs["week"] = pd.to_datetime(obs["week"])
    for col in ("license_no", "spec_code", "department_code", "territory_code", "cm_code", "brand"):
        obs[col] = obs[col].astype("category")
    return {"obs": obs, "spec": spec}


def _weeks(obs: pd.DataFrame, params: dict, back: int = 0) -> pd.DataFrame:
    lo = pd.Timestamp(params["week_from"]) - back * WEEK
    return obs[(obs["week"] >= lo) & (obs["week"] <= pd.Timestamp(params["week_to"]))]


def _key(frame: pd.DataFrame, level: str) -> pd.Series:
    column = {"department": "department_code", "territory": "territory_code", "cm": "cm_code"}.get(level, level)
    return pd.Series("city", index=frame.index) if level == "city" else frame[column].astype(str)


def sales(obs, params, level, back=53) -> pd.DataFrame:
    """Sales, value, key-brand share and average price per level × week, with 环比 and 同比."""
    o = _weeks(obs, params, back)
    o = o[o["sales_qty"].notna()].assign(
        key=lambda f: _key(f, level),
        value=lambda f: f["sales_qty"] * f["wholesale_price"],
        key_sales=lambda f: f["sales_qty"].where(f["is_key_brand"], 0),
    )
    w = o.groupby(["key", "week"], as_index=False, observed=True)[["sales_qty", "value", "key_sales"]].sum()
    prev = w.assign(week=w["week"] + WEEK)
    sp = w.assign(week=w["week"] + 52 * WEEK)
    w = w.merge(prev, on=["key", "week"], how="left", suffixes=("", "_prev"))
    w = w.merge(sp, on=["key", "week"], how="left", suffixes=("", "_sp"))
    w["growth"] = w["sales_qty"] / w["sales_qty_prev"] - 1
    w["sp_growth"] = w["sales_qty"] / w["sales_qty_sp"] - 1
    w["avg_price"] = w["value"] / w["sales_qty"]
    w["key_share"] = w["key_sales"] / w["sales_qty"]
    return w[w["week"] >= pd.Timestamp(params["week_from"])]


def price_index(obs, params, level) -> pd.DataFrame:
    o = _weeks(obs, params)
    o = o[o["retail_price"].notna() & (o["sales_qty"] > 0)].assign(key=lambda f: _key(f, level))
    o = o.assign(rv=o["retail_price"] * o["sales_qty"], sv=o["suggested_price"] * o["sales_qty"])
    w = o.groupby(["key", "week"], as_index=False, observed=True)[["rv", "sv"]].sum()
    return w.assign(index=100 * w["rv"] / w["sv"])


def cover(obs, params, level) -> pd.DataFrame:
    """存销比: stock ÷ the mean weekly sales of the last four weeks."""
    o = _weeks(obs, params, 3)
    o = o[o["sales_qty"].notna()].assign(key=lambda f: _key(f, level))
    w = o.groupby(["key", "week"], as_index=False, observed=True)[["stock_qty", "sales_qty"]].sum()
    w = w.sort_values(["key", "week"])
    w["avg4"] = w.groupby("key")["sales_qty"].transform(lambda s: s.rolling(4, min_periods=1).mean())
    w["ratio"] = w["stock_qty"] / w["avg4"].where(w["avg4"] > 0)
    return w[w["week"] >= pd.Timestamp(params["week_from"])]


def fill(obs, params, level) -> pd.DataFrame:
    o = _weeks(obs, params)
    o = o[o["order_lines"] > 0].assign(key=lambda f: _key(f, level))
    w = o.groupby(["key", "week"], as_index=False, observed=True)[["demand_qty", "supplied_qty"]].sum()
    return w.assign(rate=w["supplied_qty"] / w["demand_qty"])


def market_state(obs, params, weeks=1) -> pd.DataFrame:
    """Cover and price index per spec × 片区 × customer group in the last `weeks` weeks."""
    last = pd.Timestamp(params["week_to"])
    o = obs[(obs["week"] > last - (weeks + 3) * WEEK) & (obs["week"] <= last) & obs["sales_qty"].notna()]
    o = o.assign(
        rv=o["retail_price"] * o["sales_qty"], sv=o["suggested_price"] * o["sales_qty"].where(o["retail_price"].notna())
    )
    keys = ["spec_code", "territory_code", "format", "tier_band", "area_type", "week"]
    c = o.groupby(keys, as_index=False, observed=True)[["stock_qty", "sales_qty", "rv", "sv"]].sum()
    c = c.sort_values(keys)
    c["avg4"] = c.groupby(keys[:-1], observed=True)["sales_qty"].transform(lambda s: s.rolling(4, min_periods=1).mean())
    c["ratio"] = c["stock_qty"] / c["avg4"].where(c["avg4"] > 0)
    c["index"] = 100 * c["rv"] / c["sv"].where(c["sv"] > 0)
    return c[c["week"] > last - weeks * WEEK]


def distribution(obs, spec, params, level) -> pd.DataFrame:
    """铺货率 of the specs launched in the last 52 weeks: retailers that ever stocked or ordered
    each since launch ÷ active retailers, per level × week."""
    last = pd.Timestamp(params["week_to"])
    new = spec[pd.to_datetime(spec["launch_date"]) > last - 52 * WEEK]["spec_code"]
    o = obs[obs["week"] <= last]
    active = o.assign(key=_key(o, level)).groupby("key", observed=True)["license_no"].nunique()
    reached = o[o["spec_code"].isin(new) & ((o["stock_qty"] > 0) | (o["order_lines"] > 0))]
    reached = reached.assign(key=_key(reached, level))
    first = reached.groupby(["key", "spec_code", "license_no"], observed=True)["week"].min().reset_index()
    counts = first.groupby(["key", "spec_code", "week"], observed=True).size().rename("n").reset_index()
    weeks = pd.date_range(pd.Timestamp(params["week_from"]), last, freq="7D")
    out = pd.concat(
        [
            counts[counts["week"] <= w]
            .groupby(["key", "spec_code"])["n"]
            .sum()
            .rename("reached")
            .reset_index()
            .assign(week=w)
            for w in weeks
        ]
    )
    return out.assign(rate=out["reached"] / out["key"].map(active))


def scorecard(obs, params) -> pd.DataFrame:
    """Per customer manager: retailers, visited share, sales and fill rate over the weeks."""
    o = _weeks(obs, params)
    g = o.groupby("cm_code", observed=True)
    out = pd.DataFrame(
        {
            "retailers": g["license_no"].nunique(),
            "visited": o[o["visit_lines"] > 0].groupby("cm_code", observed=True)["license_no"].nunique(),
            "sales": g["sales_qty"].sum(),
            "demand": g["demand_qty"].sum(),
            "supplied": g["supplied_qty"].sum(),
        }
    )
    return out.assign(visit_rate=out["visited"] / out["retailers"], fill_rate=out["supplied"] / out["demand"])


def weekly_review(d, p):
    week = {**p, "week_from": p["week_to"]}
    prev = {**p, "week_from": pd.Timestamp(p["week_to"]) - WEEK}
    year = {**p, "week_from": pd.Timestamp(p["week_to"]) - 52 * WEEK}
    return (
        sales(d["obs"], prev, "city"),
        sales(d["obs"], year, "city", back=53),  # the year to date and its same span last year
        fill(d["obs"], week, "city"),
        cover(d["obs"], prev, "city"),
        price_index(d["obs"], prev, "city"),
        distribution(d["obs"], d["spec"], prev, "city"),
        market_state(d["obs"], p, 1),
        scorecard(d["obs"], week),  # the alerts' visit signals
    )


def inventory(d, p):
    return cover(d["obs"], p, "department"), cover(d["obs"], p, "city")


def prices(d, p):
    week = {**p, "week_from": p["week_to"]}
    return (
        price_index(d["obs"], week, "brand"),
        price_index(d["obs"], week, "territory"),
        price_index(d["obs"], week, "spec_code"),
        price_index(d["obs"], p, "city"),
    )


def brands(d, p):
    return distribution(d["obs"], d["spec"], p, "city"), distribution(d["obs"], d["spec"], p, "territory")


def territory(d, p):
    return (
        sales(d["obs"], p, "territory"),
        sales(d["obs"], p, "city"),
        cover(d["obs"], p, "territory"),
        cover(d["obs"], p, "city"),
        price_index(d["obs"], p, "territory"),
        price_index(d["obs"], p, "city"),
    )


def managers(d, p):
    return scorecard(d["obs"], p), sales(d["obs"], p, "cm", back=0)


PAGES = {
    "weekly_review": weekly_review,
    "inventory": inventory,
    "prices": prices,
    "brands": brands,
    "territory": territory,
    "managers": managers,
}
