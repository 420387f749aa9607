"""The store: DuckDB connections, schema migrations, scopes, named queries from queries/, settings.
Imports only errors, i18n and its own modules; every other package reads and writes through it.
"""

from marketpulse.errors import QueryError, StoreError, StoreVersionError
from marketpulse.store.kept_code import kept_digest
from marketpulse.store.paths import QUERY_DIR, ROOT, db_path
from marketpulse.store.queries import (
    FILTER_DEFAULTS,
    Swap,
    bind,
    execute_file,
    query_names,
    query_params,
    query_path,
    query_text,
    sql_params,
    text_digest,
)
from marketpulse.store.reader import Reader, reader, run, serving_path, side_by_side, store_version
from marketpulse.store.schema import SCHEMA_VERSION, migrate, migrations, stored_version
from marketpulse.store.scope import CITY, Scope
from marketpulse.store.settings import setting
from marketpulse.store.writer import ensure_current, wait_message, writer

__all__ = [
    "CITY",
    "FILTER_DEFAULTS",
    "QUERY_DIR",
    "ROOT",
    "SCHEMA_VERSION",
    "QueryError",
    "Reader",
    "Scope",
    "StoreError",
    "StoreVersionError",
    "Swap",
    "bind",
    "db_path",
    "ensure_current",
    "execute_file",
    "kept_digest",
    "migrate",
    "migrations",
    "query_names",
    "query_params",
    "query_path",
    "query_text",
    "text_digest",
    "reader",
    "run",
    "serving_path",
    "setting",
    "side_by_side",
    "sql_params",
    "store_version",
    "stored_version",
    "wait_message",
    "writer",
]
