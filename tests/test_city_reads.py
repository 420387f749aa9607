"""The whole city's figures that every scope reads beside its own: read once per store version."""

from __future__ import annotations

import pandas as pd

from marketpulse import store
from marketpulse.metrics import api as base


def test_a_city_read_is_kept_per_store_version_and_each_caller_gets_its_own_copy(db):
    base.forget_city_reads()
    reads = []

    def read(level, scope):
        reads.append(scope)
        return pd.DataFrame({"level": [level], "read": [len(reads)]})

    first = base.city_read(read, "city", store.CITY)
    first.loc[0, "read"] = 99  # a caller's change stays its own
    assert base.city_read(read, "city", store.CITY)["read"][0] == 1 and len(reads) == 1
    # other arguments are another read; a narrower scope is read every time
    assert base.city_read(read, "territory", store.CITY)["read"][0] == 2
    t1 = store.Scope(territory_code="T1")
    assert [base.city_read(read, "city", t1)["read"][0] for _ in range(2)] == [3, 4]
    assert reads == [store.CITY, store.CITY, t1, t1]
    # an import publishes a new store: the city is read afresh
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
    assert base.city_read(read, "city", store.CITY)["read"][0] == 5
    assert base.city_read(read, "city", store.CITY)["read"][0] == 5


def test_every_pages_freshness_line_is_the_citys_territories_cut_to_the_scope(demo_store, monkeypatch):
    """The header's 数据截至 line: each 片区's latest visit week, read for the city once per store
    version whatever the scope asking, then cut to the scope's territories."""
    from marketpulse import metrics, views

    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    base.forget_city_reads()
    asked = []
    lookup = metrics.lookup
    monkeypatch.setattr(metrics, "lookup", lambda name, *a, **kw: asked.append(name) or lookup(name, *a, **kw))
    city = views.freshness()
    ter = city.by_territory["territory_code"].iloc[0]
    dep = store.reader(demo_store).sql("select department_code from territory where territory_code = $t", {"t": ter})
    for scope in (store.Scope(territory_code=ter), store.Scope(department_code=dep["department_code"].iloc[0])):
        seen = views.freshness(scope)
        within = set(lookup("territories", scope=scope)["territory_code"])
        assert set(seen.by_territory["territory_code"]) == within
        mine = city.by_territory[city.by_territory["territory_code"].isin(within)]
        assert list(seen.by_territory["latest_week"]) == list(mine["latest_week"])
        assert seen.latest_week == max(mine["latest_week"])
    assert asked.count("freshness") == 1
