"""The scratch store an import into the lake runs in: the store's schema, the lake's small tables
whole, and of the facts and roll-ups just the weeks and retailers the import reads (which ones:
lake/window.py), loaded from Parquet as it needs them.

The import's own code (marketpulse.ingest) runs on it unchanged, so the rules live in one
place. Its fact tables go without their primary-key index: the import writes each key once
(a changed key's row is deleted before it is inserted again), and building that index over
the weeks read would be most of what a correction costs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
from pathlib import Path

import duckdb

from marketpulse.ingest import Kind
from marketpulse.lake import manifest as mf
from marketpulse.lake import window
from marketpulse.lake.rollups import ROLLUP_TABLES
from marketpulse.store.schema import migrate

log = logging.getLogger(__name__)

FACT_TABLES = tuple(mf.FACT_DATES)
KEYED_TABLES = FACT_TABLES + ROLLUP_TABLES
# private tables an import writes; the others (accounts, robot webhooks) never change here
IMPORT_PRIVATE = frozenset({"quarantine"})
WHOLE_HISTORY_KINDS = ("retailers", "territories")  # they re-attribute every week of a retailer
MEMORY_LIMIT = "1GB"
# in the lake: the scratch store's schema and the lake's whole tables, kept between imports
TEMPLATE = ".import-template.duckdb"
PRIMARY_KEY = re.compile(r",\s*PRIMARY KEY\(([^)]*)\)", re.IGNORECASE)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Scratch:
    """A DuckDB database holding what one import reads and writes (spilling into the staging directory)."""

    def __init__(self, lake: Path, manifest: mf.Manifest, stage: Path):
        self.lake, self.manifest = lake, manifest
        self.spill = stage / "spill"
        self.loaded: dict[str, set[dt.date]] = {t: set() for t in KEYED_TABLES}  # weeks read whole
        self.partial: dict[str, dict[dt.date, set[str]]] = {t: {} for t in KEYED_TABLES}  # week → retailers read
        self.rewrite: dict[str, set[dt.date]] = {t: set() for t in KEYED_TABLES}
        self.prints: dict[str, dict[dt.date, tuple]] = {t: {} for t in KEYED_TABLES}  # as read
        self.prints_now: dict[str, dict[dt.date, tuple]] = {t: {} for t in KEYED_TABLES}  # as written
        self.whole_history = False
        self.con = self._from_template()
        self.whole = self._whole_tables()
        self.before = {table: self.fingerprint(table) for table in self.whole}

    def _whole_tables(self, con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
        """The tables an import may change that the lake keeps whole (dimensions, rules, log, quarantine);
        week-keyed tables no import writes (the delivery log) stay out, empty."""
        return [
            r[0]
            for r in (con or self.con)
            .execute("select table_name from duckdb_tables() where database_name = current_database() order by 1")
            .fetchall()
            if r[0] not in KEYED_TABLES
            and (r[0] not in mf.PRIVATE_TABLES or r[0] in IMPORT_PRIVATE)
            and not (r[0] in self.manifest.tables and self.manifest.tables[r[0]].partitioned)  # e.g. delivery_log
        ]

    def _parts(self) -> dict[str, str]:
        """What the lake holds of each whole table now (its file's checksum; "" when it has none)."""
        return {
            table: self.manifest.tables[table].parts[""].sha256 if table in self.manifest.tables else ""
            for table in self._whole_tables()
        }

    def _from_template(self) -> duckdb.DuckDBPyConnection:
        """The scratch store with the lake's whole tables, from the lake's template of it when it
        holds them (only the tables changed since are read again), else built and kept as the template."""
        template, notes = self.lake / TEMPLATE, self.lake / (TEMPLATE + ".json")
        # in memory (3× faster to fill than a file), spilling to the staging directory past the limit
        self.con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(self.spill)})
        self.con.execute("set preserve_insertion_order = false")
        # an import lives for seconds and is thrown away: an in-memory store still checkpoints (compacts
        # its row groups, vacuums deletes) every 16 MB of changes, half a second of a city week's import
        self.con.execute("set checkpoint_threshold = '1TB'")
        self.con.execute("set variable week_partitioned = true")  # rollup: no need to sort rows by week
        held: dict = {}
        if template.exists() and notes.exists():
            with contextlib.suppress(ValueError, OSError):
                held = json.loads(notes.read_text(encoding="utf-8"))
        if held.get("schema_version") == self.manifest.schema_version:
            self.con.execute("attach $p as lake_template (read_only)", {"p": str(template)})
            self.con.execute("copy from database lake_template to memory")
            self.con.execute("detach lake_template")
            stale = [t for t, sha in self._parts().items() if held["parts"].get(t) != sha]
        else:
            migrate(self.con)  # the store's tables, checks and defaults, exactly
            for table in FACT_TABLES:
                self._without_primary_key(table)
            stale = self._whole_tables()
        for table in stale:
            self.con.execute(f"delete from {_ident(table)}")  # the seeds migrate put in, or an older copy
            if table in self.manifest.tables:
                files = mf.files(self.lake, self.manifest, table)
                if files:
                    self.con.execute(f"insert into {_ident(table)} by name {self.select(table, files)}")
        if stale:  # keep what was read for the next import
            tmp = mf.temp_path(template)
            tmp.unlink(missing_ok=True)
            self.con.execute("attach $p as lake_template", {"p": str(tmp)})
            self.con.execute("copy from database memory to lake_template")
            self.con.execute("detach lake_template")
            mf.publish(tmp, template)
            tmp_notes = mf.temp_path(notes)
            tmp_notes.write_text(
                json.dumps({"schema_version": self.manifest.schema_version, "parts": self._parts()}), encoding="utf-8"
            )
            mf.publish(tmp_notes, notes)
        return self.con

    def _without_primary_key(self, table: str) -> None:
        """Recreate an empty table with its key columns NOT NULL instead of a primary key."""
        sql = self.con.execute(
            "select sql from duckdb_tables() where table_name = $t and database_name = current_database()", {"t": table}
        ).fetchone()[0]
        key = PRIMARY_KEY.search(sql)
        if key is None:
            return
        not_null = " AND ".join(f"({c.strip()} IS NOT NULL)" for c in key.group(1).split(","))
        self.con.execute(f"drop table {_ident(table)}")
        self.con.execute(sql[: key.start()] + f", CHECK({not_null})" + sql[key.end() :])

    def fingerprint(self, table: str) -> tuple:
        """Rows and a sum of row hashes: whether a small table changed, without keeping a copy."""
        return self.con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {_ident(table)} as t").fetchone()

    def changed_tables(self) -> list[str]:
        return [t for t in self.whole if self.fingerprint(t) != self.before[t]]

    def select(self, table: str, files: list[str], where: str = "") -> str:
        spec = self.manifest.tables[table]
        cols = ", ".join(f"cast({_ident(c)} as {t}) as {_ident(c)}" for c, t in spec.columns)
        hive = (
            "hive_partitioning = true, hive_types = {'week': 'date'}"
            if spec.partitioned
            else "hive_partitioning = false"
        )
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        return f"select {cols} from read_parquet([{listed}], {hive}) {where}"

    def files(self, table: str, weeks) -> list[str]:
        parts = self.manifest.tables[table].parts
        return [str(self.lake / parts[w.isoformat()].file) for w in sorted(weeks) if w.isoformat() in parts]

    def lake_weeks(self, table: str) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(w) for w in self.manifest.tables[table].parts)

    @staticmethod
    def week_of(table: str) -> str:
        column = mf.FACT_DATES.get(table)
        return f"date_trunc('week', {column})::date" if column else mf.PARTITION_COLUMN

    def load_weeks(self, tables, weeks) -> None:
        """Every row of `weeks` of each table. A retailer's rows loaded before (and maybe changed
        since) stay; other rows of those weeks (a refresh's, of weeks no one reads) are replaced."""
        for table in tables:
            todo = sorted(set(weeks) - self.loaded[table])
            plain = [w for w in todo if not self.partial[table].get(w)]
            groups = [(plain, set())] + [(w, self.partial[table][w]) for w in todo if self.partial[table].get(w)]
            for chosen, kept in groups:
                chosen = chosen if isinstance(chosen, list) else [chosen]
                if not chosen:
                    continue
                self._shops(kept)
                keep = "and license_no not in (select license_no from lake_shop)" if kept else ""
                self.con.execute(
                    f"delete from {_ident(table)} where {self.week_of(table)} in (select unnest($w::date[])) {keep}",
                    {"w": chosen},
                )
                files = self.files(table, chosen)
                if files:
                    where = "where license_no not in (select license_no from lake_shop)" if kept else ""
                    self.con.execute(f"insert into {_ident(table)} by name {self.select(table, files, where)}")
            self.loaded[table] |= set(todo)

    def load_retailers(self, tables, weeks, shops: set[str]) -> None:
        """The rows of retailers `shops` in `weeks` of each table (those not loaded already)."""
        for table in tables:
            groups: dict[frozenset, list[dt.date]] = {}
            for week in sorted(set(weeks) - self.loaded[table]):
                need = frozenset(shops - self.partial[table].get(week, set()))
                if need:
                    groups.setdefault(need, []).append(week)
            for need, chosen in groups.items():
                files = self.files(table, chosen)
                if files:
                    self._shops(need)
                    where = "where license_no in (select license_no from lake_shop)"
                    self.con.execute(f"insert into {_ident(table)} by name {self.select(table, files, where)}")
                for week in chosen:
                    self.partial[table].setdefault(week, set()).update(need)

    def _shops(self, shops) -> None:
        self.con.execute(
            "create or replace temp table lake_shop as select unnest($s::varchar[]) as license_no", {"s": sorted(shops)}
        )

    def prepare(self, con: duckdb.DuckDBPyConnection, kind: Kind, monday: dt.date) -> None:
        """Load what storing temp table `good` of `kind` reads, and mark the weeks it may change
        (`monday`: the import week's, from which a row without an effective date holds)."""
        if kind.name in window.FACT_KINDS:
            window.load_for_facts(self, kind)
        elif kind.name == "specs":
            window.load_for_specs(self, monday)
        elif kind.name in WHOLE_HISTORY_KINDS:
            self.whole_history = True
            for table in KEYED_TABLES:
                self.load_weeks([table], self.lake_weeks(table))
                if table in ROLLUP_TABLES:
                    self.mark(table, self.lake_weeks(table))

    def mark(self, table: str, weeks) -> None:
        """Weeks of a keyed table the import may change (loaded whole): their rows' fingerprint as read."""
        new = sorted(set(weeks) - self.rewrite[table])
        if new:
            self.rewrite[table] |= set(new)
            parts = self.manifest.tables[table].parts
            held = {w: parts[w.isoformat()] for w in new if w.isoformat() in parts}  # weeks without rows: (0, 0)
            known = {w: (p.rows, int(p.row_hashes)) for w, p in held.items() if p.row_hashes}
            unknown = [w for w in held if w not in known]
            hashed = self._week_prints(table, unknown) if unknown else {}
            self.prints[table].update(dict.fromkeys(new, (0, 0)) | known | hashed)

    def _week_prints(self, table: str, weeks) -> dict[dt.date, tuple]:
        week = self.week_of(table)
        rows = self.con.execute(
            f"select {week}, count(*), coalesce(sum(hash(t)), 0) from {_ident(table)} as t "
            f"where {week} in (select unnest($w::date[])) group by all",
            {"w": sorted(weeks)},
        ).fetchall()
        return {r[0]: tuple(r[1:]) for r in rows}

    def weeks_to_write(self, table: str) -> list[dt.date]:
        """The partitions of a keyed table the import changed (rows differing from those read), of the
        weeks it may change (every week after a whole-history change, new ones included)."""
        weeks = set(self.rewrite[table])
        if self.whole_history and table in ROLLUP_TABLES:
            weeks |= {
                r[0] for r in self.con.execute(f"select distinct {self.week_of(table)} from {_ident(table)}").fetchall()
            }
        now = self._week_prints(table, weeks) if weeks else {}
        self.prints_now[table] = now
        return sorted(w for w in weeks if now.get(w, (0, 0)) != self.prints[table].get(w, (0, 0)))

    def row_hashes(self, table: str, week: dt.date) -> str:
        """The sum of the row hashes of a week written (what `mark` reads back from the manifest)."""
        return str(self.prints_now[table][week][1])
