"""Business rules as data: show, export and replace the rule tables, all or nothing.

Monitoring points, 档位 bands, score weights, note keywords and thresholds live in store
tables (seeded by store/seed.py from data/reference/); the marketing center edits the
tables, on the Data page or with `marketpulse rules`, not the code.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from marketpulse import i18n, rollup, store
from marketpulse.errors import RuleError

# rule table → its title in both languages ("zh / en"), for the command line
RULE_TABLES = {
    table: f"{i18n.t(f'rules.{table}', 'zh')} / {i18n.t(f'rules.{table}', 'en')}"
    for table in (
        "monitoring_point",
        "tier_band",
        "state_score_weight",
        "setting",
        "note_keyword",
        "supply_cover",
        "supply_limit",
        "supply_policy",
    )
}
REFERENCE_DIR = store.ROOT / "data" / "reference"
# rule tables the roll-ups carry: each row of weekly_observation, retailer_visit, retailer_week and
# the cells holds its retailer's 档位 band, so a change of the bands rebuilds them
ROLLED_UP = ("tier_band",)

# each 档位 held by a retailer (now or in an assignment) with the band it falls in
BAND_OF_TIER = """
    select t.tier, b.tier_band
    from (select tier from retailer union select tier from retailer_assignment where tier is not null) as t
    left join tier_band as b on t.tier between b.tier_from and b.tier_to
    order by t.tier, b.tier_band
"""


def rules_frame(table: str, path=None):
    """The current rows of one rule table, as the marketing center edits them."""
    _check_table(table)
    return store.reader(path).sql(f"select * from {table} order by all")


def rules_or_shipped(table: str, path=None):
    """A rule table's rows, or while it is still empty the defaults shipped in data/reference/."""
    frame = rules_frame(table, path)
    if len(frame):
        return frame
    return pd.read_csv(REFERENCE_DIR / f"{table}.csv", dtype=str, keep_default_na=False).reindex(columns=frame.columns)


def replace_rules(table: str, csv_path, db=None) -> int:
    """Replace a rule table with the rows of a UTF-8 CSV; all or nothing.

    The table's own constraints check the rows (low below high, weights ≥ 0, ...);
    a file that breaks one leaves the store as it was.
    """
    _check_table(table)
    try:
        with store.writer(db) as con:
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from duckdb_columns() where table_name = $t and database_name = current_database() "
                    "order by column_index",
                    {"t": table},
                ).fetchall()
            ]
            incoming = con.execute(
                "select * from read_csv($p, header = true, all_varchar = true) limit 0", {"p": str(csv_path)}
            ).description
            names = [d[0] for d in incoming]
            missing = [c for c in columns if c not in names and c != "note"]
            if missing:
                raise RuleError(
                    f"{table} 缺少列:{', '.join(missing)} / {table} file lacks column(s): {', '.join(missing)}"
                )
            bands = con.execute(BAND_OF_TIER).fetchall() if table in ROLLED_UP else None
            con.execute(f"delete from {table}")
            cols = ", ".join(c for c in columns if c in names)
            con.execute(
                f"insert into {table} ({cols}) select {cols} from read_csv($p, header = true, all_varchar = true)",
                {"p": str(csv_path)},
            )
            if bands is not None and con.execute(BAND_OF_TIER).fetchall() != bands:
                rollup.rebuild(con)  # in the same transaction: no reader sees new bands over old roll-ups
            return con.execute(f"select count(*) from {table}").fetchone()[0]
    except duckdb.Error as exc:
        raise RuleError(
            f"规则文件无效,数据库未改动:{exc} / The rule file was refused and the store left as it was: {exc}"
        ) from None


def _check_table(table: str) -> None:
    if table not in RULE_TABLES:
        raise RuleError(
            f"没有规则表 {table};可用:{', '.join(RULE_TABLES)} / No rule table {table}; "
            f"choose one of: {', '.join(RULE_TABLES)}"
        )


def replace_rules_frame(table: str, frame, db=None) -> int:
    """Replace a rule table with the rows of an edited frame (the Data page's editor)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{table}.csv"
        frame.to_csv(path, index=False)
        return replace_rules(table, path, db)


def rule_label(table: str, lang: str) -> str:
    """A rule table's name in the page's language."""
    return i18n.t(f"rules.{table}", lang)
