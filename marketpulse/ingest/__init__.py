"""Import of CSV/XLSX files into the store: the contract, reading, row checks, storing with validity periods, the log.
May import store, rollup, errors and i18n; nothing here knows metrics, pages or the CLI.
"""

from marketpulse.errors import ImportRefused
from marketpulse.ingest.contract import (
    KIND_NAMES,
    KINDS,
    REASONS,
    Column,
    Kind,
    detect_kind,
    expected_columns,
    expected_table,
)
from marketpulse.ingest.csvfile import DELIMITERS
from marketpulse.ingest.load import import_bytes, import_file
from marketpulse.ingest.log import IMPORT_LOG_COLUMNS, QUARANTINE_COLUMNS, import_log_frame, quarantine_frame
from marketpulse.ingest.quarantine import quarantine_kinds, quarantine_original, quarantine_rows, quarantine_summary
from marketpulse.ingest.read import sniff_kind
from marketpulse.ingest.summary import ImportSummary

__all__ = [
    "DELIMITERS",
    "IMPORT_LOG_COLUMNS",
    "KINDS",
    "KIND_NAMES",
    "QUARANTINE_COLUMNS",
    "REASONS",
    "Column",
    "ImportRefused",
    "ImportSummary",
    "Kind",
    "detect_kind",
    "expected_columns",
    "expected_table",
    "import_bytes",
    "import_file",
    "import_log_frame",
    "quarantine_frame",
    "quarantine_kinds",
    "quarantine_original",
    "quarantine_rows",
    "quarantine_summary",
    "sniff_kind",
]
