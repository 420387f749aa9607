"""The store: schema versions, atomic publication, scopes and named-query binding."""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import pandas as pd
import pytest

from marketpulse import cli, metrics, rollup, store


def add_city(con):
    con.execute("insert into department values ('D1', '城区市场部'), ('D2', '县区市场部')")
    con.execute(
        "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), ('T3', '北乡', 'D2', '农网')"
    )
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2'), ('C3', '王五', 'T3')")
    for lic, ter, cm in [("R1", "T1", "C1"), ("R2", "T2", "C2"), ("R3", "T3", "C3")]:
        con.execute(
            "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, null, null)", [lic, "店" + lic, ter, cm]
        )
        con.execute(
            "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)", [lic, ter, cm]
        )
    con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")


def test_new_store_has_current_schema_and_seeded_rules(db):
    with duckdb.connect(str(db), read_only=True) as con:
        assert store.stored_version(con) == store.SCHEMA_VERSION
        assert con.execute("select count(*) from monitoring_point").fetchone()[0] >= 1
        assert con.execute("select weight from state_score_weight where signal = 'cover'").fetchone()[0] == 0.4


def test_older_store_is_upgraded_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # a version-1 store, as an earlier release left it
        con.execute("create table schema_version (version integer primary key, applied_at timestamp not null)")
        con.execute(store.migrations()[0][1].read_text(encoding="utf-8"))
        con.execute("insert into schema_version values (1, now())")
    assert store.Reader(path).sql("select count(*) as n from weekly_observation")["n"][0] == 0
    with duckdb.connect(str(path), read_only=True) as con:
        assert store.stored_version(con) == store.SCHEMA_VERSION


def test_newer_store_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "new.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table schema_version (version integer primary key, applied_at timestamp not null)")
        con.execute("insert into schema_version values (999, now())")
    with pytest.raises(store.StoreVersionError, match="newer than this MarketPulse") as err:
        store.Reader(path).sql("select 1")
    assert "请升级" in str(err.value)


def test_failed_write_leaves_the_store_as_it_was(db):
    before = store.store_version(db)
    with pytest.raises(RuntimeError):
        with store.writer(db) as con:
            con.execute("insert into department values ('D9', '新市场部')")
            raise RuntimeError("import failed half way")
    assert store.store_version(db) == before
    assert store.Reader(db).sql("select count(*) as n from department")["n"][0] == 0
    assert not list(db.parent.glob(".*.building*"))


def test_reader_sees_a_published_write(db):
    r = store.Reader(db)
    assert r.sql("select count(*) as n from department")["n"][0] == 0
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
    assert r.sql("select count(*) as n from department")["n"][0] == 1


@pytest.mark.parametrize(
    "scope, retailers, territories",
    [
        (store.CITY, {"R1", "R2", "R3"}, {"T1", "T2", "T3"}),
        (store.Scope(department_code="D1"), {"R1", "R2"}, {"T1", "T2"}),
        (store.Scope(territory_code="T2"), {"R2"}, {"T2"}),
        (store.Scope(cm_code="C3"), {"R3"}, {"T3"}),
    ],
)
def test_scope_hides_rows_outside_it(db, scope, retailers, territories):
    with store.writer(db) as con:
        add_city(con)
    r = store.Reader(db)
    assert set(r.sql("select license_no from retailer", scope=scope)["license_no"]) == retailers
    assert set(r.sql("select territory_code from territory", scope=scope)["territory_code"]) == territories


def test_a_scope_is_resolved_once_per_store_version_and_follows_each_publish(db):
    # T2's rows come through views made once for the scope; a cursor only points at them
    with store.writer(db) as con:
        add_city(con)
    r = store.Reader(db)
    t2, c1 = store.Scope(territory_code="T2"), store.Scope(cm_code="C1")
    schemas = "select count(*) as n from duckdb_schemas() where database_name = 'memory' and schema_name like 'scope_%'"
    for _ in range(3):
        assert set(r.sql("select license_no from retailer", scope=t2)["license_no"]) == {"R2"}
    assert r.sql(schemas)["n"][0] == 1
    assert set(r.sql("select license_no from retailer", scope=c1)["license_no"]) == {"R1"}
    assert r.sql(schemas)["n"][0] == 2
    # R4 joins T2 and orders: the next read within T2 sees its order lines (order_line is cut
    # by the scope's retailers, which are the new store's), and R1's stay outside
    with store.writer(db) as con:
        con.execute("insert into retailer values ('R4', '店R4', '食杂店', 8, 'T2', 'C2', null, null, null)")
        con.execute("insert into retailer_assignment values ('R4', date '1900-01-01', null, 'T2', 'C2', '食杂店', 8)")
        con.execute(
            "insert into order_line values (date '2025-09-01', 'R4', 'S1', 5, 5, 1), (date '2025-09-01', 'R1', 'S1', 3, 3, 1)"
        )
    assert set(r.sql("select license_no from order_line", scope=t2)["license_no"]) == {"R4"}
    assert set(r.sql("select license_no from retailer", scope=t2)["license_no"]) == {"R2", "R4"}
    assert r.sql(schemas)["n"][0] == 1  # the new store's connection: only T2's asked for so far


def test_a_scope_whose_views_could_not_be_made_leaves_nothing_in_the_way(db, monkeypatch):
    import importlib

    reader_module = importlib.import_module("marketpulse.store.reader")
    with store.writer(db) as con:
        add_city(con)
    r, t2 = store.Reader(db), store.Scope(territory_code="T2")
    made = reader_module.create_scope_schema

    def fails_halfway(con, scope, tables, schema):
        con.execute(f"create schema memory.{schema}")
        raise duckdb.IOException("no space left on device")

    monkeypatch.setattr(reader_module, "create_scope_schema", fails_halfway)
    with pytest.raises(duckdb.IOException):
        r.sql("select license_no from retailer", scope=t2)
    monkeypatch.setattr(reader_module, "create_scope_schema", made)
    assert set(r.sql("select license_no from retailer", scope=t2)["license_no"]) == {"R2"}
    schemas = "select count(*) as n from duckdb_schemas() where database_name = 'memory' and schema_name like 'scope_%'"
    assert r.sql(schemas)["n"][0] == 1  # the half-made one is gone


def test_bind_rejects_missing_and_unknown_parameters(tmp_path, monkeypatch):
    (tmp_path / "demo_metric.sql").write_text("-- test\nselect $week_from::date as w where $level = 'city'\n")
    monkeypatch.setattr(store.queries, "QUERY_DIR", tmp_path)
    with pytest.raises(store.QueryError, match="needs parameter.*week_from"):
        store.bind("demo_metric", {"level": "city"})
    with pytest.raises(store.QueryError, match="takes no parameter colour"):
        store.bind("demo_metric", {"level": "city", "week_from": "2025-01-06", "colour": "red"})
    sql, bound = store.bind("demo_metric", {"level": "city", "week_from": "2025-01-06"})
    assert bound == {"level": "city", "week_from": "2025-01-06"}


NULL_DEFAULT_HEADER = """-- One row: a query whose header says which parameters default to null.
--
-- Parameters:
--   $week_from  first week (a Monday)
--   $tolerance  relative band, e.g. 0.02 for ±2%; null = setting `price_tolerance`
--   $formula    laspeyres | paasche | fisher | tornqvist; null = fisher
--   $as_of      date or null: the last week to read (any day means its week); null = the
--               store's last week
--   $depth      how far to look back, in weeks; no default
--   $note       a text that mentions null without meaning a default
-- Columns:
--   w  date  the week
select $week_from::date as w, $tolerance as t, $formula as f, $as_of as a, $depth as d, $note as n
"""


def test_bind_leaves_out_the_parameters_whose_header_says_null_is_the_default(tmp_path, monkeypatch):
    (tmp_path / "null_metric.sql").write_text(NULL_DEFAULT_HEADER)
    monkeypatch.setattr(store.queries, "QUERY_DIR", tmp_path)
    # "null = …" in an entry, also on its continued line, makes the parameter optional
    assert store.queries.null_default_params("null_metric") == {"tolerance", "formula", "as_of"}
    _, bound = store.bind("null_metric", {"week_from": "2025-01-06", "depth": 3, "note": "x"})
    assert bound == {
        "week_from": "2025-01-06",
        "tolerance": None,
        "formula": None,
        "as_of": None,
        "depth": 3,
        "note": "x",
    }
    # a value given is kept; a parameter without a documented default is still required
    _, bound = store.bind("null_metric", {"week_from": "w", "depth": 3, "note": "x", "formula": "paasche"})
    assert bound["formula"] == "paasche"
    with pytest.raises(store.QueryError, match="needs parameter.*depth, note"):
        store.bind("null_metric", {"week_from": "2025-01-06"})
    with pytest.raises(store.QueryError, match="needs parameter.*week_from"):
        store.bind("null_metric", {"depth": 3, "note": "x"})


@pytest.fixture
def priced(db):
    """A store with two priced visits: R1's S1 (suggested 450) at 450 on 06-01 and 454.5 on 06-08."""
    with store.writer(db) as con:
        add_city(con)
        con.execute(
            """insert into visit_line values
              ('2026-06-01', 'C1', 'R1', 'S1', 5, 450, true, 2, null, 1),
              ('2026-06-08', 'C1', 'R1', 'S1', 5, 454.5, true, 2, null, 1)"""
        )
        rollup.rebuild(con)
    return db


def test_price_queries_run_without_their_null_default_parameters(priced):
    week = {"week_from": "2026-06-08", "week_to": "2026-06-08", "level": "city"}
    # no tolerance: the setting price_tolerance (0.02); 454.5 is 1% above 450, inside the band
    compliance = metrics.query("price_compliance", week, path=priced)
    assert compliance.tolerance.tolist() == [0.02] and compliance.compliance_rate.tolist() == [1.0]
    # no formula: Fisher; one spec, 450 → 454.5: 100 then 101 by every formula
    chained = metrics.query("price_index_chained", {**week, "week_from": "2026-06-01"}, path=priced)
    assert chained.formula.tolist() == ["fisher", "fisher"]
    assert chained.price_index.tolist() == pytest.approx([100, 101])
    # scoped the same: 片区 T1 holds R1; customer manager C2 sees no price
    in_t1 = metrics.query("price_compliance", week, store.Scope(territory_code="T1"), priced)
    assert in_t1.compliance_rate.tolist() == [1.0]
    assert metrics.query("price_compliance", week, store.Scope(cm_code="C2"), priced).empty


@pytest.mark.parametrize(
    "name, expect",
    [("price_compliance", "city,全市,1.0,1,1,0,0,0.02"), ("price_index_chained", "city,全市,fisher,100.0")],
)
def test_command_line_may_leave_out_a_null_default_parameter(priced, capsys, name, expect):
    argv = ["query", name, "--format", "csv", "--param", "level=city"]
    argv += ["--param", "week_from=2026-06-01", "--param", "week_to=2026-06-08"]
    assert cli.main(argv) == 0
    assert expect in capsys.readouterr().out


def test_query_names_cannot_escape_the_queries_folder():
    with pytest.raises(store.QueryError):
        store.query_path("../secrets")


def test_line_sales_and_weekly_observation_worked_example(db):
    # Stock 10 → order supplied 5 on the visit day → stock 6: sales 10 + 5 − 6 = 9.
    # Then an order of 8 mid-week, stock 12 (6 + 8 − 12 = 2) and a next-day visit reporting 2.
    with store.writer(db) as con:
        add_city(con)
        con.execute(
            """insert into visit_line values
              ('2025-09-01', 'C1', 'R1', 'S1', 10, 450, true, null, null, 1),
              ('2025-09-08', 'C1', 'R1', 'S1',  6, 455, true, null, null, 1),
              ('2025-09-15', 'C1', 'R1', 'S1', 12, 455, true, null, null, 1),
              ('2025-09-16', 'C1', 'R1', 'S1', 11, 460, true, 2,    null, 1),
              ('2025-09-22', 'C1', 'R1', 'S1', 15, 460, true, null, null, 1)"""
        )
        con.execute(
            """insert into order_line values
              ('2025-09-08', 'R1', 'S1', 5, 5, 1), ('2025-09-10', 'R1', 'S1', 10, 8, 1)"""
        )
        rollup.rebuild(con)
    cur = store.Reader(db).cursor()
    got = cur.execute(
        "select week::varchar as week, stock_qty::double as stock, sales_qty::double as sales, "
        "retail_price::double as price, demand_qty::double as demand, supplied_qty::double as supplied, "
        "filled_order_lines as filled from weekly_observation order by week"
    ).fetchall()
    cols = ["week", "stock", "sales", "price", "demand", "supplied", "filled"]
    assert [dict(zip(cols, row)) for row in got] == [
        {
            "week": "2025-09-01",
            "stock": 10.0,
            "sales": None,
            "price": 450.0,
            "demand": 0.0,
            "supplied": 0.0,
            "filled": 0,
        },
        {
            "week": "2025-09-08",
            "stock": 6.0,
            "sales": 9.0,
            "price": 455.0,
            "demand": 15.0,
            "supplied": 13.0,
            "filled": 1,
        },
        {
            "week": "2025-09-15",
            "stock": 11.0,
            "sales": 4.0,
            "price": 460.0,
            "demand": 0.0,
            "supplied": 0.0,
            "filled": 0,
        },
        # stock rose 11 → 15 with no order: floored at 0, not −4
        {
            "week": "2025-09-22",
            "stock": 15.0,
            "sales": 0.0,
            "price": 460.0,
            "demand": 0.0,
            "supplied": 0.0,
            "filled": 0,
        },
    ]


def test_incremental_refresh_equals_full_rebuild(db):
    with store.writer(db) as con:
        add_city(con)
        con.execute(
            """insert into visit_line values
              ('2025-09-01', 'C1', 'R1', 'S1', 10, 450, true, null, null, 1),
              ('2025-09-08', 'C1', 'R1', 'S1',  6, 455, true, null, null, 1)"""
        )
        rollup.rebuild(con)
        con.execute("insert into visit_line values ('2025-09-15', 'C1', 'R1', 'S1', 3, 455, true, null, null, 2)")
        con.execute("insert into order_line values ('2025-09-12', 'R1', 'S1', 4, 4, 2)")
        con.execute(
            "create temp table new_rows as select 'R1' as license_no, 'S1' as spec_code, date '2025-09-12' as from_date"
        )
        rollup.refresh(con, "new_rows")
        incremental = con.execute("select * from weekly_observation order by all").fetchall()
        rollup.rebuild(con)
        assert con.execute("select * from weekly_observation order by all").fetchall() == incremental
        assert con.execute("select sales_qty from weekly_observation where week = '2025-09-15'").fetchone()[0] == 7


def test_a_refresh_reads_back_to_the_previous_visit_however_far(db):
    """A week rebuilt after a long gap takes its sales from the pair's last visit before it and the
    orders since that visit, as a rebuild does (the refresh reads no line older than that visit)."""
    with store.writer(db) as con:
        add_city(con)
        con.execute("insert into visit_line values ('2025-08-04', 'C1', 'R1', 'S1', 20, 450, true, null, null, 1)")
        con.execute(
            """insert into order_line values
              ('2025-08-04', 'R1', 'S1', 5, 5, 1),  -- on the visit's day: counts toward that visit
              ('2025-08-20', 'R1', 'S1', 4, 4, 1)"""
        )
        rollup.rebuild(con)
        con.execute("insert into visit_line values ('2025-09-17', 'C1', 'R1', 'S1', 12, 455, true, null, null, 2)")
        con.execute("insert into order_line values ('2025-09-17', 'R1', 'S1', 3, 3, 2)")
        con.execute(
            "create temp table new_rows as select 'R1' as license_no, 'S1' as spec_code, date '2025-09-17' as from_date"
        )
        rollup.refresh(con, "new_rows")
        # 20 in stock on 08-04, 4 + 3 supplied after it up to 09-17, 12 left: 20 + 7 − 12 = 15
        assert con.execute("select sales_qty from weekly_observation where week = '2025-09-15'").fetchone()[0] == 15
        # the retailer's previous visit 44 days before (08-04 → 09-17), with orders in between
        assert con.execute(
            "select days_since_previous, activity_between from retailer_visit where visit_date = '2025-09-17'"
        ).fetchone() == (44, True)
        incremental = {
            t: con.execute(f"select * from {t} order by all").fetchall()
            for t in ("weekly_observation", "retailer_visit")
        }
        rollup.rebuild(con)
        for table, rows in incremental.items():
            assert con.execute(f"select * from {table} order by all").fetchall() == rows, table


def test_ref_reuses_a_named_query_with_fixed_parameters(tmp_path, monkeypatch):
    (tmp_path / "base_metric.sql").write_text(
        "-- one row\nselect $level as level, $week_from::date as w, '$level' as literal;\n"
    )
    (tmp_path / "outer_metric.sql").write_text(
        "select b.level, c.level as city_level, b.literal from ref('base_metric') as b, "
        "ref('base_metric', level='city') as c\n"
    )
    monkeypatch.setattr(store.queries, "QUERY_DIR", tmp_path)
    assert store.query_params("outer_metric") == {"level", "week_from"}
    sql, bound = store.bind("outer_metric", {"level": "territory", "week_from": "2025-01-06"})
    with duckdb.connect() as con:
        assert con.execute(sql, bound).fetchall() == [("territory", "city", "$level")]


def test_ref_refuses_a_loop(tmp_path, monkeypatch):
    (tmp_path / "a_metric.sql").write_text("select * from ref('b_metric')\n")
    (tmp_path / "b_metric.sql").write_text("select * from ref('a_metric')\n")
    monkeypatch.setattr(store.queries, "QUERY_DIR", tmp_path)
    with pytest.raises(store.QueryError, match="loop"):
        store.bind("a_metric", {})


def test_weekly_observation_has_one_row_per_retailer_spec_week(demo_store):
    # the table carries no key index (too slow to maintain); its builder must keep it unique
    got = store.Reader(demo_store).sql(
        "select count(*) as n, count(distinct (week, license_no, spec_code)) as keys from weekly_observation"
    )
    assert got.n[0] == got["keys"][0] > 0


def test_store_schema_index_is_gone_after_upgrade(db):
    with duckdb.connect(str(db), read_only=True) as con:
        constraints = con.execute(
            "select count(*) from duckdb_constraints() where table_name = 'weekly_observation' "
            "and constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]
    assert constraints == 0


def test_an_upgrade_adds_new_settings_and_keeps_edited_ones(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # a version-1 store whose price tolerance was edited
        con.execute("create table schema_version (version integer primary key, applied_at timestamp not null)")
        con.execute(store.migrations()[0][1].read_text(encoding="utf-8"))
        con.execute("insert into schema_version values (1, now())")
        con.execute("insert into setting values ('price_tolerance', 0.05, 'edited')")
    settings = store.Reader(path).sql("select key, value from setting").set_index("key")["value"]
    assert settings["price_tolerance"] == 0.05
    assert settings["new_brand_target_weeks"] == 26


def test_a_semicolon_in_a_string_and_a_parameter_in_a_comment_are_not_taken_for_sql(tmp_path, monkeypatch):
    (tmp_path / "odd_metric.sql").write_text(
        "-- mentions $header_only\n"
        "select $level as level, 'a; b' as text /* not $colour; not ref('missing') */, '$literal' as lit\n"
    )
    monkeypatch.setattr(store.queries, "QUERY_DIR", tmp_path)
    assert store.query_params("odd_metric") == {"level"}
    sql, bound = store.bind("odd_metric", {"level": "city"})
    assert bound == {"level": "city"}
    with duckdb.connect() as con:
        assert con.execute(sql, bound).fetchall() == [("city", "a; b", "$literal")]


def test_execute_file_splits_statements_where_duckdb_does(tmp_path, monkeypatch):
    (tmp_path / "builder.sql").write_text(
        "create table t (text varchar, n integer);\n"
        "/* $n is bound below;\n   $skipped is not */\n"
        "insert into t values ('one;\ntwo', $n);\n"
        "insert into t values ('-- not a comment', 2); -- $ignored\n"
    )
    monkeypatch.setattr(store.queries, "QUERY_DIR", tmp_path)
    with duckdb.connect() as con:
        store.execute_file(con, "builder.sql", {"n": 1, "unused": 0})
        assert con.execute("select * from t order by n").fetchall() == [("one;\ntwo", 1), ("-- not a comment", 2)]


def test_ref_fixes_parameters_outside_strings_and_comments(tmp_path, monkeypatch):
    (tmp_path / "base_metric.sql").write_text(
        "select $level as level, '$level; x' as literal /* it's $level */ , $week_from::date as w\n"
    )
    (tmp_path / "outer_metric.sql").write_text("select * from ref('base_metric', level='city')\n")
    monkeypatch.setattr(store.queries, "QUERY_DIR", tmp_path)
    assert store.query_params("outer_metric") == {"week_from"}
    sql, bound = store.bind("outer_metric", {"week_from": "2025-01-06"})
    with duckdb.connect() as con:
        assert con.execute(sql, bound).fetchall()[0][:2] == ("city", "$level; x")


def test_side_by_side_runs_reads_at_once_and_keeps_their_order():
    # two reads that each wait for the other: only together do they finish
    both = threading.Barrier(2, timeout=10)

    def read(value):
        both.wait()
        return value

    assert store.side_by_side(lambda: read("a"), lambda: read("b")) == ["a", "b"]
    assert store.side_by_side(*(lambda i=i: i * i for i in range(7))) == [0, 1, 4, 9, 16, 25, 36]


def test_reads_started_by_a_read_side_by_side_run_one_by_one():
    # at most READS_AT_ONCE queries at once: a read's own reads stay in its thread
    def read_twice():
        return threading.get_ident(), store.side_by_side(threading.get_ident, threading.get_ident)

    (outer, inner), _ = store.side_by_side(read_twice, lambda: None)
    assert inner == [outer, outer]


def test_side_by_side_raises_the_failure_of_a_read():
    def fails():
        raise store.QueryError("no such query")

    with pytest.raises(store.QueryError, match="no such query"):
        store.side_by_side(lambda: 1, fails, lambda: 3)


def test_reads_side_by_side_give_what_they_give_one_by_one(demo_store):
    reader = store.Reader(demo_store)
    names = ("sales_volume", "inventory_ratio", "price_index", "key_brand_share")
    week = reader.sql("select max(week) as w from weekly_observation")["w"][0].date()
    params = {"week_from": week - dt.timedelta(weeks=4), "week_to": week, "level": "territory", "product_level": "all"}

    def read(name):
        return reader.query(name, {k: v for k, v in params.items() if k in store.query_params(name)})

    together = store.side_by_side(*(lambda n=n: read(n) for n in names))
    for name, frame in zip(names, together):
        pd.testing.assert_frame_equal(frame, read(name), obj=name)
