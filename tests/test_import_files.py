"""Whole files as Chinese Excel, WPS and ordering systems write them: the CSV dialect, the
encodings, workbooks with several sheets, numbers, and exports that hold no live formula.
Each case asserts the exact values stored and the exact reasons rows were held back."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import xlsxwriter
from openpyxl import load_workbook

from marketpulse import export, i18n, ingest

DATA = Path(__file__).parent / "data"
REFERENCE_FILES = ["territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"]
TODAY = dt.date(2025, 12, 31)
V = "visit_date,cm_code,license_no,spec_code,stock_qty,retail_price,on_shelf,sales_qty,notes"
ORD = "order_date,license_no,spec_code,demand_qty,supplied_qty"


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "store.duckdb"
    for name in REFERENCE_FILES:
        ingest.import_file(DATA / name, db=path, today=TODAY)
    return path


@pytest.fixture
def db(reference_store, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(reference_store, path)
    return path


def rows(path, sql, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def stored_visits(db, import_id):
    return rows(
        db,
        "select visit_date::varchar, stock_qty::varchar, notes from visit_line where import_id = $i order by all",
        {"i": import_id},
    )


def held(db, import_id):
    return rows(
        db, "select row_number, reason_code from quarantine where import_id = $i order by row_number", {"i": import_id}
    )


# (id, bytes, stored (date, stock, notes), held back (row, reason), encoding, delimiter)
CSV_CASES = [
    (
        "rfc4180-doubled-quotes",
        f'{V}\n2025-09-01,C1,R1,S1,10,450,是,,"他说""好"""\n'.encode(),
        [("2025-09-01", "10.00", '他说"好"')],
        [],
        "utf-8",
        ",",
    ),
    (
        "hash-is-text-not-a-comment",
        f"{V}\n#2025-09-01,C1,R1,S1,10,450,是,,x\n2025-09-02,C1,R1,S1,10,450,是,,货架#0号 好卖\n".encode(),
        [("2025-09-02", "10.00", "货架#0号 好卖")],
        [(1, "date_invalid")],
        "utf-8",
        ",",
    ),
    (
        "unquoted-comma-is-held-back-not-shifted",
        f'{ORD}\n2025-09-01,R1,S1,12,000,12,000\n2025-09-02,R1,S1,"1,200","1,200"\n'.encode(),
        None,
        [(1, "field_count")],
        "utf-8",
        ",",
    ),
    (
        "cr-only-line-ends",
        f'{V}\r2025-09-01,C1,R1,S1,10,450,是,,"两行\r备注"\r2025-09-02,C1,R1,S1,11,450,是,,\r'.encode(),
        [("2025-09-01", "10.00", "两行\r备注"), ("2025-09-02", "11.00", None)],
        [],
        "utf-8",
        ",",
    ),
    (
        "mixed-line-ends",
        f"{V}\r\n2025-09-01,C1,R1,S1,10,450,是,,a\n2025-09-02,C1,R1,S1,11,450,是,,b\r".encode(),
        [("2025-09-01", "10.00", "a"), ("2025-09-02", "11.00", "b")],
        [],
        "utf-8",
        ",",
    ),
    (
        "semicolon-with-commas-in-notes",
        (V.replace(",", ";") + "\n2025-09-01;C1;R1;S1;10;450;是;;a,b\n").encode("utf-8-sig"),
        [("2025-09-01", "10.00", "a,b")],
        [],
        "utf-8-sig",
        ";",
    ),
    (
        "tab-gb18030-full-width-and-units",
        (V.replace(",", "\t") + '\r\n2025-09-01\tC1\tR1\tS1\t１２条\t¥450元\t是\t\t"x\ty"\r\n').encode("gb18030"),
        [("2025-09-01", "12.00", "x\ty")],
        [],
        "gb18030",
        "\t",
    ),
    (
        "pipe",
        (V.replace(",", "|") + "\n2025-09-01|C1|R1|S1|1,200|450|是||\n").encode(),
        [("2025-09-01", "1200.00", None)],
        [],
        "utf-8",
        "|",
    ),
    (
        "gb18030-only-characters",
        f"{V}\n2025-09-01,C1,R1,S1,10,450,是,,𠀀䶮€ 好卖\n".encode("gb18030"),
        [("2025-09-01", "10.00", "𠀀䶮€ 好卖")],
        [],
        "gb18030",
        ",",
    ),
    (
        "numbers-never-guessed-nor-rounded",
        (
            f'{V}\n2025-09-01,C1,R1,S1,"1,5",450,是,,\n2025-09-02,C1,R1,S1,"4,50",450,是,,\n'
            f'2025-09-03,C1,R1,S1,"1,2,3",450,是,,\n2025-09-04,C1,R1,S1,12.345,450,是,,\n'
            f"2025-09-05,C1,R1,S1,1.2e-3,450,是,,\n2025-09-06,C1,R1,S1,9999999999,450,是,,\n"
            f"2025-09-07,C1,R1,S1,12.340,450,是,,\n2025-09-08,C1,R1,S1,1.2E+03,450,是,,\n"
        ).encode(),
        [("2025-09-07", "12.34", None), ("2025-09-08", "1200.00", None)],
        [
            (1, "ambiguous_number"),
            (2, "ambiguous_number"),
            (3, "ambiguous_number"),
            (4, "too_many_decimals"),
            (5, "too_many_decimals"),
            (6, "implausible_quantity"),
        ],
        "utf-8",
        ",",
    ),
    (
        "blank-lines-are-not-rows",
        f"\n{V}\n\n2025-09-01,C1,R1,S1,10,450,是,,\n,,,,,,,,\n\n".encode(),
        [("2025-09-01", "10.00", None)],
        [],
        "utf-8",
        ",",
    ),
]


@pytest.mark.parametrize(
    "data, stored, bad, encoding, delimiter", [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES]
)
def test_csv_file_is_read_in_the_one_dialect(db, data, stored, bad, encoding, delimiter):
    summary = ingest.import_bytes(data, "case.csv", db=db, today=TODAY)
    assert (summary.encoding, summary.delimiter) == (encoding, delimiter)
    assert summary.rows_read == summary.rows_stored + summary.rows_quarantined
    if stored is not None:
        assert stored_visits(db, summary.import_id) == stored
    assert held(db, summary.import_id) == bad


def test_a_row_with_a_field_too_many_names_its_line_and_keeps_its_values(db):
    data = f"{ORD}\n2025-09-01,R1,S1,10,8\n2025-09-02,R1,S1,12,000,12,000\n".encode()
    summary = ingest.import_bytes(data, "o.csv", db=db, today=TODAY)
    assert (summary.rows_read, summary.rows_stored, summary.rows_quarantined) == (2, 1, 1)
    (raw, reason, line), *_ = rows(db, "select raw, reason_en, line_number from quarantine")
    # the row as 原文件及行号 numbers it (#2: the header is not a row) and the file's line 3
    assert line == 3 and "row 2 (line 3 of the file) has 7 fields, the header 5" in reason
    assert list(json.loads(raw).values()) == ["2025-09-02", "R1", "S1", "12", "000", "12", "000"]
    assert (
        rows(db, "select demand_qty::double, supplied_qty::double from order_line where order_date = '2025-09-02'")
        == []
    )


REFUSED = [
    (
        "utf8-one-bad-byte",
        f"{V}\n2025-09-01,C1,R1,S1,10,450,是,,好卖\n".encode() + b"2025-09-02,C1,R1,S1,1,450,\xff,,x\n",
        "第 3 行",
        "line 3",
    ),
    (
        "utf8-truncated-in-a-character",
        f"{V}\n2025-09-01,C1,R1,S1,10,450,是,,好卖\n".encode()[:-3],
        "第 2 行",
        "truncated",
    ),
    (
        "gb18030-then-utf8",
        f"{V}\n2025-09-01,C1,R1,S1,10,450,否,,好卖\n".encode("gb18030")
        + "2025-09-02,C1,R1,S1,10,450,是,,周末走货快\n".encode(),
        "第 3 行",
        "line 3",
    ),
    ("binary", b"\x00\x01\x02" * 100, "二进制", "binary"),
    ("field-beyond-limit", (V + '\n2025-09-01,C1,R1,S1,1,450,是,,"' + "x" * (2 << 20) + '"\n').encode(), "第", "line"),
]


@pytest.mark.parametrize("data, zh, en", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_file_in_no_single_encoding_is_refused_with_its_first_bad_line(db, data, zh, en):
    with pytest.raises(ingest.ImportRefused) as err:
        ingest.import_bytes(data, "bad.csv", db=db, today=TODAY)
    assert zh in str(err.value) and en in str(err.value)
    assert rows(db, "select count(*) from visit_line") == [(0,)]


def test_a_given_delimiter_wins_over_the_recognised_one(db):
    data = b"visit_date;cm_code,license_no;spec_code;stock_qty;retail_price;on_shelf;sales_qty;notes\n"
    data += "2025-09-01;C1;R1;S1;10;450;是;;a\n".encode()
    with pytest.raises(ingest.ImportRefused):
        ingest.import_bytes(data, "x.csv", db=db, today=TODAY, delimiter="|")


# ── workbooks ─────────────────────────────────────────────────────────────────


def book(*sheets) -> bytes:
    """A workbook of (name, rows, hidden) sheets, every value written as given."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    for name, values, hidden in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(values):
            ws.write_row(r, 0, row)
        if hidden:
            ws.hide()
    wb.close()
    return buf.getvalue()


RETAILER_HEAD = ["许可证号", "零售户名称", "业态", "档位", "片区编码", "客户经理编码"]


def test_every_visible_sheet_lands_as_its_own_kind_and_the_rest_are_listed(db):
    data = book(
        ("零售户", [RETAILER_HEAD, ["R1", "新名字", "便利店", 8, "T1", "C1"]], False),
        ("拜访", [V.split(","), ["2025-09-01", "C1", "R1", "S1", 10, 450, "是", "", "a"]], False),
        ("拜访二", [V.split(","), ["2025-09-02", "C1", "R1", "S1", 11, 450, "是", "", "b"]], False),
        ("订单", [ORD.split(","), ["2025-09-01", "R1", "S1", 10, 8]], False),
        ("旧拜访", [V.split(","), ["2025-09-05", "C1", "R1", "S1", 99, 450, "是", "", "old"]], True),
        ("说明", [["本工作簿由系统导出"]], False),
    )
    summary = ingest.import_bytes(data, "book.xlsx", db=db, today=TODAY)
    kinds = [(p.kind, p.sheet, p.rows_stored) for p in summary.all_parts]
    assert kinds == [("retailers", "零售户", 1), ("visits", "拜访", 1), ("visits", "拜访二", 1), ("orders", "订单", 1)]
    assert [s[0] for s in summary.skipped] == ["旧拜访", "说明"]
    assert "隐藏" in summary.text("zh") and "hidden sheet" in summary.text("en")
    assert rows(db, "select notes from visit_line order by visit_date") == [("a",), ("b",)]
    assert rows(db, "select count(*) from order_line") == [(1,)]


def test_a_declared_absurd_dimension_is_refused_before_reading(db):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("拜访")
    ws.write_row(0, 0, V.split(","))
    ws.write(1048575, 16383, 1)
    wb.close()
    assert len(buf.getvalue()) < 10_000
    with pytest.raises(ingest.ImportRefused) as err:
        ingest.import_bytes(buf.getvalue(), "bomb.xlsx", db=db, today=TODAY)
    assert "1,048,576 行 × 16,384 列" in str(err.value) and "absurd size" in str(err.value)


def test_a_far_cell_behind_a_lying_dimension_ends_the_reader_not_the_process(db):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("拜访")
    ws.write_row(0, 0, V.split(","))
    ws.write(1048575, 16383, 1)
    wb.close()
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = part.replace(b'<dimension ref="A1:XFD1048576"/>', b'<dimension ref="A1"/>')
            z.writestr(info, part)
    with pytest.raises(ingest.ImportRefused) as err:
        ingest.import_bytes(out.getvalue(), "lying.xlsx", db=db, today=TODAY)
    assert "内存限制" in str(err.value) and "memory limit" in str(err.value)


# ── quarantine ────────────────────────────────────────────────────────────────


def test_reimporting_the_same_bad_rows_does_not_duplicate_them(db):
    data = f"{V}\n2025-09-01,C1,R1,S1,10,450,是,,\n2025-09-02,C1,R1,S1,abc,450,是,,\n".encode()
    ingest.import_bytes(data, "a.csv", db=db, today=TODAY)
    again = ingest.import_bytes(data + b"\n", "b.csv", db=db, today=TODAY)  # other bytes, same bad row
    assert again.rows_quarantined == 1
    assert rows(db, "select import_id, file_name from quarantine") == [(again.import_id, "b.csv")]


def test_quarantine_download_has_the_original_columns_ready_to_reimport(db, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(db))
    head = "拜访日期,客户经理编码,许可证号,卷烟编码,库存,实际零售价,是否上柜,销量,备注,拜访人"
    data = f'{head}\n2025-09-02,C1,R1,S1,abc,450,是,,"=HYPERLINK(""x"")",小王\n'.encode()
    ingest.import_bytes(data, "v.csv", db=db, today=TODAY)
    frame = ingest.quarantine_original("visits", "zh", db=db)
    assert list(frame.columns) == head.split(",") + ["隔离原因", "原文件及行号"]
    assert frame.iloc[0]["库存"] == "abc" and frame.iloc[0]["备注"] == '=HYPERLINK("x")'
    summary = ingest.quarantine_summary(db=db)
    assert summary[["kind", "reason_code", "rows"]].values.tolist() == [["visits", "not_a_number", 1]]
    page, total = ingest.quarantine_rows(0, 10, db=db)
    assert total == 1 and len(page) == 1


# ── exports ───────────────────────────────────────────────────────────────────


def test_exports_neutralise_formulas_and_keep_numbers_numbers():
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "安全"], "value": [1, -2, 3, 4, 5, 6]}
    )
    text = export.csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n'+1," in text and "\n'-2+3," in text and "\n'@SUM(A1)," in text
    assert "\n安全,6" in text and ",-2\n" in text  # numbers stay numbers
    sheet = load_workbook(io.BytesIO(export.xlsx_bytes({"s": frame}))).active
    names = [sheet.cell(r, 1) for r in range(2, 8)]
    assert [c.value for c in names][:4] == ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in names) and names[0].quotePrefix
    assert [sheet.cell(r, 2).value for r in range(2, 8)] == [1, -2, 3, 4, 5, 6]


def test_a_csv_download_writes_whole_numbers_without_a_decimal_point():
    # 销量 is float in pandas because one manager has none: 40653.0 is written 40653, the gap stays empty
    frame = pd.DataFrame({"客户经理": ["张三", "李四"], "销量(条)": [40653.0, None], "铺货率%": [54.5, 12.0]})
    text = export.csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert text == ["客户经理,销量(条),铺货率%", "张三,40653,54.5", "李四,,12.0"]


def test_the_page_shows_the_summary_line_by_line_and_progress_in_its_language():
    from marketpulse import views

    text = "a.csv(拜访记录):读取 12 行\n  入库中:新增 3 行\n    2 行  数量不是数字"
    assert views.summary_markdown(text) == (
        "a.csv(拜访记录):读取 12 行  \n&nbsp;&nbsp;&nbsp;&nbsp;入库中:新增 3 行  \n"
        + "&nbsp;" * 8
        + "2 行  数量不是数字"
    )
    assert views.words_in("读取文件 / reading the file", "en") == "reading the file"
    assert views.words_in("读取文件 / reading the file", "zh") == "读取文件"
    assert views.words_in("12,000 行", "en") == "12,000 行"  # not two languages: as it is


def test_the_quarantine_page_names_a_csv_without_a_sheet(monkeypatch):
    import numpy as np

    from marketpulse import views
    from marketpulse.views import data

    held = pd.DataFrame(
        {
            "import_id": [2, 1],
            "file_name": ["拜访.csv", "混合.xlsx"],
            "sheet": [np.nan, "订单"],  # a CSV's sheet reads NaN once the rows are a frame
            "row_number": [11, 4],
            "reason_zh": ["数量不是数字", "日期无效"],
            "reason_en": ["not a number", "bad date"],
            "raw": ["{}", "{}"],
        }
    )
    monkeypatch.setattr(data.ingest, "quarantine_rows", lambda first, size, db: (held, 2))
    monkeypatch.setattr(data, "_held_db", lambda: None)
    rows, _ = views.quarantine_page(0, 50, "zh")
    assert list(rows[i18n.t("col.file", "zh")]) == ["拜访.csv", "混合.xlsx[订单]"]
