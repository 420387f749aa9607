"""kept/crossings.sql and metrics.kept.crossed on a hand-made city: which 片区 and 市场部 had a
retailer or customer manager assigned across their border, now or before (a scope sees such a
retailer's rows only while they lie within it, so what the lake keeps for the city does not
answer for it).

市场部 D1: 片区 T1, T2; 市场部 D2: 片区 T3, T4, T5; 市场部 D3: 片区 T6.
  R1  T1 / C1 throughout.
  R2  T1 / C1 until 2026-03-02, then T2 / C2 (moved within D1).
  R3  T2 / C2 until 2026-05-04, then T3 / C3 (moved from D1 to D2).
  R4  T3 / C3 throughout.
  R6  T4 / C3 throughout: C3 also serves T4, so a manager spans T3 and T4 (both in D2).
  R7  T5 / C5 throughout.
  R8  T6 / C6 throughout.
Expected, 片区 by 片区 (crosses_territory, crosses_department):
  T1  R2 left it for T2                    → (true, false)
  T2  R2 came from T1, R3 left it for T3   → (true, true: T3 lies in D2)
  T3  R3 came from D1's T2; C3 serves T4   → (true, true)
  T4  C3 also serves T3, within D2         → (true, false)
  T5  nobody crossed                       → (false, false)
  T6  nobody crossed                       → (false, false), and so D3 is not crossed
Expected, manager by manager (kept/manager_crossings: a retailer of its ever another's, or two 片区):
  C1  R2 left it for C2                    → true
  C2  R2 came from C1, R3 left it for C3   → true
  C3  R3 came from C2; serves T3 and T4    → true
  C5, C6  their retailers were only theirs → false
"""

from __future__ import annotations

import pytest

from marketpulse import metrics, store
from marketpulse.metrics import kept

# license, valid_from, valid_to, 片区, manager
ASSIGNED = [
    ("R1", "1900-01-01", None, "T1", "C1"),
    ("R2", "1900-01-01", "2026-03-02", "T1", "C1"),
    ("R2", "2026-03-02", None, "T2", "C2"),
    ("R3", "1900-01-01", "2026-05-04", "T2", "C2"),
    ("R3", "2026-05-04", None, "T3", "C3"),
    ("R4", "1900-01-01", None, "T3", "C3"),
    ("R6", "1900-01-01", None, "T4", "C3"),
    ("R7", "1900-01-01", None, "T5", "C5"),
    ("R8", "1900-01-01", None, "T6", "C6"),
]


@pytest.fixture
def city(db):
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部'), ('D2', '郊县市场部'), ('D3', '开发区市场部')")
        con.execute(
            "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), "
            "('T3', '北片', 'D2', '农网'), ('T4', '南片', 'D2', '农网'), ('T5', '中片', 'D2', '农网'), ('T6', '新区', 'D3', '城网')"
        )
        con.execute(
            "insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2'), "
            "('C3', '王五', 'T3'), ('C5', '赵六', 'T5'), ('C6', '钱七', 'T6')"
        )
        for lic, start, end, ter, cm in ASSIGNED:
            con.execute(
                "insert into retailer_assignment values (?, ?::date, ?::date, ?, ?, '食杂店', 8)",
                [lic, start, end, ter, cm],
            )
            if end is None:  # where it is now
                con.execute(
                    "insert into retailer values (?, ?, '食杂店', 8, ?, ?, '城网', null, null)",
                    [lic, "店" + lic, ter, cm],
                )
    metrics.api.forget_city_reads()
    yield db
    metrics.api.forget_city_reads()


def test_each_territory_says_whether_a_retailer_or_manager_crossed_its_border(city):
    found = store.run("kept/crossings", {})
    got = {r.territory_code: (r.crosses_territory, r.crosses_department) for r in found.itertuples()}
    assert got == {
        "T1": (True, False),
        "T2": (True, True),
        "T3": (True, True),
        "T4": (True, False),
        "T5": (False, False),
        "T6": (False, False),
    }


def test_a_scope_counts_as_crossed_by_its_own_border(city):
    # D1's retailers moved between its 片区 and R3 out of it; D2 received R3 from D1
    assert kept.crossed(store.Scope(department_code="D1"))
    assert kept.crossed(store.Scope(department_code="D2"))
    assert kept.crossed(store.Scope(territory_code="T4"))  # its manager serves T3 too
    assert not kept.crossed(store.Scope(territory_code="T5"))
    assert not kept.crossed(store.Scope(department_code="D3"))
    assert not kept.crossed(store.CITY)
    assert kept.crossed(store.Scope(cm_code="C5"))  # a manager's scope is never the city's alerts


def test_each_manager_says_whether_a_retailer_of_its_was_ever_anothers(city):
    found = store.run("kept/manager_crossings", {})
    assert dict(zip(found["cm_code"], found["crosses"], strict=True)) == {
        "C1": True,
        "C2": True,
        "C3": True,
        "C5": False,
        "C6": False,
    }


def test_a_managers_scope_reads_its_kept_row_unless_crossed(city):
    assert not kept.manager_crossed(store.Scope(cm_code="C5"))
    assert kept.manager_crossed(store.Scope(cm_code="C1"))  # R2 moved to C2
    assert kept.manager_crossed(store.Scope(cm_code="C3"))  # two 片区
    assert kept.manager_crossed(store.Scope(cm_code="C9"))  # a code the store does not know
