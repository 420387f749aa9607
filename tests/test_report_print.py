"""The 周报 on paper: the PDF and the workbook's print, rendered to PNG pages under
test-artifacts/report/ (pdftoppm; LibreOffice headless for the workbook), pages counted,
numbers in their units, a territory's report inside its scope, and a machine without a
Chinese font getting a clear message instead of a crash."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from marketpulse import cli, i18n, numbers, report, store
from marketpulse.report import pdf_document

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "report"
TERRITORY = "T0201"  # 石桥片区 of the small city
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (make system)")
needs_font = pytest.mark.skipif(report.font() is None, reason="no Chinese font (make system: fonts-noto-cjk)")


@pytest.fixture(scope="module")
def week(demo_store):
    return store.reader(demo_store).sql("select max(week) as w from weekly_observation")["w"][0].date()


@pytest.fixture
def city(demo_store, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    return demo_store


def pages(pdf: Path, stem: str) -> list[Path]:
    """Each page of `pdf` as a PNG under test-artifacts/report/, the files in page order."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / stem)], check=True, timeout=120)
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


def ink(png: Path) -> float:
    """Share of a page's pixels that are not white: a blank page has none."""
    image = Image.open(png).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


@needs_poppler
@needs_font
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_is_a_few_landscape_pages_with_numbers_in_their_units(city, week, tmp_path, lang):
    doc = report.weekly(week, {}, store.CITY, lang)
    out = tmp_path / f"weekly_{lang}.pdf"
    out.write_bytes(report.pdf_of(doc))
    shown = pages(out, f"pdf-city-{lang}")
    assert 2 <= len(shown) <= 4  # the KPI page, then alerts, exceptions, brands and people as they fit
    for png in shown:
        width, height = Image.open(png).size
        assert width > height  # landscape A4
        assert ink(png) > 0.01
    text = text_of(out)
    assert doc.title in text
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    row = doc.kpis.set_index(t("report.metric"))
    for key, unit in (("kpi.sales", "qty"), ("kpi.ratio", "weeks"), ("kpi.price_index", "index")):
        assert numbers.show(row.loc[t(key), t("report.value")], unit, lang) in text
    first = doc.alerts.iloc[0]  # the most severe alert is on paper: its start and its owner
    assert first[t("col.since")].isoformat() in text and str(first[t("col.territory")]) in text


@needs_poppler
@needs_font
def test_territory_report_holds_its_scope_with_the_city_beside(city, week, tmp_path):
    scope = store.Scope(territory_code=TERRITORY)
    doc = report.weekly(week, {}, scope, "zh")
    name = report.scope_name(scope, "zh")
    assert doc.scoped and name.endswith("片区")
    assert set(doc.state_raw["territory_name"]) == {name}
    assert set(doc.alerts[i18n.t("col.territory", "zh")]) <= {name}
    city_column = doc.kpis[i18n.t("report.col.city", "zh")]
    assert city_column.notna().sum() >= 5
    out = tmp_path / "weekly_territory.pdf"
    out.write_bytes(report.pdf_of(doc))
    shown = pages(out, "pdf-territory-zh")
    assert 2 <= len(shown) <= 4
    assert i18n.t("report.scope", "zh", scope=name) in text_of(out)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (make system: libreoffice-calc)")
@needs_poppler
def test_workbook_prints_at_most_four_pages(city, week, tmp_path):
    for lang in ("zh", "en"):
        (tmp_path / f"weekly_{lang}.xlsx").write_bytes(report.workbook(week, {}, store.CITY, lang))
    profile = tmp_path / "lo-profile"
    subprocess.run(  # both languages in one LibreOffice start
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "weekly_zh.xlsx")]
        + [str(tmp_path / "weekly_en.xlsx")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # one page per sheet, four in all: the KPIs with brand cultivation and three charts, the most
    # severe alerts, the market-state exceptions, the customer managers who need attention (every
    # alert, cell and manager stays in its sheet)
    assert len(report.SHEETS) <= 4
    for lang in ("zh", "en"):
        shown = pages(tmp_path / f"weekly_{lang}.pdf", f"xlsx-city-{lang}")
        assert len(shown) == len(report.SHEETS)
        assert all(ink(png) > 0.005 for png in shown)
    out = tmp_path / "weekly_zh.xlsx"
    book = openpyxl.load_workbook(out)
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        fit = ws.page_setup  # one page wide (1, Excel's default, is left out of the file), as many tall as it takes
        assert ws.sheet_properties.pageSetUpPr.fitToPage and fit.fitToWidth in (None, 1) and fit.fitToHeight == 0
        assert ws.print_title_rows == "$3:$3"
        assert "&P" in ws.oddFooter.right.text
    assert len(book[report.sheet_name("kpis", "zh")]._charts) == 3  # the sales, cover and brand charts


def test_workbook_numbers_carry_their_units_precision(city, week):
    book = openpyxl.load_workbook(io.BytesIO(report.workbook(week, {}, store.CITY, "zh")))
    ws = book[report.sheet_name("kpis", "zh")]
    header = [c.value for c in ws[3]]
    value = header.index(i18n.t("report.value", "zh")) + 1
    formats = {ws.cell(r, 1).value: ws.cell(r, value).number_format for r in range(4, ws.max_row + 1)}
    assert formats["销量"] == report.excel_format("qty", "zh") and "万条" in formats["销量"]
    assert formats["存销比"] == '#,##0.00" 周"'  # 1.14 周, not "1 周"
    assert formats["价格指数"] == "#,##0.0"  # 100.5, not 101
    changes = [header.index(i18n.t(k, "zh")) + 1 for k in ("report.wow", "report.yoy", "report.ytd_yoy")]
    shown = [ws.cell(r, c).value for r in range(4, ws.max_row + 1) for c in changes]
    # a change that rounds to zero is stored as 0, so no cell prints "-0.0点"
    assert not [v for v in shown if isinstance(v, float) and v != 0 and round(v, 1) == 0]


def test_no_chinese_font_gives_a_clear_message_not_a_crash(city, week, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf_document, "FONTS", ())
    monkeypatch.delenv(pdf_document.FONT_ENV, raising=False)
    assert report.font() is None
    with pytest.raises(report.FontMissing, match="fonts-noto-cjk"):
        report.pdf(week, {}, store.CITY, "zh")
    assert report.workbook(week, {}, store.CITY, "zh")[:2] == b"PK"  # the workbook still comes
    assert cli.main(["report", "--week", week.isoformat(), "--out", str(tmp_path / "周报.pdf")]) == 1
    assert "fonts-noto-cjk" in capsys.readouterr().out


@needs_poppler
@needs_font
def test_cli_pdf_is_the_document_the_page_offers(city, week, tmp_path):
    out = tmp_path / "周报.pdf"
    assert cli.main(["report", "--week", week.isoformat(), "--out", str(out)]) == 0
    offered = tmp_path / "offered.pdf"
    offered.write_bytes(report.pdf(week, {}, store.CITY, "zh"))
    assert text_of(out) == text_of(offered)
    assert report.file_name(week, store.CITY, "zh", "pdf") == f"营销周报_{week}_全市.pdf"
    assert report.file_name(week, store.CITY, "en", "xlsx") == f"weekly-review_{week}_City.xlsx"


@needs_poppler
@needs_font
def test_english_headers_wrap_between_words_never_inside_one(city, week, tmp_path):
    """A 片区's English 周报: the new-brand table has a column more (the city's), and its
    headers ("Distribution %", "Sell-through %") must not be cut mid-word ("Distributio / n")."""
    doc = report.weekly(week, {}, store.Scope(territory_code=TERRITORY), "en")
    out = tmp_path / "weekly_territory_en.pdf"
    out.write_bytes(report.pdf_of(doc))
    words = set(text_of(out).split())
    for header in ("col.distribution", "col.sellthrough"):
        longest = max(i18n.t(header, "en").split(), key=len)
        assert longest in words, f"{longest} is cut in the table header"
