"""Every UI string exists in zh-CN and English, and every key the code asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from marketpulse import i18n

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
# literal keys passed to t(...), f.t(...), i18n.t(...), ui.missing(f, ...), ui.header(f, ...)
KEY_USE = re.compile(r"""(?:\bt\(|missing\(f,\s*|header\(f,\s*|empty\(f,\s*)["']([a-z_]+\.[a-z_.]+)["']""")


def used_keys() -> set[str]:
    files = [ROOT / "app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("marketpulse/**/*.py")]
    return {key for path in files for key in KEY_USE.findall(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("key", sorted(i18n.TEXT))
def test_every_key_has_both_languages(key):
    zh, en = i18n.TEXT[key]
    assert isinstance(zh, str) and isinstance(en, str)
    assert not CJK.search(en), f"{key}: English text has Chinese in it: {en!r}"
    if zh.strip() and zh not in ("%",):
        assert CJK.search(zh) or not re.search(r"[A-Za-z]{3,}", zh), f"{key}: Chinese text looks untranslated: {zh!r}"
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    assert fields(zh) == fields(en), f"{key}: placeholders differ between languages"


def test_every_key_the_code_uses_exists():
    missing = used_keys() - set(i18n.TEXT)
    assert not missing, f"keys used but not defined: {sorted(missing)}"
    assert len(used_keys()) > 30


def test_every_metric_has_a_glossary_entry_in_both_languages():
    for term in i18n.GLOSSARY:
        for lang in i18n.LANGS:
            assert i18n.t(f"gloss.{term}", lang) and len(i18n.t(f"gloss.{term}.def", lang)) > 10


def test_t_formats_and_falls_back_to_chinese():
    assert i18n.t("weekly.week", "en", week="2026-01-05", iso=2) == "Week of 2026-01-05 (ISO week 2)"
    assert i18n.t("page.weekly", "xx") == "营销周报"
    assert i18n.value("城网", "en") == "Urban" and i18n.value("城网", "zh") == "城网"
    assert i18n.state("tight", "en") == "Tight" and i18n.state(None, "zh") == "—"


def test_a_lang_value_names_its_language_by_code_or_name():
    for text, code in [("en", "en"), ("EN", "en"), ("en-US", "en"), ("English", "en"), ("zh", "zh"), ("zh_CN", "zh")]:
        assert i18n.lang_code(text) == code, text
    assert i18n.lang_code("中文") == "zh"
    assert i18n.lang_code("fr") is None and i18n.lang_code("") is None
