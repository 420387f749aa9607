"""The language switch and the address: `?lang=` opens a language whether it names it (English)
or gives its code (en, en-US); the address then carries the name, so a reload keeps it; a page
of the menu (whose address Streamlit opens without the query) keeps the session's language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import i18n

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def city(demo_store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("language") / "store.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture
def opened(city, monkeypatch, signed_in):
    """`opened(query)`: the app run once for a signed-in center, from an address with `query`."""
    monkeypatch.setenv("MARKETPULSE_DB", str(city))

    def run(query: dict) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        signed_in(at, "center")
        at.query_params.update(query)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def heading(at: AppTest) -> str:
    return at.title[0].value


def lang_in_address(at: AppTest) -> str | None:
    value = at.query_params.get("lang")
    return value[-1] if isinstance(value, list) else value or None


@pytest.mark.parametrize("given", ["en", "en-US", "EN", "English"])
def test_an_address_with_english_opens_in_english_and_then_names_it(opened, given):
    at = opened({"lang": given})
    assert at.session_state["lang"] == "en"
    assert heading(at) == i18n.t("weekly.title", "en")
    assert lang_in_address(at) == "English"  # what a reload or a bookmark then carries


@pytest.mark.parametrize("given", ["zh", "zh-CN", "中文", "fr", None])
def test_an_address_without_english_opens_in_chinese_and_carries_no_language(opened, given):
    at = opened({"lang": given} if given else {})
    assert at.session_state["lang"] == "zh"
    assert heading(at) == i18n.t("weekly.title", "zh")
    assert lang_in_address(at) is None  # Chinese is the default: nothing to carry


def test_another_page_of_the_menu_keeps_the_language_and_puts_it_back_in_the_address(opened):
    at = opened({"lang": "en"})
    at.query_params.clear()  # as Streamlit opens a page of the menu
    at.switch_page("app_pages/3_prices.py").run()
    assert not at.exception
    assert heading(at) == i18n.t("prices.title", "en")
    assert lang_in_address(at) == "English"


def test_the_switch_changes_the_language_and_the_address(opened):
    at = opened({})
    at.segmented_control(key="lang").set_value("en").run()
    assert heading(at) == i18n.t("weekly.title", "en") and lang_in_address(at) == "English"
    at.segmented_control(key="lang").set_value("zh").run()
    assert heading(at) == i18n.t("weekly.title", "zh") and lang_in_address(at) is None


def test_the_uploader_says_its_words_and_the_pages_own_limit():
    from marketpulse.ui import language

    zh = language.uploader_words("zh")
    assert '"选择文件"' in zh and '"每个文件不超过 200 MB"' in zh  # the server's limit (.streamlit/config.toml)
    assert language.uploader_words("en") == ""  # Streamlit's own words are English already
    assert '"50MB per file"' in language.uploader_words("en", 50)  # the data page's rule, lower
    assert "不超过 200 MB" in language.uploader_words("zh", 500)  # never above what the server takes
