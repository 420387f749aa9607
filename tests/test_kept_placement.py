"""Where a customer manager's kept row lies (base/uptake_rows, base/compliance_rows,
base/fixed_weight_rows at level cm): in the 片区 and 市场部 its retailers lay in, and in none
where they lay in two, so that a scope reading the kept rows never sees a total holding another
片区's or 市场部's retailers, while a 市场部 keeps a manager serving two of its own 片区.

The city, worked by hand: 市场部 D1 → 片区 T1, T2; 市场部 D2 → 片区 T3.
  C1  R1 (T1) and R2 (T2)     two 片区 of one 市场部  → 片区 none, 市场部 D1
  C2  R3 (T1)                 one 片区                → 片区 T1,   市场部 D1
  C3  R4 (T3)                 one 片区                → 片区 T3,   市场部 D2
  C4  R5 (T2) and R6 (T3)     two 市场部              → 片区 none, 市场部 none
Every retailer is visited in 2026-W10 (Monday 2026-03-02): spec S1 at its suggested 450 元/条,
new spec N1 (launched 2026-03-04) in stock; each took an order of S1 in 2025-W23, so weight year
2025 weighs S1 for every manager and 2026-W10 is the first week it serves.
"""

from __future__ import annotations

import pytest

from marketpulse import rollup, store
from marketpulse.store.queries import bind

WEEK = "2026-03-02"
RETAILERS = {  # license → (片区, manager)
    "R1": ("T1", "C1"),
    "R2": ("T2", "C1"),
    "R3": ("T1", "C2"),
    "R4": ("T3", "C3"),
    "R5": ("T2", "C4"),
    "R6": ("T3", "C4"),
}
EXPECTED = {  # manager → (片区, 市场部) of its kept row
    "C1": (None, "D1"),
    "C2": ("T1", "D1"),
    "C3": ("T3", "D2"),
    "C4": (None, None),
}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    db = tmp_path_factory.mktemp("placement") / "store.duckdb"
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部'), ('D2', '郊县市场部')")
        con.execute(
            "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), "
            "('T3', '北片', 'D2', '农网')"
        )
        con.execute(
            "insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T1'), "
            "('C3', '王五', 'T3'), ('C4', '赵六', 'T2')"
        )
        con.execute(
            "insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01'), "
            "('N1', '新品(细支)', '新品', '二类', 200, 230, false, date '2026-03-04')"
        )
        con.execute(
            "insert into spec_price values ('S1', date '2020-01-01', null, 400, 450), "
            "('N1', date '2026-03-04', null, 200, 230)"
        )
        for lic, (ter, cm) in RETAILERS.items():
            con.execute(
                "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, date '2024-01-01', null)",
                [lic, "店" + lic, ter, cm],
            )
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)",
                [lic, ter, cm],
            )
            con.execute("insert into order_line values (date '2025-06-04', ?, 'S1', 10, 10, 1)", [lic])
            for spec, price in (("S1", 450), ("N1", 230)):
                con.execute(
                    "insert into visit_line values (date '2026-03-04', ?, ?, ?, 5, ?, true, 2, null, 1)",
                    [cm, lic, spec, price],
                )
        rollup.rebuild(con)
    return db


@pytest.mark.parametrize("query", ["base/uptake_rows", "base/compliance_rows", "base/fixed_weight_rows"])
def test_a_managers_row_lies_where_its_retailers_lay(city, query):
    # as the lake binds them (lake/uptake_week.py, compliance_week.py, fixed_weight_year.py)
    extra = {"base/uptake_rows": {"measures": None}, "base/compliance_rows": {"tolerance": None}}.get(query, {})
    sql, bound = bind(query, {"level": "cm", "week_from": WEEK, "week_to": WEEK, **extra})
    rows = store.reader(city).sql(sql, bound)
    placed = {
        cm: (ter if isinstance(ter, str) else None, dep if isinstance(dep, str) else None)
        for cm, ter, dep in rows[["cm_code", "territory_code", "department_code"]]
        .drop_duplicates()
        .itertuples(index=False)
    }
    assert placed == EXPECTED
