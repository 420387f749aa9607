"""Malformed input, row by row: each case is a good row and a bad one; the bad one is held
back with the expected reason (in Chinese and English), the good one is stored, and
rows read = rows stored + rows quarantined with nothing lost."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from marketpulse import ingest

DATA = Path(__file__).parent / "data"
REFERENCE_FILES = ["territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"]
TODAY = dt.date(2025, 12, 31)

VISITS = "visit_date,cm_code,license_no,spec_code,stock_qty,retail_price,on_shelf,sales_qty,notes"
VISIT_OK = "2025-09-01,C1,R1,S1,10,450,是,,"
ORDERS = "order_date,license_no,spec_code,demand_qty,supplied_qty"
ORDER_OK = "2025-09-01,R1,S1,10,8"
RETAILERS = "license_no,retailer_name,format,tier,territory_code,cm_code,area_type,opened_on,closed_on"
RETAILER_OK = "R5,新开便利店,便利店,10,T1,C1,城网,2020-01-01,"
SPECS = "spec_code,spec_name,brand,price_class,wholesale_price,suggested_retail_price,is_key_brand,launch_date"
SPEC_OK = "S7,黄山(红),黄山,三类,95,110,否,2024-01-01"
TERRITORIES = "department_code,department_name,territory_code,territory_name,area_type"
TERRITORY_OK = "D1,城区市场部,T7,南片,城网"
CMS = "cm_code,cm_name,territory_code"
CM_OK = "C7,赵六,T1"

CASES = [
    # (id, header, bad row, reason_code, Chinese fragment, English fragment)
    (
        "visit-missing-stock",
        VISITS,
        "2025-09-02,C1,R1,S1,,450,是,,",
        "missing_value",
        "缺少必填值:库存",
        "missing: stock_qty",
    ),
    (
        "visit-missing-date",
        VISITS,
        ",C1,R1,S1,5,450,是,,",
        "missing_value",
        "缺少必填值:拜访日期",
        "missing: visit_date",
    ),
    (
        "visit-missing-licence",
        VISITS,
        "2025-09-02,C1,,S1,5,450,是,,",
        "missing_value",
        "许可证号",
        "missing: license_no",
    ),
    ("visit-blank-spaces", VISITS, "2025-09-02,C1,R1,  ,5,450,是,,", "missing_value", "卷烟编码", "missing: spec_code"),
    (
        "visit-stock-text",
        VISITS,
        "2025-09-02,C1,R1,S1,abc,450,是,,",
        "not_a_number",
        "不是有效数字(或超出范围):库存「abc」",
        'Not a number (or out of range): stock_qty "abc"',
    ),
    ("visit-stock-two-dots", VISITS, "2025-09-02,C1,R1,S1,1.2.3,450,是,,", "not_a_number", "「1.2.3」", "stock_qty"),
    ("visit-stock-overflow", VISITS, "2025-09-02,C1,R1,S1,1e99,450,是,,", "not_a_number", "超出范围", "out of range"),
    (
        "visit-stock-negative",
        VISITS,
        "2025-09-02,C1,R1,S1,-5,450,是,,",
        "negative_quantity",
        "数量不能为负:库存「-5」",
        "Negative quantity: stock_qty",
    ),
    ("visit-sales-negative", VISITS, "2025-09-02,C1,R1,S1,5,450,是,-1,", "negative_quantity", "销量", "sales_qty"),
    (
        "visit-price-zero",
        VISITS,
        "2025-09-02,C1,R1,S1,5,0,是,,",
        "price_not_positive",
        "价格必须大于 0",
        "Price must be above 0",
    ),
    (
        "visit-price-negative",
        VISITS,
        "2025-09-02,C1,R1,S1,5,-450,是,,",
        "price_not_positive",
        "「-450」",
        "retail_price",
    ),
    ("visit-price-text", VISITS, "2025-09-02,C1,R1,S1,5,四百五,是,,", "not_a_number", "实际零售价", "retail_price"),
    (
        "visit-price-too-high",
        VISITS,
        "2025-09-02,C1,R1,S1,5,1000,是,,",
        "price_out_of_range",
        "偏离建议零售价",
        "allowed 225.00–900.00",
    ),
    (
        "visit-price-too-low",
        VISITS,
        "2025-09-02,C1,R1,S1,5,100,是,,",
        "price_out_of_range",
        "建议零售价 450.00",
        "far from the suggested",
    ),
    (
        "visit-date-month-13",
        VISITS,
        "2025-13-01,C1,R1,S1,5,450,是,,",
        "date_invalid",
        "日期无法识别",
        "Unreadable or implausible date: visit_date",
    ),
    ("visit-date-words", VISITS, "昨天,C1,R1,S1,5,450,是,,", "date_invalid", "「昨天」", "visit_date"),
    ("visit-date-feb-30", VISITS, "2025-02-30,C1,R1,S1,5,450,是,,", "date_invalid", "拜访日期", "implausible"),
    (
        "visit-date-future",
        VISITS,
        "2026-03-02,C1,R1,S1,5,450,是,,",
        "date_in_future",
        "日期在未来:拜访日期",
        "Date in the future",
    ),
    ("visit-date-too-old", VISITS, "1999-12-31,C1,R1,S1,5,450,是,,", "date_invalid", "不合理", "implausible"),
    ("visit-date-tiny-serial", VISITS, "123,C1,R1,S1,5,450,是,,", "date_invalid", "「123」", "visit_date"),
    (
        "visit-on-shelf-word",
        VISITS,
        "2025-09-02,C1,R1,S1,5,450,也许,,",
        "bool_invalid",
        "应填 是/否:是否上柜",
        "Expected yes/no: on_shelf",
    ),
    (
        "visit-unknown-retailer",
        VISITS,
        "2025-09-02,C1,R9,S1,5,450,是,,",
        "unknown_retailer",
        "未知零售户",
        "Unknown retailer",
    ),
    (
        "visit-unknown-spec",
        VISITS,
        "2025-09-02,C1,R1,S9,5,450,是,,",
        "unknown_spec",
        "未知卷烟规格",
        'Unknown spec: code not in the spec list "S9"',
    ),
    (
        "visit-unknown-cm",
        VISITS,
        "2025-09-02,C9,R1,S1,5,450,是,,",
        "unknown_customer_manager",
        "未知客户经理",
        "Unknown customer manager",
    ),
    (
        "visit-duplicate",
        VISITS,
        "2025-09-01,C1,R1,S1,11,450,是,,",
        "duplicate_in_file",
        "与第 1 行重复",
        "same key as row 1",
    ),
    (
        "visit-duplicate-other-date-format",
        VISITS,
        "2025/9/1,C1,R1,S1,11,450,是,,",
        "duplicate_in_file",
        "文件内重复",
        "Duplicate within the file",
    ),
    (
        "order-supplied-over",
        ORDERS,
        "2025-09-02,R1,S1,10,12",
        "supplied_over_demand",
        "供货量大于需求量",
        "supplied 12.00 > demanded 10.00",
    ),
    ("order-demand-negative", ORDERS, "2025-09-02,R1,S1,-10,0", "negative_quantity", "需求量", "demand_qty"),
    ("order-missing-supplied", ORDERS, "2025-09-02,R1,S1,10,", "missing_value", "供货量", "supplied_qty"),
    (
        "order-unknown-spec",
        ORDERS,
        "2025-09-02,R1,S9,10,8",
        "unknown_spec",
        "卷烟编码不在规格资料中",
        "not in the spec list",
    ),
    ("order-future", ORDERS, "2026-01-05,R1,S1,10,8", "date_in_future", "订货日期", "order_date"),
    ("order-duplicate", ORDERS, "2025-09-01,R1,S1,10,10", "duplicate_in_file", "与第 1 行重复", "row 1"),
    (
        "retailer-tier-31",
        RETAILERS,
        "R6,甲店,便利店,31,T1,C1,城网,,",
        "tier_out_of_range",
        "档位应为 1–30 的整数",
        "from 1 to 30",
    ),
    ("retailer-tier-0", RETAILERS, "R6,甲店,便利店,0,T1,C1,城网,,", "tier_out_of_range", "「0」", "Tier must"),
    (
        "retailer-tier-fraction",
        RETAILERS,
        "R6,甲店,便利店,8.5,T1,C1,城网,,",
        "tier_out_of_range",
        "「8.5」",
        "whole number",
    ),
    ("retailer-tier-text", RETAILERS, "R6,甲店,便利店,八档,T1,C1,城网,,", "not_a_number", "档位", "tier"),
    (
        "retailer-area-type",
        RETAILERS,
        "R6,甲店,便利店,8,T1,C1,城市,,",
        "area_type_invalid",
        "城网 或 农网",
        "Area type",
    ),
    (
        "retailer-closed-before-opened",
        RETAILERS,
        "R6,甲店,便利店,8,T1,C1,城网,2021-05-01,2020-01-01",
        "closed_before_opened",
        "停业日期早于开业日期",
        "Closed before it opened",
    ),
    (
        "retailer-unknown-territory",
        RETAILERS,
        "R6,甲店,便利店,8,T9,C1,城网,,",
        "unknown_territory",
        "未知片区",
        "Unknown territory",
    ),
    (
        "retailer-unknown-cm",
        RETAILERS,
        "R6,甲店,便利店,8,T1,C9,城网,,",
        "unknown_customer_manager",
        "「C9」",
        "customer manager",
    ),
    (
        "retailer-bad-opened",
        RETAILERS,
        "R6,甲店,便利店,8,T1,C1,城网,2020-02-30,",
        "date_invalid",
        "开业日期",
        "opened_on",
    ),
    ("retailer-missing-name", RETAILERS, "R6,,便利店,8,T1,C1,城网,,", "missing_value", "零售户名称", "retailer_name"),
    ("retailer-duplicate", RETAILERS, "R5,另一店名,超市,9,T2,C2,城网,,", "duplicate_in_file", "与第 1 行重复", "row 1"),
    (
        "spec-wholesale-above",
        SPECS,
        "S8,甲烟,甲,三类,130,110,否,2024-01-01",
        "wholesale_above_retail",
        "批发价高于建议零售价",
        "Wholesale price above",
    ),
    (
        "spec-key-brand-word",
        SPECS,
        "S8,甲烟,甲,三类,95,110,重点,2024-01-01",
        "bool_invalid",
        "重点品牌",
        "is_key_brand",
    ),
    (
        "spec-suggested-zero",
        SPECS,
        "S8,甲烟,甲,三类,95,0,否,2024-01-01",
        "price_not_positive",
        "建议零售价",
        "suggested_retail_price",
    ),
    ("spec-launch-date", SPECS, "S8,甲烟,甲,三类,95,110,否,下月", "date_invalid", "上市日期", "launch_date"),
    (
        "territory-area-type",
        TERRITORIES,
        "D1,城区市场部,T8,郊片,郊区",
        "area_type_invalid",
        "「郊区」",
        "Area type must",
    ),
    (
        "territory-unknown-department",
        TERRITORIES,
        "D9,,T8,郊片,城网",
        "unknown_department",
        "新市场部须填写市场部名称",
        "needs its name",
    ),
    ("territory-missing-name", TERRITORIES, "D1,城区市场部,T8,,城网", "missing_value", "片区", "territory_name"),
    ("cm-unknown-territory", CMS, "C8,钱七,T9", "unknown_territory", "片区编码不在片区资料中", "Unknown territory"),
    ("cm-duplicate", CMS, "C7,赵六六,T2", "duplicate_in_file", "与第 1 行重复", "row 1"),
    # numbers are never guessed at nor rounded
    ("visit-decimal-comma", VISITS, '2025-09-02,C1,R1,S1,"1,5",450,是,,', "ambiguous_number", "「1,5」", "stock_qty"),
    ("visit-comma-two", VISITS, '2025-09-02,C1,R1,S1,"4,50",450,是,,', "ambiguous_number", "逗号", "comma"),
    ("visit-comma-list", VISITS, '2025-09-02,C1,R1,S1,"1,2,3",450,是,,', "ambiguous_number", "歧义", "Ambiguous"),
    ("visit-three-decimals", VISITS, "2025-09-02,C1,R1,S1,12.345,450,是,,", "too_many_decimals", "「12.345」", "2"),
    ("visit-tiny-exponent", VISITS, "2025-09-02,C1,R1,S1,1.2e-3,450,是,,", "too_many_decimals", "小数位数", "rounded"),
    ("price-three-decimals", VISITS, "2025-09-02,C1,R1,S1,5,450.005,是,,", "too_many_decimals", "实际零售价", "retail"),
    (
        "visit-stock-implausible",
        VISITS,
        "2025-09-02,C1,R1,S1,9999999999,450,是,,",
        "implausible_quantity",
        "上限 10000",
        "at most 10000",
    ),
    ("visit-sales-implausible", VISITS, "2025-09-02,C1,R1,S1,5,450,是,20000,", "implausible_quantity", "销量", "sales"),
    ("order-demand-implausible", ORDERS, "2025-09-02,R1,S1,50000,0", "implausible_quantity", "需求量", "demand_qty"),
    ("order-unit-pack", ORDERS, "2025-09-02,R1,S1,12包,0", "not_a_number", "「12包」", "demand_qty"),
    # a row is never shifted: a field too many or too few holds it back with its line number
    (
        "order-unquoted-thousands",
        ORDERS,
        "2025-09-02,R1,S1,12,000,12,000",
        "field_count",
        "第 2 行(文件第 3 行)有 7 个字段,表头有 5 个",
        "row 2 (line 3 of the file) has 7 fields, the header 5",
    ),
    (
        "visit-field-missing",
        VISITS,
        "2025-09-02,C1,R1,S1,5,450",
        "field_count",
        "字段个数",
        "(line 3 of the file) has 6 fields",
    ),
]

GOOD_ROW = {
    VISITS: VISIT_OK,
    ORDERS: ORDER_OK,
    RETAILERS: RETAILER_OK,
    SPECS: SPEC_OK,
    TERRITORIES: TERRITORY_OK,
    CMS: CM_OK,
}
TABLE = {
    VISITS: "visit_line",
    ORDERS: "order_line",
    RETAILERS: "retailer",
    SPECS: "spec",
    TERRITORIES: "territory",
    CMS: "customer_manager",
}


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "store.duckdb"
    for name in REFERENCE_FILES:
        ingest.import_file(DATA / name, db=path, today=TODAY)
    return path


def count(path, table):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchall()[0][0]


@pytest.mark.parametrize("header, bad, code, zh, en", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_row_is_held_back_with_its_reason(reference_store, tmp_path, header, bad, code, zh, en):
    db = tmp_path / "store.duckdb"
    shutil.copyfile(reference_store, db)
    before = count(db, TABLE[header])
    data = f"{header}\n{GOOD_ROW[header]}\n{bad}\n".encode()

    summary = ingest.import_bytes(data, "case.csv", db=db, today=TODAY)

    assert summary.rows_read == 2
    assert summary.rows_read == summary.rows_stored + summary.rows_quarantined
    assert (summary.rows_stored, summary.rows_quarantined) == (1, 1)
    assert count(db, TABLE[header]) == before + 1  # the good row is there
    held = ingest.quarantine_frame(summary.import_id, db=db)
    assert len(held) == 1
    row = held.iloc[0]
    assert (row.reason_code, row.row_number, row.file_name) == (code, 2, "case.csv")
    assert zh in row.reason_zh
    assert en in row.reason_en
    assert list(json.loads(row.raw).values()) == [v or None for v in next(csv.reader([bad]))]  # raw kept as read
    assert [r[0] for r in summary.by_reason] == [code]
    with duckdb.connect(str(db), read_only=True) as con:
        log = con.execute(
            "select rows_read, rows_stored, rows_quarantined, status from import_log where import_id = $i",
            {"i": summary.import_id},
        ).fetchall()
    assert log == [(2, 1, 1, "stored")]


def test_there_are_at_least_thirty_cases_covering_every_reason():
    assert len(CASES) >= 30
    assert {c[3] for c in CASES} == set(ingest.REASONS)
