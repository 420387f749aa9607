"""Named queries: the SQL files in queries/, `ref()` between them, and their parameters.

Statements and `$name` parameters are found by DuckDB's own parser (`extract_statements`,
`tokenize`), so a `;` or a `$x` inside a string literal or a comment is never taken for
one. Tests point the named queries elsewhere by patching `QUERY_DIR` in this module; it is
read at call time.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import threading
from collections.abc import Mapping
from pathlib import Path

import duckdb

from marketpulse.errors import QueryError
from marketpulse.store.paths import QUERY_DIR

# Filters every metric accepts; a query that uses one gets this default (no filter).
FILTER_DEFAULTS: dict[str, object] = {
    "format": None,  # 业态
    "tier_band": None,  # 档位 band
    "area_type": None,  # 城网/农网
    "brand": None,
    "price_class": None,
    "spec_code": None,
}

NAME_RE = re.compile(r"[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)?")

# A parameter entry of a query header: `--   $a, $b   what they are`, its text running on
# over the more indented lines below. "null = …" (or "null means …") in it says null is the
# default, so the parameter may be left out and is then bound to NULL.
PARAM_ENTRY_RE = re.compile(r"(\$[a-z_][a-z0-9_]*(?:\s*,\s*\$[a-z_][a-z0-9_]*)*)\s+(.*)")
NULL_DEFAULT_RE = re.compile(r"\bnull\s*(?:=|means\b)")

# `ref('name')` in a query stands for another named query's result, as a subquery, so a
# metric is defined once and reused (alerts read market_state). `ref('name', level='cm')`
# fixes some of its parameters to constants written in the query file itself.
REF_RE = re.compile(r"ref\(\s*'([a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)?)'\s*((?:,\s*[a-z_]+\s*=\s*'[^']*'\s*)*)\)")
REF_ARG_RE = re.compile(r"([a-z_]+)\s*=\s*'([^']*)'")

_WORD = (duckdb.token_type.identifier, duckdb.token_type.keyword)


# ── parsing, by DuckDB ────────────────────────────────────────────────────────


@functools.lru_cache(maxsize=512)
def _tokens(sql: str) -> tuple[tuple[int, int, duckdb.token_type], ...]:
    """Each token of `sql` as (start, end, type); the end excludes the whitespace after it."""
    found = duckdb.tokenize(sql)
    # DuckDB counts UTF-8 bytes; map its offsets to character positions
    char_at = {byte: i for i, byte in enumerate(itertools.accumulate((_utf8_len(c) for c in sql), initial=0))}
    spans = []
    for i, (start, kind) in enumerate(found):
        start = char_at[start]
        following = char_at[found[i + 1][0]] if i + 1 < len(found) else len(sql)
        spans.append((start, start + len(sql[start:following].rstrip()), kind))
    return tuple(spans)


def _utf8_len(char: str) -> int:
    code = ord(char)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


_parser_lock = threading.Lock()


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


@functools.lru_cache(maxsize=512)
def statements(sql: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each statement of `sql` with the named parameters it uses (empty statements dropped)."""
    with _parser_lock:  # one connection serves every thread; DuckDB refuses concurrent use
        found = _parser().extract_statements(sql)
    return tuple((s.query, frozenset(s.named_parameters)) for s in found)


def sql_params(sql: str) -> set[str]:
    """The named parameters (`$name`) that the statements of `sql` use."""
    return set().union(*(names for _, names in statements(sql)))


@functools.lru_cache(maxsize=512)
def _strip_comments(sql: str) -> str:
    out, pos = [], 0
    for start, end, kind in _tokens(sql):
        if kind == duckdb.token_type.comment:
            out += [sql[pos:start], " "]
            pos = end
    return "".join(out) + sql[pos:]


def _fix_params(sql: str, fixed: Mapping[str, str]) -> str:
    """Replace each `$name` in `fixed` by its value as a quoted constant; strings and comments stay."""
    return _fixed(sql, tuple(sorted(fixed.items())))


@functools.lru_cache(maxsize=512)
def _fixed(sql: str, items: tuple[tuple[str, str], ...]) -> str:
    fixed = dict(items)
    tokens = _tokens(sql)
    out, pos = [], 0
    for (start, end, _), (next_start, next_end, next_kind) in zip(tokens, tokens[1:], strict=False):
        if sql[start:end] != "$" or next_start != end or next_kind not in _WORD:
            continue
        name = sql[next_start:next_end]
        if name in fixed:
            out += [sql[pos:start], "'" + fixed[name].replace("'", "''") + "'"]
            pos = next_end
    return "".join(out) + sql[pos:]


# ── named queries ─────────────────────────────────────────────────────────────


def query_path(name: str) -> Path:
    """The file of a named query (`name` or `folder/name` under queries/)."""
    if not NAME_RE.fullmatch(name):
        raise QueryError(f"查询名称无效:{name!r} / Invalid query name: {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(
            f"没有名为 {name} 的查询。可用:{', '.join(query_names())} / "
            f"No query named {name}. Available: {', '.join(query_names())}"
        )
    return path


def query_names() -> list[str]:
    """Metric queries users may run (schema, roll-up builders and base files excluded)."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


# a read that swaps base files: (base file, the file read in its place), e.g. a kept twin
Swap = tuple[tuple[str, str], ...]


def query_text(name: str, swap: Swap = (), _stack: tuple[str, ...] = ()) -> str:
    """The SQL of a named query, comments dropped and every `ref(...)` expanded; a ref to a base
    file that `swap` names reads its twin instead (the same columns from what a lake keeps), with
    the parameters the ref fixes fixed in the twin alike."""
    if name in _stack:
        raise QueryError(f"查询循环引用 / Queries refer to each other in a loop: {' → '.join(_stack + (name,))}")
    # comments go first: a header may mention ref(...) without meaning it
    sql = _strip_comments(query_path(name).read_text(encoding="utf-8"))
    out, pos = [], 0
    for start, end, ref, fixed in _refs(sql):
        inner = query_text(dict(swap).get(ref, ref), swap, _stack + (name,)).strip().rstrip(";")
        out += [sql[pos:start], "(\n" + _fixed(inner, fixed) + "\n)"]
        pos = end
    return "".join(out) + sql[pos:]


@functools.lru_cache(maxsize=512)
def _refs(sql: str) -> tuple[tuple[int, int, str, tuple[tuple[str, str], ...]], ...]:
    """Each `ref(...)` of `sql` (comments stripped): where it stands, the query it names and the
    parameters it fixes. The files are read on every call (they may change); what is made of
    a text is kept."""
    found, pos = [], 0
    for start, end, kind in _tokens(sql):
        if start < pos or kind not in _WORD or sql[start:end].lower() != "ref":
            continue
        match = REF_RE.match(sql, start)
        if match is None:
            continue
        fixed = tuple(sorted(dict(REF_ARG_RE.findall(match.group(2) or "")).items()))
        found.append((start, match.end(), match.group(1), fixed))
        pos = match.end()
    return tuple(found)


def text_digest(name: str) -> str:
    """A digest of a named query's text with its refs expanded: it changes with any file it reads."""
    return hashlib.sha256(query_text(name).encode()).hexdigest()[:20]


def query_params(name: str, swap: Swap = ()) -> set[str]:
    """Parameters a named query uses (with `swap`'s twins read), read from its text."""
    return sql_params(query_text(name, swap))


def null_default_params(name: str) -> frozenset[str]:
    """Parameters whose entry in the query's header says null is the default ("null = …")."""
    lines = query_path(name).read_text(encoding="utf-8").splitlines()
    return _null_defaults(tuple(itertools.takewhile(lambda line: line.startswith("--"), lines)))


@functools.lru_cache(maxsize=512)
def _null_defaults(header: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    names: list[str] = []
    text, indent = "", 0
    for line in (*header, "--"):
        body = line[2:]
        entry = body.lstrip()
        depth = len(body) - len(entry)
        if names and entry and not entry.startswith("$") and depth > indent:
            text += " " + entry  # the entry's description runs on
            continue
        if names and NULL_DEFAULT_RE.search(text):
            found.update(names)
        match = PARAM_ENTRY_RE.match(entry)
        names = re.findall(r"\$([a-z_][a-z0-9_]*)", match.group(1)) if match else []
        text, indent = (match.group(2), depth) if match else ("", 0)
    return frozenset(found)


def bind(name: str, params: Mapping, swap: Swap = ()) -> tuple[str, dict]:
    """The query text (with `swap`'s twins read) and its parameters, checked: none missing, none
    unknown.

    A filter left out is bound to its FILTER_DEFAULTS value, and so is any parameter whose
    header entry says null is its default: it is bound to NULL.
    """
    sql = query_text(name, swap)
    wanted = sql_params(sql)
    given = dict(params)
    extra = set(given) - wanted - set(FILTER_DEFAULTS)
    if extra:
        raise QueryError(
            f"查询 {name} 不接受参数:{', '.join(sorted(extra))};可用参数:{', '.join(sorted(wanted))} / "
            f"Query {name} takes no parameter {', '.join(sorted(extra))}; it takes: {', '.join(sorted(wanted))}"
        )
    defaults = {**dict.fromkeys(null_default_params(name)), **FILTER_DEFAULTS}
    bound = {k: given.get(k, defaults.get(k)) for k in wanted}
    missing = sorted(k for k in wanted if k not in given and k not in defaults)
    if missing:
        raise QueryError(
            f"查询 {name} 缺少参数:{', '.join(missing)} / Query {name} needs parameter(s): {', '.join(missing)}"
        )
    return sql, bound


def execute_file(con: duckdb.DuckDBPyConnection, relative: str, params: Mapping | None = None) -> None:
    """Run a builder SQL file (schema, roll-up) under queries/ on a write connection."""
    text = (QUERY_DIR / relative).read_text(encoding="utf-8")
    # DuckDB prepares one statement at a time when parameters are bound
    for sql, names in statements(text):
        con.execute(sql, {k: v for k, v in (params or {}).items() if k in names})
