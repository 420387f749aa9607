"""`import-shapes`: 片区 outlines for the map from a GeoJSON file (WGS-84)."""

from __future__ import annotations

import argparse

from marketpulse import lake
from marketpulse.cli.common import EXIT_OK
from marketpulse.views import geo


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="GeoJSON FeatureCollection;每个要素以 片区编码/territory_code 或 片区/name 标明片区")


def main(args) -> int:
    """Store the outlines of the file's features that name a known 片区; list those that do not."""
    stored, left_out = lake.write_tables(
        ["territory_shape"], lambda db: geo.import_shapes(args.file, db), reads=("territory",)
    )
    print(f"已导入 {stored} 个片区边界 / Imported {stored} territory outlines")
    if left_out:
        print(f"未识别的要素 / Features naming no known territory: {', '.join(left_out)}")
    return EXIT_OK
