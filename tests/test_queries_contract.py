"""Every named query: documented, runnable from the shell, and blind outside its scope."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlglot

from marketpulse import cli, store

LAST_WEEK = "2026-11-16"  # the demo_store fixture's last simulated week
FIRST_WEEK = "2026-08-24"  # thirteen weeks earlier

# A value for every parameter any query takes; filters stay null (= all).
PARAMS = {
    "level": "territory",
    "product_level": "all",
    "week_from": FIRST_WEEK,
    "week_to": LAST_WEEK,
    "formula": "fisher",
    "tolerance": 0.02,
    "as_of": LAST_WEEK,
}

QUERIES = store.query_names()
# Reference lists the pages read (filter options, freshness, bands): named queries too.
LOOKUPS = sorted(f"lookup/{p.stem}" for p in (store.QUERY_DIR / "lookup").glob("*.sql"))


def params_for(name: str, reader: store.Reader) -> dict:
    wanted = store.query_params(name) - set(store.FILTER_DEFAULTS)
    params = {k: v for k, v in PARAMS.items() if k in wanted}
    if "cm_code" in wanted:
        params["cm_code"] = reader.sql("select min(cm_code) as c from customer_manager")["c"][0]
    if "department_code" in wanted:
        params["department_code"] = None
    return params


def test_there_are_queries():
    assert len(QUERIES) >= 15


# every file a reader runs: the metric and lookup queries and the bases they ref(); the builders
# of schema/ and rollup/ run on the writer's connection, outside any scope
READ_FILES = sorted(
    p.relative_to(store.QUERY_DIR).with_suffix("").as_posix()
    for p in store.QUERY_DIR.rglob("*.sql")
    if p.relative_to(store.QUERY_DIR).parts[0] not in ("schema", "rollup")
)


def qualified_tables(sql: str) -> list[str]:
    """The tables `sql` names through a schema or a database (main.x, s.main.x): such a name
    passes by the scope's views, which shadow the plain name only."""
    return [
        t.sql()
        for tree in sqlglot.parse(sql, dialect="duckdb")
        if tree is not None
        for t in tree.find_all(sqlglot.exp.Table)
        if t.args.get("db") or t.args.get("catalog")
    ]


def test_the_check_for_qualified_names_finds_them():
    assert qualified_tables("select * from main.retailer join s.main.spec using (x)") == [
        "main.retailer",
        "s.main.spec",
    ]
    assert qualified_tables("select s.brand from spec as s, unnest([1]) as u(x)") == []


def test_no_query_names_a_table_past_its_scope():
    found = {name: qualified_tables(store.query_text(name)) for name in READ_FILES}
    assert len(found) > 60
    assert not {name: tables for name, tables in found.items() if tables}


@pytest.mark.parametrize("name", QUERIES + LOOKUPS)
def test_query_header_states_its_grain_and_parameters(name):
    text = store.query_path(name).read_text(encoding="utf-8")
    assert text.startswith("-- One row"), "first line states the grain"
    header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
    for param in store.query_params(name) - set(store.FILTER_DEFAULTS):
        assert f"${param}" in header, f"${param} is not documented in the header"


@pytest.mark.parametrize("name", QUERIES + LOOKUPS)
def test_scoped_run_returns_nothing_outside_its_scope(demo_store, name):
    reader = store.reader(demo_store)
    territories = reader.sql("select territory_code, department_code from territory order by 1")
    territory = territories.territory_code.iloc[0]
    others = set(territories.territory_code) - {territory}
    cms = reader.sql("select cm_code, territory_code from customer_manager")
    retailers = reader.sql("select license_no, territory_code from retailer_assignment")
    scope = store.Scope(territory_code=territory)

    params = params_for(name, reader)
    if "cm_code" in params:
        params["cm_code"] = cms[cms.territory_code == territory].cm_code.min()
    city = reader.query(name, params)
    scoped = reader.query(name, params, scope=scope)

    if "territory_code" in scoped:
        assert set(scoped.territory_code.dropna()) <= {territory}
    if "department_code" in scoped:
        dept = territories.set_index("territory_code").department_code[territory]
        assert set(scoped.department_code.dropna()) <= {dept}
    if "cm_code" in scoped:
        assert set(scoped.cm_code.dropna()) <= set(cms[cms.territory_code == territory].cm_code)
    if "license_no" in scoped:
        assert set(scoped.license_no.dropna()) <= set(retailers[retailers.territory_code == territory].license_no)
    if params.get("level") == "territory" and "level_key" in scoped:
        assert not set(scoped.level_key) & others
        if not city.empty and "level_key" in city:
            assert set(city.level_key) & others, "the city run does see the other territories"
    # the scope cuts, it does not blank: a query that sees the territory in the city run
    # still sees it within the scope
    for column in ("territory_code", "level_key"):
        if column in city and territory in set(city[column].dropna()):
            assert territory in set(scoped[column].dropna())


@pytest.mark.parametrize("name", [n for n in QUERIES if not n.startswith("forecast_")])
def test_a_customer_manager_scope_sees_only_their_retailers(demo_store, name):
    reader = store.reader(demo_store)
    cm = reader.sql("select min(cm_code) as c from customer_manager")["c"][0]
    theirs = set(reader.sql("select license_no from retailer_assignment where cm_code = $c", {"c": cm}).license_no)
    params = (
        {**params_for(name, reader), "level": "retailer"}
        if "level" in store.query_params(name)
        else params_for(name, reader)
    )
    if "cm_code" in params:
        params["cm_code"] = cm
    scoped = reader.query(name, params, scope=store.Scope(cm_code=cm))
    if "license_no" in scoped:
        assert set(scoped.license_no.dropna()) <= theirs
    if params.get("level") == "retailer" and "level_key" in scoped:
        assert set(scoped.level_key) <= theirs
        assert len(scoped) > 0
    if "cm_code" in scoped:
        assert set(scoped.cm_code.dropna()) <= {cm}


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_runs_from_the_command_line(demo_store, monkeypatch, capsys, name):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    params = params_for(name, store.reader(demo_store))
    argv = ["query", name, "--format", "json"]
    for key, value in params.items():
        argv += ["--param", f"{key}={'' if value is None else value}"]
    assert cli.main(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)


def test_command_line_refuses_a_missing_parameter_with_exit_2(demo_store, monkeypatch, capsys):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    assert cli.main(["query", "inventory_ratio", "--param", "level=city"]) == 2
    err = capsys.readouterr().err
    assert "缺少参数" in err and "needs parameter" in err and "week_from" in err


def test_command_line_refuses_a_bad_value_with_exit_2(demo_store, monkeypatch, capsys):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    argv = [
        "query",
        "inventory_ratio",
        "--param",
        "level=city",
        "--param",
        "week_from=someday",
        "--param",
        f"week_to={LAST_WEEK}",
    ]
    assert cli.main(argv) == 2
    assert "参数值无效" in capsys.readouterr().err


def test_scoped_city_level_is_the_scope_total(demo_store):
    # The city line under a territory scope is that territory's own line: a scope cuts
    # the rows before any aggregation, it does not filter the output afterwards.
    reader = store.reader(demo_store)
    territory = reader.sql("select min(territory_code) as t from territory")["t"][0]
    params = {"level": "city", "product_level": "all", "week_from": FIRST_WEEK, "week_to": LAST_WEEK}
    scoped_city = reader.query("sales_volume", params, scope=store.Scope(territory_code=territory))
    by_territory = reader.query("sales_volume", {**params, "level": "territory"})
    own = by_territory[by_territory.level_key == territory].set_index("week").sales_qty
    pd.testing.assert_series_equal(scoped_city.set_index("week").sales_qty, own, check_names=False)
