"""The import path: encodings, workbooks, kinds, refusals, re-imports, history, CLI."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from openpyxl import Workbook

from marketpulse import cli, ingest, rollup, simulate, store

DATA = Path(__file__).parent / "data"
REFERENCE_FILES = ["territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"]
TODAY = dt.date(2025, 12, 31)
VISITS_ZH = "拜访日期,客户经理编码,许可证号,卷烟编码,库存,实际零售价,是否上柜,销量,备注"
VISITS_EN = "visit_date,cm_code,license_no,spec_code,stock_qty,retail_price,on_shelf,sales_qty,notes"


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "store.duckdb"
    for name in REFERENCE_FILES:
        ingest.import_file(DATA / name, db=path, today=TODAY)
    return path


@pytest.fixture
def db(reference_store, tmp_path, monkeypatch):
    """A private copy of the reference store, set as MARKETPULSE_DB."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(reference_store, path)
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    return path


def rows(path, sql, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def csv(*lines, encoding="utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


# ── reading ───────────────────────────────────────────────────────────────────


def test_reference_fixtures_were_recognised_and_stored(reference_store):
    kinds = rows(reference_store, "select kind, rows_stored, rows_quarantined from import_log order by import_id")
    assert kinds == [("territories", 3, 0), ("customer_managers", 3, 0), ("retailers", 4, 0), ("specs", 3, 0)]
    assert rows(reference_store, "select * from department order by 1") == [("D1", "城区市场部"), ("D2", "县区市场部")]
    assert rows(reference_store, "select is_key_brand, wholesale_price::double from spec order by spec_code") == [
        (True, 400.0),
        (False, 190.0),
        (True, 100.0),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_chinese_survives_every_encoding(db, encoding):
    data = csv(VISITS_ZH, '2025-09-01,C1,R1,S1,10,450,是,,"民工回流,外地人多了"', encoding=encoding)
    summary = ingest.import_bytes(data, "拜访.csv", db=db, today=TODAY)
    assert (summary.kind, summary.rows_stored) == ("visits", 1)
    assert summary.encoding == encoding.replace("gbk", "gb18030")
    assert rows(db, "select notes, on_shelf from visit_line") == [("民工回流,外地人多了", True)]


def test_numbers_dates_and_booleans_in_their_usual_spellings(db):
    data = csv(
        VISITS_EN,
        '2025-09-01,C1,R1,S1,"1,234",450.0,Y,,',
        "2025/9/8,C1,R1,S1,12.0,４５５,true,2,",
        "45915,C1,R1,S1, 3 ,¥460,0,,",
        "2025年9月22日,C1,R1,S1,4,,否,,",
        "20250929,C1,R1,S1,5,,no,,",
    )
    summary = ingest.import_bytes(data, "v.csv", db=db, today=TODAY)
    assert summary.rows_quarantined == 0, summary.by_reason
    got = rows(
        db, "select visit_date::varchar, stock_qty::double, retail_price::double, on_shelf from visit_line order by 1"
    )
    assert got == [
        ("2025-09-01", 1234.0, 450.0, True),
        ("2025-09-08", 12.0, 455.0, True),
        ("2025-09-15", 3.0, 460.0, False),  # Excel serial 45915
        ("2025-09-22", 4.0, None, False),
        ("2025-09-29", 5.0, None, False),
    ]


def test_xlsx_with_date_cells_serial_dates_and_numeric_codes(db):
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    notes = book.add_worksheet("说明")
    notes.write(0, 0, "本工作簿第二页是拜访记录")
    sheet = book.add_worksheet("拜访")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, VISITS_ZH.split(","))
    sheet.write_datetime(1, 0, dt.datetime(2025, 9, 1), date_fmt)
    sheet.write_number(2, 0, 45908)  # an Excel date typed as a plain number: 2025-09-08
    for r in (1, 2):
        sheet.write_row(r, 1, ["C1", "R1", "S2"])
        sheet.write_number(r, 4, 12.0)
        sheet.write_number(r, 5, 230)
        sheet.write_boolean(r, 6, True)
    sheet.write_string(2, 8, "周末走货快")
    book.close()

    summary = ingest.import_bytes(buf.getvalue(), "拜访.xlsx", db=db, today=TODAY)
    assert (summary.kind, summary.rows_read, summary.rows_stored, summary.encoding) == ("visits", 2, 2, "xlsx")
    assert rows(db, "select visit_date::varchar, stock_qty::double, on_shelf, notes from visit_line order by 1") == [
        ("2025-09-01", 12.0, True, None),
        ("2025-09-08", 12.0, True, "周末走货快"),
    ]


def test_xlsx_reference_file_written_with_openpyxl(tmp_path, db):
    book = Workbook()
    sheet = book.active
    sheet.append(["许可证号", "零售户名称", "业态", "档位", "片区编码", "客户经理编码"])
    sheet.append([350102100077, "新街口店", "便利店", 9.0, "T2", "C2"])  # a licence number typed as a number
    path = tmp_path / "零售户.xlsx"
    book.save(path)
    summary = ingest.import_file(path, db=db, today=TODAY)
    assert (summary.kind, summary.rows_stored) == ("retailers", 1)
    assert rows(db, "select tier from retailer where license_no = '350102100077'") == [(9,)]


def test_headers_with_units_spaces_and_any_column_order(db):
    data = csv(" 库存(条) ,卷烟编码,许可证号,客户经理编码,拜访日期,实际零售价(元/条)", "7,S1,R1,C1,2025-09-01,450")
    summary = ingest.import_bytes(data, "v.csv", db=db, today=TODAY)
    assert (summary.kind, summary.rows_stored) == ("visits", 1)


def test_raw_values_keep_the_file_s_own_headers(db):
    data = csv(VISITS_ZH + ",拜访人", "2025-09-01,C1,R1,S1,-1,450,是,,,小王")
    summary = ingest.import_bytes(data, "v.csv", db=db, today=TODAY)
    raw = ingest.quarantine_frame(summary.import_id, db=db).raw[0]
    assert raw.startswith('{"拜访日期":"2025-09-01"') and '"拜访人":"小王"' in raw


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_kind_is_detected_from_headers_in_either_language(name):
    kind = ingest.sniff_kind(DATA / name)
    assert kind == name.removesuffix(".csv")
    for lang in ("zh", "en"):
        assert ingest.detect_kind(ingest.KINDS[kind].headers(lang)).name == kind


def test_given_kind_is_used_and_missing_columns_are_named(db):
    data = csv("license_no,spec_code,order_date,demand_qty,supplied_qty", "R1,S1,2025-09-01,5,5")
    assert ingest.import_bytes(data, "o.csv", "orders", db=db, today=TODAY).kind == "orders"
    with pytest.raises(ingest.ImportRefused, match="stock_qty") as err:
        ingest.import_bytes(data, "o.csv", "visits", db=db, today=TODAY)
    assert "缺少必需的列" in str(err.value) and "库存" in str(err.value)


ZIP_NOT_WORKBOOK = b"PK\x03\x04" + b"\x00" * 40
REFUSED = [
    ("empty", b"", "是空的", "is empty"),
    ("blank-lines", b"\r\n\r\n  \n", "是空的", "is empty"),
    ("header-only", csv(VISITS_EN), "没有数据行", "no data rows"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "不是 CSV 或 XLSX", "not a CSV or XLSX"),
    ("zip", ZIP_NOT_WORKBOOK, "不是可读取的 XLSX", "not a readable XLSX"),
    ("unknown-header", csv("名称,数量,金额", "a,1,2"), "无法识别文件", "matches no import format"),
    (
        "prose",
        "这是一份会议纪要,不是数据。\n请查收。\n".encode(),
        "第一行应为表头",
        "visit reports (visits): visit_date/拜访日期",
    ),
    (
        "same-column-twice",
        csv("库存,stock_qty,卷烟编码,许可证号,客户经理编码,拜访日期", "1,2,S1,R1,C1,2025-09-01"),
        "出现了两次",
        "same column twice",
    ),
]


@pytest.mark.parametrize("data, zh, en", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_unreadable_file_is_refused_whole_and_store_untouched(db, data, zh, en):
    before = store.store_version(db)
    with pytest.raises(ingest.ImportRefused) as err:
        ingest.import_bytes(data, "bad.csv", db=db, today=TODAY)
    assert isinstance(err.value, store.StoreError)
    assert zh in str(err.value) and en in str(err.value)
    assert store.store_version(db) == before
    assert rows(db, "select count(*) from import_log") == [(4,)]


def test_unknown_header_message_lists_expected_columns_for_every_kind(db):
    with pytest.raises(ingest.ImportRefused) as err:
        ingest.import_bytes(csv("甲,乙", "1,2"), "x.csv", db=db)
    for kind in ingest.KINDS.values():
        assert ingest.expected_columns(kind, "zh") in str(err.value)
        assert ingest.expected_columns(kind, "en") in str(err.value)


# ── re-imports ────────────────────────────────────────────────────────────────


def test_same_file_twice_adds_nothing_and_says_so(db):
    data = csv(VISITS_EN, "2025-09-01,C1,R1,S1,10,450,是,,", "2025-09-01,C1,R9,S1,10,450,是,,")
    first = ingest.import_bytes(data, "week36.csv", db=db, today=TODAY)
    second = ingest.import_bytes(data, "week36-copy.csv", db=db, today=TODAY)
    assert (first.status, first.rows_stored, first.rows_quarantined) == ("stored", 1, 1)
    assert (second.status, second.duplicate_of, second.rows_read, second.rows_stored) == (
        "duplicate_file",
        first.import_id,
        0,
        0,
    )
    assert "未添加任何数据" in second.text("zh") and "nothing was added" in second.text("en")
    assert rows(db, "select count(*) from visit_line") == [(1,)]
    assert rows(db, "select count(*) from quarantine") == [(1,)]
    assert rows(db, "select status from import_log order by import_id desc limit 2") == [
        ("duplicate_file",),
        ("stored",),
    ]


def test_corrected_visit_row_replaces_the_earlier_one(db):
    ingest.import_bytes(
        csv(
            VISITS_EN,
            "2025-09-01,C1,R1,S1,10,450,是,,",
            "2025-09-08,C1,R1,S1,6,450,是,,",
            "2025-09-01,C1,R1,S2,5,230,是,,",
        ),
        "a.csv",
        db=db,
        today=TODAY,
    )
    fix = ingest.import_bytes(
        csv(
            VISITS_EN,
            "2025-09-08,C1,R1,S1,8,455,是,,复点",  # corrected: replaces
            "2025-09-01,C1,R1,S2,5,230,是,,",  # identical: left as it was
            "2025-09-15,C1,R1,S1,7,455,是,,",
        ),  # new
        "a-fixed.csv",
        db=db,
        today=TODAY,
    )
    assert (fix.rows_read, fix.rows_stored, fix.rows_replaced, fix.rows_unchanged, fix.rows_new) == (3, 3, 1, 1, 1)
    assert "更正替换 1 行" in fix.text("zh") and "1 replaced" in fix.text("en")
    assert rows(db, "select rows_replaced from import_log where import_id = $i", {"i": fix.import_id}) == [(1,)]
    assert rows(db, "select stock_qty::double, notes, import_id from visit_line where visit_date = '2025-09-08'") == [
        (8.0, "复点", fix.import_id)
    ]
    assert rows(db, "select import_id from visit_line where spec_code = 'S2'") == [(fix.import_id - 1,)]
    # the roll-ups follow: 10 → 8 → 7 is sales 2 then 1; and incremental equals a full rebuild
    assert rows(
        db, "select week::varchar, sales_qty::double from weekly_observation where spec_code = 'S1' order by 1"
    ) == [("2025-09-01", None), ("2025-09-08", 2.0), ("2025-09-15", 1.0)]
    assert_rollups_equal_rebuild(db)


def test_corrected_order_row_replaces_the_earlier_one(db):
    ingest.import_bytes(
        csv("订货日期,许可证号,卷烟编码,需求量,供货量", "2025-09-02,R1,S1,10,8"), "o1.csv", db=db, today=TODAY
    )
    fix = ingest.import_bytes(
        csv("订货日期,许可证号,卷烟编码,需求量,供货量", "2025-09-02,R1,S1,10,10"), "o2.csv", db=db, today=TODAY
    )
    assert (fix.rows_replaced, fix.rows_new) == (1, 0)
    assert rows(db, "select supplied_qty::double from order_line") == [(10.0,)]
    assert rows(db, "select supplied_qty::double, filled_order_lines from weekly_observation") == [(10.0, 1)]


def assert_rollups_equal_rebuild(path):
    tables = ["weekly_observation", "retailer_visit", "trailing_sales", "market_cell"]
    before = {t: rows(path, f"select * from {t} order by all") for t in tables}
    with store.writer(path) as con:
        rollup.rebuild(con)
    assert {t: rows(path, f"select * from {t} order by all") for t in tables} == before


def test_retailer_reimport_keeps_assignment_history(db):
    ingest.import_bytes(csv(VISITS_EN, "2025-09-01,C1,R1,S1,10,450,是,,"), "v1.csv", db=db, today=TODAY)
    moved = (
        (DATA / "retailers.csv")
        .read_text(encoding="utf-8")
        .replace("R1,东门便利店,便利店,8,T1,C1", "R1,东门便利店,便利店,9,T2,C2")
    )
    wednesday = dt.date(2026, 1, 7)
    summary = ingest.import_bytes(moved.encode(), "retailers-jan.csv", db=db, today=wednesday)
    assert (summary.rows_replaced, summary.rows_unchanged) == (1, 3)
    assert rows(
        db,
        "select valid_from::varchar, valid_to::varchar, territory_code, cm_code, tier from retailer_assignment "
        "where license_no = 'R1' order by valid_from",
    ) == [
        ("2015-03-01", "2026-01-05", "T1", "C1", 8),
        ("2026-01-05", None, "T2", "C2", 9),
    ]
    assert rows(db, "select territory_code, tier from retailer where license_no = 'R1'") == [("T2", 9)]
    # a second change in the same week corrects the open assignment instead of adding one
    again = moved.replace("R1,东门便利店,便利店,9,T2,C2", "R1,东门便利店,便利店,10,T2,C2")
    ingest.import_bytes(again.encode(), "retailers-jan-fix.csv", db=db, today=wednesday)
    assert rows(db, "select valid_from::varchar, tier from retailer_assignment where license_no = 'R1' order by 1") == [
        ("2015-03-01", 8),
        ("2026-01-05", 10),
    ]
    # past weeks stay with the territory of their time, new weeks go to the new one
    ingest.import_bytes(csv(VISITS_EN, "2026-01-06,C2,R1,S1,9,450,是,,"), "v2.csv", db=db, today=wednesday)
    assert rows(db, "select week::varchar, territory_code, cm_code, tier from weekly_observation order by 1") == [
        ("2025-09-01", "T1", "C1", 8),
        ("2026-01-05", "T2", "C2", 10),
    ]
    assert_rollups_equal_rebuild(db)


def test_closing_a_retailer_drops_its_later_planned_visits(db):
    # R1 visited in weeks 2025-09-01 and 2025-09-15; the retailer_week roll-up plans the
    # week between too. Closing R1 on 2025-09-05 leaves only the first week planned.
    ingest.import_bytes(
        csv(VISITS_EN, "2025-09-01,C1,R1,S1,10,450,是,,", "2025-09-15,C1,R1,S1,8,450,是,,"), "v.csv", db=db, today=TODAY
    )
    planned = "select week::varchar from retailer_week where license_no = 'R1' order by 1"
    assert rows(db, planned) == [("2025-09-01",), ("2025-09-08",), ("2025-09-15",)]
    text = (DATA / "retailers.csv").read_text(encoding="utf-8")
    header, *lines = text.strip().splitlines()
    cols = header.split(",")
    r1 = next(line for line in lines if line.startswith("R1,")).split(",")
    record = dict(zip(cols, r1))
    record["closed_on"] = "2025-09-05"
    ingest.import_bytes(csv(",".join(record), ",".join(record.values())), "closed.csv", db=db, today=TODAY)
    assert rows(db, planned) == [("2025-09-01",)]


def test_reference_upserts_for_specs_territories_and_departments(db):
    specs = ingest.import_bytes(
        csv(
            "spec_code,spec_name,brand,price_class,wholesale_price,suggested_retail_price,is_key_brand,launch_date",
            "S1,中华(硬),中华,一类,410,460,是,2020-01-01",
            "S2,玉溪(软),玉溪,二类,190,230,否,2021-05-01",
            "S4,黄鹤楼(新),黄鹤楼,二类,200,240,是,2025-10-06",
        ),
        "specs2.csv",
        db=db,
        today=TODAY,
    )
    assert (specs.rows_new, specs.rows_replaced, specs.rows_unchanged) == (1, 1, 1)
    assert rows(db, "select suggested_retail_price::double from spec where spec_code = 'S1'") == [(460.0,)]
    # a known 市场部 may come without its name; a new one with it is created
    ter = ingest.import_bytes(
        csv(
            "市场部编码,市场部,片区编码,片区,城乡类型",
            "D1,,T4,南片,城网",
            "D3,新区市场部,T5,新区,城网",
            "D1,城区营销部,T1,东片,城网",
        ),
        "ter2.csv",
        db=db,
        today=TODAY,
    )
    assert (ter.rows_new, ter.rows_replaced, ter.rows_quarantined) == (2, 0, 0)
    assert rows(db, "select * from department order by 1") == [
        ("D1", "城区营销部"),
        ("D2", "县区市场部"),
        ("D3", "新区市场部"),
    ]


def test_territory_moving_between_urban_and_rural_refreshes_rollups(db):
    ingest.import_bytes(csv(VISITS_EN, "2025-09-01,C2,R2,S1,10,450,是,,"), "v.csv", db=db, today=TODAY)
    assert rows(db, "select area_type, department_code from weekly_observation") == [("城网", "D1")]
    ingest.import_bytes(
        csv("department_code,department_name,territory_code,territory_name,area_type", "D2,县区市场部,T2,西片,农网"),
        "t.csv",
        db=db,
        today=TODAY,
    )
    assert rows(db, "select area_type, department_code from weekly_observation") == [("农网", "D2")]
    assert_rollups_equal_rebuild(db)


# ── API details ───────────────────────────────────────────────────────────────


def test_progress_is_reported_from_start_to_done(db):
    seen = []
    ingest.import_bytes(
        csv(VISITS_EN, "2025-09-01,C1,R1,S1,10,450,是,,"),
        "v.csv",
        db=db,
        today=TODAY,
        progress=lambda f, m: seen.append((f, m)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(" / " in m for _, m in seen)


def test_contract_table_lists_every_column_once_per_kind():
    table = ingest.expected_table("zh")
    assert set(table.kind) == set(ingest.KIND_NAMES)
    assert not table.duplicated(["kind", "column_en"]).any()
    assert table.query("kind == 'visits' and column_en == 'stock_qty'").column_zh.tolist() == ["库存"]
    assert ingest.expected_columns("orders", "en").startswith("orders (orders): order_date/订货日期")


def test_a_city_week_of_visit_lines_imports_set_based(tmp_path):
    db = tmp_path / "big.duckdb"
    for name in REFERENCE_FILES[:2] + [REFERENCE_FILES[3]]:
        ingest.import_file(DATA / name, db=db, today=TODAY)
    retailers, visits = tmp_path / "retailers.csv", tmp_path / "visits.csv"
    with duckdb.connect() as con:
        con.execute(f"""
            copy (select 'L' || lpad(i::varchar, 6, '0') as license_no, '店' || i as retailer_name, '食杂店' as format,
                         1 + i % 30 as tier, 'T' || (1 + i % 3) as territory_code, 'C' || (1 + i % 3) as cm_code
                  from range(2000) as t(i)) to '{retailers}' (header)""")
        # 2,000 retailers × 3 specs × 34 weekly visits = 204,000 lines; every 1,000th is bad
        con.execute(f"""
            copy (select strftime(date '2025-04-07' + (7 * w)::integer, '%Y-%m-%d') as visit_date, 'C' || (1 + i % 3) as cm_code,
                         'L' || lpad(i::varchar, 6, '0') as license_no, 'S' || s as spec_code,
                         case when (i * 102 + w * 3 + s) % 1000 = 0 then '-1' else ((i + w) % 40)::varchar end as stock_qty,
                         case s when 1 then 450 when 2 then 230 else 120 end as retail_price
                  from range(2000) as a(i), range(34) as b(w), range(1, 4) as c(s)) to '{visits}' (header)""")
    ingest.import_file(retailers, db=db, today=TODAY)
    summary = ingest.import_file(visits, db=db, today=TODAY)
    assert summary.rows_read == 204_000
    assert summary.rows_read == summary.rows_stored + summary.rows_quarantined
    assert summary.by_reason[0][0] == "negative_quantity" and summary.rows_quarantined == summary.by_reason[0][3] > 0
    assert rows(db, "select count(*) from visit_line") == [(summary.rows_stored,)]
    assert rows(db, "select count(*) from quarantine") == [(summary.rows_quarantined,)]
    assert rows(db, "select count(*) from weekly_observation") == [(summary.rows_stored,)]


# ── command line ──────────────────────────────────────────────────────────────


def test_cli_imports_reference_files_first_and_exits_0(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MARKETPULSE_DB", str(tmp_path / "cli.duckdb"))
    visits = tmp_path / "visits.csv"
    visits.write_bytes(csv(VISITS_EN, "2025-09-01,C1,R1,S1,10,450,是,,", "2025-09-01,C1,R1,S1,11,450,是,,"))
    files = [str(visits)] + [str(DATA / n) for n in reversed(REFERENCE_FILES)]
    assert cli.main(["import", *files]) == 0
    out = capsys.readouterr().out
    assert "先资料后明细" in out and "reference files first" in out
    assert "读取 2 行 = 入库 1 行 + 隔离 1 行" in out and "read 2 rows = stored 1 + quarantined 1" in out
    assert "文件内重复" in out and "Duplicate within the file" in out

    assert cli.main(["quarantine"]) == 0
    out = capsys.readouterr().out
    assert "duplicate_in_file" in out and "与第 1 行重复" in out
    assert cli.main(["quarantine", "--format", "csv", "--import-id", "999"]) == 0
    assert capsys.readouterr().out.strip() == ",".join(ingest.QUARANTINE_COLUMNS)
    # one kind's rows in the columns the file had, the reason and the row last: fix and import again
    assert cli.main(["quarantine", "--kind", "visits", "--format", "csv", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()  # a byte-order mark, for Excel
    assert lines[0].split(",")[:5] == VISITS_EN.split(",")[:5]
    assert lines[0].endswith("reason held back,original file and row")
    assert lines[1].startswith("2025-09-01,C1,R1,S1,11,450,")


def test_cli_exit_codes(db, tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("会议纪要\n", encoding="utf-8")
    good = tmp_path / "v.csv"
    good.write_bytes(csv(VISITS_EN, "2025-09-01,C1,R1,S1,10,450,是,,"))
    assert cli.main(["import", str(good), str(bad)]) == 1  # one refused: the other still imported
    err = capsys.readouterr().err
    assert "已拒绝" in err and "Refused" in err
    assert rows(db, "select count(*) from visit_line") == [(1,)]
    assert cli.main(["import", str(tmp_path / "missing.csv")]) == 1
    assert cli.main(["import"]) == 2
    assert cli.main(["import", "--kind", "weather", str(good)]) == 2
    assert cli.main(["import", "--kind", "visits", str(good)]) == 0
    assert "nothing was added" in capsys.readouterr().out


# ── validity periods: 调价 and moves filed late (生效日期) ─────────────────────────

SPECS_EN = "spec_code,spec_name,brand,price_class,wholesale_price,suggested_retail_price,is_key_brand,launch_date"
RETAILERS_EN = "license_no,retailer_name,format,tier,territory_code,cm_code,area_type,opened_on,closed_on"


def periods(path, table="spec_price", key="S1"):
    column = "spec_code" if table == "spec_price" else "license_no"
    values = "wholesale_price::double, suggested_retail_price::double" if table == "spec_price" else "territory_code"
    return rows(
        path,
        f"select valid_from::varchar, valid_to::varchar, {values} from {table} where {column} = $k order by 1",
        {"k": key},
    )


def test_a_price_list_keeps_the_earlier_prices_as_history(db):
    # S1 400 / 450 since the reference import; a list filed on 2025-12-31 says 410 / 460 from 2025-10-06
    first = ingest.import_bytes(
        csv(SPECS_EN + ",生效日期", "S1,中华(硬),中华,一类,410,460,是,2020-01-01,2025-10-06"),
        "a.csv",
        db=db,
        today=TODAY,
    )
    assert (first.rows_replaced, first.rows_new) == (1, 0)
    assert periods(db) == [("1900-01-01", "2025-10-06", 400.0, 450.0), ("2025-10-06", None, 410.0, 460.0)]
    assert rows(
        db, "select wholesale_price::double, suggested_retail_price::double from spec where spec_code = 'S1'"
    ) == [(410.0, 460.0)]
    # the same prices again, the date spelt otherwise (an English header alias): nothing changes
    again = ingest.import_bytes(
        csv(SPECS_EN + ",valid_from", "S1,中华(硬),中华,一类,410,460,是,2020-01-01,2025/10/6"),
        "b.csv",
        db=db,
        today=TODAY,
    )
    assert (again.rows_replaced, again.rows_unchanged) == (0, 1)
    # a list without 生效日期, filed Wednesday 2026-01-07: from that week's Monday 2026-01-05
    ingest.import_bytes(
        csv(SPECS_EN, "S1,中华(硬),中华,一类,420,470,是,2020-01-01"), "c.csv", db=db, today=dt.date(2026, 1, 7)
    )
    assert periods(db)[-2:] == [("2025-10-06", "2026-01-05", 410.0, 460.0), ("2026-01-05", None, 420.0, 470.0)]
    # a correction dated back into the middle: it holds from 2025-11-03 on, so it splits the
    # 410 / 460 period there and replaces what was filed for the weeks after
    fix = ingest.import_bytes(
        csv(SPECS_EN + ",生效日期", "S1,中华(硬),中华,一类,405,455,是,2020-01-01,2025-11-03"),
        "d.csv",
        db=db,
        today=TODAY,
    )
    assert fix.rows_replaced == 1
    assert periods(db) == [
        ("1900-01-01", "2025-10-06", 400.0, 450.0),
        ("2025-10-06", "2025-11-03", 410.0, 460.0),
        ("2025-11-03", None, 405.0, 455.0),
    ]
    # back to the first prices from 2025-10-06: the periods merge into one again
    ingest.import_bytes(
        csv(SPECS_EN + ",生效日期", "S1,中华(硬),中华,一类,400,450,是,2020-01-01,2025-10-06"),
        "e.csv",
        db=db,
        today=TODAY,
    )
    assert periods(db) == [("1900-01-01", None, 400.0, 450.0)]
    assert periods(db, key="S2") == [("1900-01-01", None, 190.0, 230.0)]  # untouched


def test_a_new_spec_holds_its_first_prices_from_the_start(db):
    # a spec the store did not know: its first prices are all it has, for every week
    ingest.import_bytes(
        csv(SPECS_EN + ",生效日期", "S9,黄山(红),黄山,三类,95,110,否,2024-01-01,2025-12-01"),
        "s.csv",
        db=db,
        today=TODAY,
    )
    assert periods(db, key="S9") == [("1900-01-01", None, 95.0, 110.0)]


def test_visit_prices_are_checked_against_the_price_in_force_on_the_visit_date(db):
    # S2 230 until 2025-10-06, 500 from then: 240 on 2025-09-29 is plausible (0.5–2 × 230), on
    # 2025-10-06 it is below 0.5 × 500 = 250 and held back
    ingest.import_bytes(
        csv(SPECS_EN + ",生效日期", "S2,玉溪(软),玉溪,二类,190,500,否,2021-05-01,2025-10-06"),
        "s.csv",
        db=db,
        today=TODAY,
    )
    summary = ingest.import_bytes(
        csv(VISITS_EN, "2025-09-29,C1,R1,S2,5,240,是,,", "2025-10-06,C1,R1,S2,5,240,是,,"), "v.csv", db=db, today=TODAY
    )
    assert (summary.rows_stored, summary.rows_quarantined) == (1, 1)
    held = ingest.quarantine_frame(summary.import_id, db=db).iloc[0]
    assert held.reason_code == "price_out_of_range" and "建议零售价 500.00" in held.reason_zh
    assert rows(db, "select visit_date::varchar from visit_line") == [("2025-09-29",)]


def test_an_unreadable_effective_date_holds_the_row_back(db):
    summary = ingest.import_bytes(
        csv(SPECS_EN + ",生效日期", "S1,中华(硬),中华,一类,410,460,是,2020-01-01,下周一"), "s.csv", db=db, today=TODAY
    )
    assert summary.rows_quarantined == 1
    assert summary.by_reason[0][:2] == ("date_invalid", "日期无法识别或不合理:生效日期")
    assert periods(db) == [("1900-01-01", None, 400.0, 450.0)]


def test_effective_date_is_an_optional_column_of_retailers_and_specs():
    for kind in ("retailers", "specs"):
        column = ingest.KINDS[kind].column("effective_date")
        assert (column.zh, column.type, column.required) == ("生效日期", "date", False)
        assert "生效日期/effective_date?" in ingest.expected_columns(kind, "zh")
    headers = ingest.KINDS["specs"].headers("zh")[:-1] + ["执行日期"]
    assert ingest.detect_kind(headers).name == "specs"


def test_a_move_filed_late_is_dated_back_and_its_weeks_follow(db):
    # R1 visited on 2025-12-08 and 2025-12-15 (T1). The move to T2 / C2 is first filed on
    # Wednesday 2026-01-07 without a date (from Monday 2026-01-05), then again with
    # 生效日期 2025-12-01: the open period starts there and both weeks go to T2.
    ingest.import_bytes(
        csv(VISITS_EN, "2025-12-08,C1,R1,S1,10,450,是,2,", "2025-12-15,C1,R1,S1,9,450,是,1,"),
        "v.csv",
        db=db,
        today=TODAY,
    )
    moved = csv(RETAILERS_EN, "R1,东门便利店,便利店,8,T2,C2,城网,2015-03-01,")
    wednesday = dt.date(2026, 1, 7)
    ingest.import_bytes(moved, "r1.csv", db=db, today=wednesday)
    assert periods(db, "retailer_assignment", "R1") == [("2015-03-01", "2026-01-05", "T1"), ("2026-01-05", None, "T2")]
    observed = "select week::varchar, territory_code, cm_code from weekly_observation order by 1"
    assert rows(db, observed) == [("2025-12-08", "T1", "C1"), ("2025-12-15", "T1", "C1")]
    late = ingest.import_bytes(
        csv(RETAILERS_EN + ",生效日期", "R1,东门便利店,便利店,8,T2,C2,城网,2015-03-01,,2025-12-01"),
        "r1-dated.csv",
        db=db,
        today=wednesday,
    )
    assert (late.rows_replaced, late.rows_unchanged) == (1, 0)  # the row is the same, its history is not
    assert periods(db, "retailer_assignment", "R1") == [("2015-03-01", "2025-12-01", "T1"), ("2025-12-01", None, "T2")]
    assert rows(db, observed) == [("2025-12-08", "T2", "C2"), ("2025-12-15", "T2", "C2")]
    planned = "select week::varchar, territory_code from retailer_week where license_no = 'R1' order by 1"
    assert rows(db, planned) == [("2025-12-08", "T2"), ("2025-12-15", "T2")]
    assert_rollups_equal_rebuild(db)
    # T2 again, dated 2025-12-15: T2 already holds from then on, so nothing changes (a row says
    # what holds from its date on, not what held before it)
    ingest.import_bytes(
        csv(RETAILERS_EN + ",生效日期", "R1,东门便利店,便利店,8,T2,C2,城网,2015-03-01,,2025-12-15"),
        "r1-redated.csv",
        db=db,
        today=wednesday,
    )
    assert periods(db, "retailer_assignment", "R1") == [("2015-03-01", "2025-12-01", "T1"), ("2025-12-01", None, "T2")]
    # back to T1 from 2025-12-01 (the periods merge), then T2 from 2025-12-15: the first week
    # returns to T1, the second stays in T2
    back = csv(RETAILERS_EN + ",生效日期", "R1,东门便利店,便利店,8,T1,C1,城网,2015-03-01,,2025-12-01")
    ingest.import_bytes(back, "r1-back.csv", db=db, today=wednesday)
    ingest.import_bytes(
        csv(RETAILERS_EN + ",生效日期", "R1,东门便利店,便利店,8,T2,C2,城网,2015-03-01,,2025/12/15"),  # other bytes
        "r1-mid.csv",
        db=db,
        today=wednesday,
    )
    assert periods(db, "retailer_assignment", "R1") == [("2015-03-01", "2025-12-15", "T1"), ("2025-12-15", None, "T2")]
    assert rows(db, observed) == [("2025-12-08", "T1", "C1"), ("2025-12-15", "T2", "C2")]
    assert_rollups_equal_rebuild(db)


def test_an_older_store_gets_its_spec_prices_as_history(tmp_path):
    path = tmp_path / "v6.duckdb"
    with duckdb.connect(str(path)) as con:  # a version-6 store, as the release before spec_price left it
        con.execute("create table schema_version (version integer primary key, applied_at timestamp not null)")
        for number, migration in store.migrations():
            if number <= 6:
                con.execute(migration.read_text(encoding="utf-8"))
                con.execute("insert into schema_version values ($v, now())", {"v": number})
        con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
    assert store.Reader(path).sql("select count(*) as n from spec_price")["n"][0] == 1  # opening upgrades it
    assert rows(path, "select spec_code, valid_from::varchar, valid_to, wholesale_price::double from spec_price") == [
        ("S1", "1900-01-01", None, 400.0)
    ]


def test_the_demo_files_carry_the_planted_price_change(tmp_path):
    # the simulated city as files: specs.csv with the prices the window began with, then the
    # 调价 as a later price list with 生效日期; imported in that order they give the city's periods
    city = simulate.simulate("small", seed=7, weeks=40)
    simulate.write_files(tmp_path, scale="small", seed=7, weeks=40)
    db = tmp_path / "files.duckdb"
    for name in ("territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv", "specs_price_change.csv"):
        summary = ingest.import_file(tmp_path / name, db=db)
        assert summary.rows_quarantined == 0, summary.text("en")
    assert summary.kind == "specs" and (summary.rows_replaced, summary.rows_new) == (1, 0)
    got = rows(
        db,
        "select spec_code, valid_from, valid_to, wholesale_price::double, suggested_retail_price::double from spec_price",
    )
    want = city.spec_price.astype({"wholesale_price": float, "suggested_retail_price": float})
    assert sorted(got) == sorted(
        (r.spec_code, r.valid_from, r.valid_to, r.wholesale_price, r.suggested_retail_price) for r in want.itertuples()
    )
    assert len(got) == len(city.spec) + 1


def test_weeks_before_a_retailers_first_period_follow_its_current_values(db):
    # R3 opened 2018-06-01 (its first period starts there), yet a visit is dated 2018-05-07:
    # that week reads R3's current 片区. A move dated 2025-12-01 changes it too, so the
    # refresh reaches back to it and incremental still equals a full rebuild.
    ingest.import_bytes(csv(VISITS_EN, "2018-05-07,C3,R3,S1,10,450,是,,"), "v.csv", db=db, today=TODAY)
    assert rows(db, "select territory_code from weekly_observation") == [("T3",)]
    ingest.import_bytes(
        csv(RETAILERS_EN + ",生效日期", "R3,北乡超市,超市,20,T2,C2,农网,2018-06-01,,2025-12-01"),
        "r3.csv",
        db=db,
        today=TODAY,
    )
    assert rows(db, "select territory_code from weekly_observation") == [("T2",)]
    assert_rollups_equal_rebuild(db)
